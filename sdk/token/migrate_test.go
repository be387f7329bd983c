package token_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMigrationFiles checks the rules wrangler and D1 impose on the shared
// migrations folder: wrangler's NNNN_name.sql naming, distinct numbers, and
// no statements D1 refuses in a migration (transactions, PRAGMA).
func TestMigrationFiles(t *testing.T) {
	name := regexp.MustCompile(`^[0-9]{4}_[a-z0-9_]+\.sql$`)
	forbidden := regexp.MustCompile(`(?im)^\s*(BEGIN|COMMIT|ROLLBACK|END\s+TRANSACTION|PRAGMA|ATTACH|SAVEPOINT)\b`)
	seen := map[string]string{}
	for _, n := range migrationNames(t) {
		if !name.MatchString(n) {
			t.Errorf("migration %q: want NNNN_name.sql", n)
		}
		if prev, dup := seen[n[:4]]; dup {
			t.Errorf("migrations %q and %q share a number", prev, n)
		}
		seen[n[:4]] = n
		b, err := os.ReadFile("migrations/" + n)
		if err != nil {
			t.Fatal(err)
		}
		// BEGIN … END inside CREATE TRIGGER is not a transaction.
		body := regexp.MustCompile(`(?is)CREATE\s+TRIGGER.*?\bEND\s*;`).ReplaceAllString(string(b), "")
		if m := forbidden.FindString(body); m != "" {
			t.Errorf("migration %q has %q, which D1 migrations cannot run", n, strings.TrimSpace(m))
		}
	}
}
