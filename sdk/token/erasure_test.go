package token_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/token"
)

// copyDB copies the database file at path (checkpointed first, so the
// copy is one file) to a new file and returns its path: a backup, or a
// restore point, taken at that moment.
func copyDB(t *testing.T, db *sql.DB, path string) string {
	t.Helper()
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(out, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCVCCryptoErasure: a copy of the database taken while a CVC was
// held, opened later with the same KEK and a clock set back to that
// moment, gives the CVC back only until the purge has destroyed the CVC's
// key; afterwards it gives nothing, though the copy still holds the CVC's
// ciphertext. With the keys in the process (NewMemoryCVCKeys, the native
// server) that holds for every copy; with the keys in the database
// (NewSQLCVCKeys, D1) a copy taken before the purge holds the key too, and
// only copies taken after it are erased: the test pins both.
func TestCVCCryptoErasure(t *testing.T) {
	for _, tc := range []struct {
		name   string
		memory bool
	}{{"keys in memory", true}, {"keys in the database", false}} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			held := clk.Now()
			db, path := openDB(t)
			kek := localKEK(t, "erase-1")
			var keys token.CVCKeyStore
			if tc.memory {
				keys = token.NewMemoryCVCKeys()
			}
			v, err := token.NewSQLVault(db, kekSet(t, kek), token.Options{Now: clk.Now, CVCKeys: keys})
			if err != nil {
				t.Fatal(err)
			}
			c := card.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2035, CVC: "9876"}
			s, err := v.Tokenize(ctx, "m", c, "visa", token.TokenizeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			before := copyDB(t, db, path)

			// Reads the CVC from a copy as someone holding the KEK would,
			// with the clock at the moment the copy was taken. Revealing a
			// CVC deletes it, so each read is on a copy of the copy.
			fromCopy := func(copyPath string) (string, error) {
				b, err := os.ReadFile(copyPath)
				if err != nil {
					t.Fatal(err)
				}
				tmp := filepath.Join(t.TempDir(), "read.db")
				if err := os.WriteFile(tmp, b, 0o600); err != nil {
					t.Fatal(err)
				}
				cdb, err := sql.Open("sqlite", dsn(tmp))
				if err != nil {
					t.Fatal(err)
				}
				defer cdb.Close()
				cv, err := token.NewSQLVault(cdb, kekSet(t, kek), token.Options{Now: func() time.Time { return held }, CVCKeys: keys})
				if err != nil {
					t.Fatal(err)
				}
				got, err := cv.Reveal(ctx, "m", s.Token, token.FieldCVC)
				return got.CVC, err
			}
			if got, err := fromCopy(before); err != nil || got != c.CVC {
				t.Fatalf("the copy before the purge, before the key's end: CVC match %v, %v; want the CVC (the test must see it to show it gone)", got == c.CVC, err)
			}

			clk.Add(token.DefaultCVCKeyWindow + token.DefaultCVCTTL)
			n, err := v.Purge(ctx, clk.Now())
			if err != nil || n < 2 {
				t.Fatalf("Purge = %d, %v; want the CVC and its key", n, err)
			}
			after := copyDB(t, db, path)
			for _, cp := range []struct {
				name   string
				path   string
				erased bool
			}{{"taken before the purge", before, tc.memory}, {"taken after the purge", after, true}} {
				got, err := fromCopy(cp.path)
				switch {
				case cp.erased && (got != "" || !errors.Is(err, token.ErrNoCVC) && err != nil):
					t.Errorf("copy %s: CVC match %v, %v; want no CVC", cp.name, got == c.CVC, err)
				case !cp.erased && got != c.CVC:
					t.Errorf("copy %s with the keys in the database: CVC match %v, %v; want the CVC (the documented limit)", cp.name, got == c.CVC, err)
				}
			}
			// The old copy still has the CVC's ciphertext: it is the key
			// that is gone.
			cdb, _ := sql.Open("sqlite", dsn(before))
			defer cdb.Close()
			if n := count(t, cdb, "vault_cvcs"); n != 1 {
				t.Errorf("the copy before the purge has %d CVC rows, want 1", n)
			}
		})
	}
}
