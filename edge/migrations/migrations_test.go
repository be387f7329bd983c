package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/sealpay/sealpay/edge/migrations"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

func open(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestFiles checks the rules wrangler and D1 impose on the folder:
// wrangler's NNNN_name.sql naming, distinct numbers, and no statements D1
// refuses in a migration (transactions, PRAGMA).
func TestFiles(t *testing.T) {
	name := regexp.MustCompile(`^[0-9]{4}_[a-z0-9_]+\.sql$`)
	forbidden := regexp.MustCompile(`(?im)^\s*(BEGIN|COMMIT|ROLLBACK|END\s+TRANSACTION|PRAGMA|ATTACH|SAVEPOINT)\b`)
	seen := map[string]string{}
	names := migrations.Names()
	if len(names) == 0 {
		t.Fatal("no migrations")
	}
	for _, n := range names {
		if !name.MatchString(n) {
			t.Errorf("migration %q: want NNNN_name.sql", n)
		}
		if prev, dup := seen[n[:4]]; dup {
			t.Errorf("migrations %q and %q share a number", prev, n)
		}
		seen[n[:4]] = n
		b, err := fs.ReadFile(migrations.FS(), n)
		if err != nil {
			t.Fatal(err)
		}
		// BEGIN … END inside CREATE TRIGGER is not a transaction.
		body := regexp.MustCompile(`(?is)CREATE\s+TRIGGER.*?\bEND\s*;`).ReplaceAllString(string(b), "")
		if m := forbidden.FindString(body); m != "" {
			t.Errorf("migration %q has %q, which D1 migrations cannot run", n, strings.TrimSpace(m))
		}
	}
	// Every file on disk is embedded (wrangler reads the folder, Apply the
	// embedded copy).
	onDisk, _ := filepath.Glob("*.sql")
	if fmt.Sprint(onDisk) != fmt.Sprint(names) {
		t.Errorf("embedded %v, on disk %v", names, onDisk)
	}
}

func TestApplyTwice(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "v.db"))
	for i := range 3 {
		if err := migrations.Apply(ctx, db); err != nil {
			t.Fatalf("Apply run %d: %v", i+1, err)
		}
	}
	rows, err := db.Query(`SELECT name FROM d1_migrations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	if got, want := fmt.Sprint(names), fmt.Sprint(migrations.Names()); got != want {
		t.Errorf("d1_migrations = %s, want %s (the files, in order)", got, want)
	}
}

func TestApplyConcurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	// The file exists and is in WAL mode before the processes race, as on a
	// server: switching a brand-new file to WAL is the one step SQLite
	// itself refuses to run concurrently (SQLITE_BUSY, no busy wait).
	if err := open(t, path).Ping(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
			if err != nil {
				t.Error(err)
				return
			}
			defer db.Close()
			if err := migrations.Apply(ctx, db); err != nil {
				t.Errorf("concurrent Apply: %v", err)
			}
		})
	}
	wg.Wait()
	var n int
	if err := open(t, path).QueryRow(`SELECT count(*) FROM d1_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := len(migrations.Names()); n != want {
		t.Errorf("%d migrations recorded by 4 concurrent processes, want %d", n, want)
	}
}

// A failing file is not recorded, and the error keeps the database's cause.
func TestApplyKeepsCause(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "r.db"))
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	err := migrations.Apply(ctx, db)
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_READONLY {
		t.Fatalf("Apply on a query-only database = %v, want it to wrap SQLite's SQLITE_READONLY", err)
	}
}
