package token_test

import (
	"bytes"
	"fmt"
	"github.com/sealpay/sealpay/edge/migrations"
	"io/fs"
	mrand "math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/token"
)

// TestNoPlaintextOnDisk drives a vault through its whole life — tokenize,
// reveal, single-use, delete, rotation and rewrap, purge — then reads the
// SQLite file and its -wal and -shm files byte by byte and looks for every
// card number, CVC and cardholder name it was given. It finds none, and it
// does find a marker written in plain text, which shows it reads what
// SQLite wrote.
//
// Token ids and fingerprints are public and random: they are blanked out
// before the search so that a CVC's four digits inside one cannot raise a
// false alarm. CVCs here have four digits, because any three given bytes
// turn up by chance in a few hundred kilobytes of ciphertext; crypto/rand is
// seeded so that the files, and the verdict, are reproducible.
func TestNoPlaintextOnDisk(t *testing.T) {
	cryptotest.SetGlobalRandom(t, 2030)
	clk := newClock()
	db, path := openDB(t)
	k1, k2 := localKEK(t, "disk-1"), localKEK(t, "disk-2")
	v1, _ := token.NewSQLVault(db, kekSet(t, k1), token.Options{Now: clk.Now})

	var schema []byte // every migration's text and name ends up in sqlite_master or d1_migrations
	for _, n := range migrationNames(t) {
		b, _ := fs.ReadFile(migrations.FS(), n)
		schema = append(append(schema, b...), n...)
	}
	rng := mrand.New(mrand.NewPCG(20, 30))
	var cards []card.Card
	for _, c := range loadCards(t) {
		cards = append(cards, c.Card)
	}
	for i := range 40 {
		cards = append(cards, card.Card{Number: luhnCard(rng), ExpMonth: 1 + i%12, ExpYear: 2031 + i%5, Name: fmt.Sprintf("Shopper Number %03d", i)})
	}
	// CVCs must not collide with public text: the schema, migration names,
	// the last four digits stored in clear.
	public4 := string(schema)
	for _, c := range cards {
		public4 += " " + c.Number[len(c.Number)-4:]
	}
	for i := range cards {
		for {
			cards[i].CVC = fmt.Sprint(1000 + rng.IntN(9000))
			if !strings.Contains(public4, cards[i].CVC) {
				break
			}
		}
	}

	var public [][]byte // token ids and fingerprints
	for i, c := range cards {
		v := v1
		if i >= len(cards)/2 {
			v, _ = token.NewSQLVault(db, kekSet(t, k2, k1), token.Options{Now: clk.Now})
		}
		s, err := v.Tokenize(ctx, "m_disk", c, "visa", token.TokenizeOptions{
			SingleUse: i%7 == 0,
			JTI:       fmt.Sprintf("jti-%d", i), JTIExpires: clk.Now().Add(time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}
		public = append(public, []byte(s.Token), []byte(s.Fingerprint))
		switch i % 4 {
		case 1:
			if _, err := v.Reveal(ctx, "m_disk", s.Token); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := v.Delete(ctx, "m_disk", s.Token); err != nil {
				t.Fatal(err)
			}
		}
	}
	v2, _ := token.NewSQLVault(db, kekSet(t, k2, k1), token.Options{Now: clk.Now})
	for {
		n, err := v2.Rewrap(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if _, err := v2.Purge(ctx, clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	marker := "plaintext-marker-" + fmt.Sprint(rng.Uint64())
	if _, err := db.Exec(`CREATE TABLE scan_control (x TEXT); INSERT INTO scan_control VALUES (?)`, marker); err != nil {
		t.Fatal(err)
	}
	// d1_migrations records when each migration ran, as text from the wall
	// clock ("2026-11-21 10:10:58"): public, and the one thing in the files
	// that the seeds do not fix. A CVC equal to the year would be found in
	// it, so the timestamps are blanked out like the token ids.
	var stamps [][]byte
	rows, err := db.Query(`SELECT DISTINCT CAST(applied_at AS TEXT) FROM d1_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var at string
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		stamps = append(stamps, []byte(at))
	}
	if err := rows.Err(); err != nil || len(stamps) == 0 {
		t.Fatalf("reading d1_migrations: %v (%d timestamps)", err, len(stamps))
	}
	rows.Close()
	public = append(public, stamps...)

	var secrets []string
	for _, c := range cards {
		secrets = append(secrets, c.Number, c.CVC)
		if len(c.Name) >= 4 {
			secrets = append(secrets, c.Name)
		}
	}
	scan := func(stage string) {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			b, err := os.ReadFile(path + suffix)
			if err == nil {
				all = append(all, b...)
				all = append(all, 0)
			}
		}
		for _, at := range stamps {
			if !bytes.Contains(all, at) {
				t.Fatalf("%s: a migration timestamp (%d bytes) is not in the files: blanking it out would miss", stage, len(at))
			}
		}
		for _, p := range public {
			all = bytes.ReplaceAll(all, p, bytes.Repeat([]byte{'#'}, len(p)))
		}
		if !bytes.Contains(all, []byte(marker)) {
			t.Fatalf("%s: the plain-text marker is not in the %d bytes read: the scan does not see what SQLite writes", stage, len(all))
		}
		for i, s := range secrets {
			if bytes.Contains(all, []byte(s)) {
				t.Errorf("%s: secret %d (%d characters) found in plain text on disk", stage, i, len(s))
			}
		}
		// Also catch numbers stored with separators or in any other run of digits.
		for _, m := range regexp.MustCompile(`[0-9][0-9 -]{11,}[0-9]`).FindAll(all, -1) {
			d := strings.NewReplacer(" ", "", "-", "").Replace(string(m))
			for _, c := range cards {
				if strings.Contains(d, c.Number) {
					t.Errorf("%s: a card number found on disk inside a run of %d digits", stage, len(d))
				}
			}
		}
		t.Logf("%s: scanned %d bytes for %d secrets", stage, len(all), len(secrets))
	}
	scan("open database")
	db.Close()
	scan("closed database")
}
