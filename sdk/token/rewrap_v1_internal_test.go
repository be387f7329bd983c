package token

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/migrations"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
	_ "modernc.org/sqlite"
)

// TestRewrapMovesV1Rows: rows sealed the v1 way (before the clear columns
// were bound into the additional data) still open, and Rewrap re-seals
// them as v2 under the same KEK, after which an edited column makes the
// row fail to open.
func TestRewrapMovesV1Rows(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "v.db")+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrations.Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
	kek, _ := NewLocalKEK("v1-kek", make([]byte, 32))
	keks, _ := NewKEKSet(kek)
	now := time.Date(2030, 1, 15, 10, 0, 0, 0, time.UTC)
	v, err := NewSQLVault(db, keks, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	c := card.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2035, CVC: "1234", Name: "A. Shopper"}
	s, err := v.Tokenize(ctx, "m", c, "visa", TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Seal both rows again the v1 way, as a release before v2 did.
	aead, err := v.keys.sealer(ctx, "v1-kek")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE vault_tokens SET sealed = ? WHERE token = ?`, sealRow(aead, labelCard, "v1-kek", s.Token, "m", encodeCard(c.Number, c.Name)), s.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE vault_cvcs SET sealed = ? WHERE token = ?`, sealRow(aead, labelCVC, "v1-kek", s.Token, "m", encodeCVC(c.CVC)), s.Token); err != nil {
		t.Fatal(err)
	}
	format := func(table string) byte {
		var b []byte
		if err := db.QueryRow(`SELECT sealed FROM `+table+` WHERE token = ?`, s.Token).Scan(&b); err != nil {
			t.Fatal(err)
		}
		return b[0]
	}
	if format("vault_tokens") != 1 || format("vault_cvcs") != 1 {
		t.Fatal("the rows are not v1")
	}
	if got, err := v.Reveal(ctx, "m", s.Token, FieldNumber); err != nil || got.Number != c.Number {
		t.Fatalf("Reveal of a v1 card: match %v, %v", got.Number == c.Number, err)
	}
	n, err := v.Rewrap(ctx, 10)
	if err != nil || n != 2 {
		t.Fatalf("Rewrap = %d, %v; want 2 (the card and the CVC)", n, err)
	}
	if n, err := v.Rewrap(ctx, 10); err != nil || n != 0 {
		t.Errorf("Rewrap again = %d, %v; want 0", n, err)
	}
	if format("vault_tokens") != 2 || format("vault_cvcs") != 2 {
		t.Errorf("after Rewrap: formats %d and %d, want 2 and 2", format("vault_tokens"), format("vault_cvcs"))
	}
	got, err := v.Reveal(ctx, "m", s.Token)
	if err != nil || got.Number != c.Number || got.CVC != c.CVC || got.Name != c.Name {
		t.Fatalf("Reveal after Rewrap: match %v/%v/%v, %v", got.Number == c.Number, got.CVC == c.CVC, got.Name == c.Name, err)
	}
	if _, err := db.Exec(`UPDATE vault_tokens SET exp_year = 2040 WHERE token = ?`, s.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Reveal(ctx, "m", s.Token, FieldNumber); errcode.Of(err) != errcode.Internal {
		t.Errorf("Reveal of a re-sealed row after editing exp_year: %v, want an internal error", err)
	}
}
