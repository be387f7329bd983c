package token_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/sealpay/sealpay/edge/migrations"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/token"
)

// dsn opens a SQLite file the way the native server does: WAL journal, a
// busy timeout so concurrent writers wait instead of failing.
func dsn(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
}

// openDB returns a migrated SQLite database in a temporary file, and its path.
func openDB(t testing.TB) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Apply(context.Background(), db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db, path
}

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 15, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func localKEK(t testing.TB, id string) token.KEK {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	k, err := token.NewLocalKEK(id, secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func kekSet(t testing.TB, primary token.KEK, others ...token.KEK) *token.KEKSet {
	t.Helper()
	s, err := token.NewKEKSet(primary, others...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newVault returns a vault on a fresh database with one local KEK.
func newVault(t testing.TB, c *clock) (*token.Vault, *sql.DB, string) {
	t.Helper()
	db, path := openDB(t)
	v, err := token.NewSQLVault(db, kekSet(t, localKEK(t, "kek-1")), token.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return v, db, path
}

type testCard struct {
	Brand string `json:"brand"`
	card.Card
}

// loadCards reads the published test cards in testdata/cards.json.
func loadCards(t testing.TB) []testCard {
	t.Helper()
	b, err := os.ReadFile("testdata/cards.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cards []testCard `json:"cards"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cards) == 0 {
		t.Fatal("no cards in testdata/cards.json")
	}
	return f.Cards
}

func count(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func openSQLite(path string) (*sql.DB, error) { return sql.Open("sqlite", dsn(path)) }

// migrationNames lists the edge's migration files in the order they apply.
func migrationNames(testing.TB) []string { return migrations.Names() }

// luhnCard returns a random Luhn-valid 16-digit number starting with 4.
func luhnCard(rng *mrand.Rand) string {
	d := make([]byte, 16)
	d[0] = '4'
	for i := 1; i < 15; i++ {
		d[i] = byte('0' + rng.IntN(10))
	}
	sum := 0
	for i := 0; i < 15; i++ {
		n := int(d[14-i] - '0')
		if i%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	d[15] = byte('0' + (10-sum%10)%10)
	return string(d)
}

// storedString formats s for a failure message with its token id reduced
// to a shape: tokens are never printed.
func storedString(s token.Stored) string {
	if s.Token != "" {
		s.Token = fmt.Sprintf("<%d characters, valid %v>", len(s.Token), token.ValidTokenID(s.Token))
	}
	return fmt.Sprintf("%+v", s)
}

// flipSealedByte flips the low bit of byte i of tok's sealed row. A flip
// always changes the row: overwriting the byte with a constant, as these
// tests once did, left it unchanged whenever the random nonce or
// ciphertext byte already held that value — 1 run in 256.
func flipSealedByte(t testing.TB, db *sql.DB, tok string, i int) {
	t.Helper()
	var sealed []byte
	if err := db.QueryRow(`SELECT sealed FROM vault_tokens WHERE token = ?`, tok).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if i >= len(sealed) {
		t.Fatalf("the sealed row has %d bytes, no byte %d to flip", len(sealed), i)
	}
	sealed[i] ^= 0x01
	if _, err := db.Exec(`UPDATE vault_tokens SET sealed = ? WHERE token = ?`, sealed, tok); err != nil {
		t.Fatal(err)
	}
}
