package sqlitedb

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sealpay/sealpay/sdk/sqlunit"
	sqlite3 "modernc.org/sqlite/lib"
)

func open(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "vault.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func jtis(t *testing.T, d *DB) int {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT count(*) FROM vault_jtis`)
	if err != nil {
		t.Fatal(err)
	}
	return int(rows[0].Int(0))
}

func insertJTI(jti string) sqlunit.Stmt {
	return sqlunit.S(`INSERT INTO vault_jtis (jti, merchant_id, expires_at) VALUES (?, 'm', 4102444800)`, jti)
}

// TestUnitAllOrNothing: a unit whose last statement fails leaves nothing
// of its first; a guard's failure is a *sqlunit.Refusal, told by its
// result code.
func TestUnitAllOrNothing(t *testing.T) {
	ctx := context.Background()
	d := open(t)
	if _, err := d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{insertJTI("a")}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		stmts  []sqlunit.Stmt
		refuse string
	}{
		{"constraint", []sqlunit.Stmt{insertJTI("b"), insertJTI("a")}, ""},
		{"guard", []sqlunit.Stmt{insertJTI("c"), sqlunit.Refuse(sqlunit.RefusedReplayed, `SELECT 1 FROM vault_jtis WHERE jti = 'a'`)}, sqlunit.RefusedReplayed},
		{"guard unless", []sqlunit.Stmt{insertJTI("d"), sqlunit.RefuseUnless(sqlunit.RefusedNotFound, `SELECT 1 FROM vault_jtis WHERE jti = 'zz'`)}, sqlunit.RefusedNotFound},
	} {
		_, err := d.Exec(ctx, sqlunit.Unit{Stmts: tc.stmts})
		var r *sqlunit.Refusal
		switch {
		case err == nil:
			t.Errorf("%s: unit succeeded", tc.name)
		case tc.refuse != "" && (!errors.As(err, &r) || r.Reason != tc.refuse):
			t.Errorf("%s: err %v, want refusal %q", tc.name, err, tc.refuse)
		case tc.refuse == "" && Code(err) != sqlite3.SQLITE_CONSTRAINT:
			t.Errorf("%s: err %v (code %d), want SQLITE_CONSTRAINT", tc.name, err, Code(err))
		}
		if n := jtis(t, d); n != 1 {
			t.Errorf("%s: %d jtis stored, want 1", tc.name, n)
		}
	}
}

// TestFullDiskFailsOneUnit: with the database capped by max_page_count, a
// unit too big for the room left fails with SQLITE_FULL, alone: the small
// units of the same groups commit, and the database keeps taking units.
func TestFullDiskFailsOneUnit(t *testing.T) {
	ctx := context.Background()
	d := open(t)
	// The cap is set on the writer's own connection, between groups.
	if _, err := d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(`CREATE TABLE IF NOT EXISTS big (b BLOB)`)}}); err != nil {
		t.Fatal(err)
	}
	rows, err := d.Query(ctx, `PRAGMA page_count`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(`PRAGMA max_page_count = ` + strconv.FormatInt(rows[0].Int(0)+64, 10))}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := insertJTI("small-" + strconv.Itoa(i))
			if i%10 == 5 {
				s = sqlunit.S(`INSERT INTO big (b) VALUES (zeroblob(1048576))`)
			}
			_, errs[i] = d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{s}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case i%10 == 5 && Code(err) != sqlite3.SQLITE_FULL:
			t.Errorf("big unit %d: err %v (code %d), want SQLITE_FULL", i, err, Code(err))
		case i%10 != 5 && err != nil:
			t.Errorf("small unit %d: %v", i, err)
		}
	}
	if n := jtis(t, d); n != 36 {
		t.Errorf("%d jtis stored, want the 36 small units'", n)
	}
	if _, err := d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{insertJTI("after")}}); err != nil {
		t.Errorf("a unit after the full disk: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Error(err)
	}
	if _, err := d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{insertJTI("closed")}}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a unit after Close: %v", err)
	}
}

// TestInUse: a second Open of a held database fails at once.
func TestInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.db")
	d, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := OpenSQL(context.Background(), path); !errors.Is(err, ErrInUse) {
		t.Errorf("OpenSQL while held: %v, want ErrInUse", err)
	}
}

// filesContain reports whether the database at path, its -wal or its
// -journal holds b.
func filesContain(t *testing.T, path string, b []byte) bool {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-journal"} {
		data, err := os.ReadFile(path + suffix)
		if err == nil && bytes.Contains(data, b) {
			return true
		}
	}
	return false
}

// TestDeletedBytesLeaveTheFiles: a row deleted through the writer leaves
// no bytes in the database file or the WAL, once the WAL is checkpointed
// (by Checkpoint while open, or by SQLite when the last connection
// closes). Without secure_delete the bytes stay on the free pages.
func TestDeletedBytesLeaveTheFiles(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		close bool // checkpoint by closing instead of Checkpoint
	}{{"checkpoint", false}, {"close", true}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vault.db")
			d, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			kept := make([]byte, 48)
			rand.Read(kept)
			gone := make([][]byte, 50)
			for i := range gone {
				gone[i] = make([]byte, 48)
				rand.Read(gone[i])
				if _, err := d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
					`INSERT INTO vault_cvcs (token, merchant_id, kek_id, sealed, expires_at) VALUES (?, 'm', 'k', ?, 1)`, fmt.Sprint("t", i), gone[i])}}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
				`INSERT INTO vault_cvcs (token, merchant_id, kek_id, sealed, expires_at) VALUES ('kept', 'm', 'k', ?, 1)`, kept)}}); err != nil {
				t.Fatal(err)
			}
			if !filesContain(t, path, gone[0]) {
				t.Fatal("a live row's bytes are not in the files: the scan does not see what SQLite writes")
			}
			if _, err := d.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(`DELETE FROM vault_cvcs WHERE token != 'kept'`)}}); err != nil {
				t.Fatal(err)
			}
			if tc.close {
				if err := d.Close(); err != nil {
					t.Fatal(err)
				}
			} else if err := d.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
				t.Errorf("-wal has %d bytes after the checkpoint, want 0", fi.Size())
			}
			left := 0
			for _, b := range gone {
				if filesContain(t, path, b) {
					left++
				}
			}
			if left != 0 {
				t.Errorf("%d of %d deleted rows still in the files", left, len(gone))
			}
			if !filesContain(t, path, kept) {
				t.Error("the live row is not in the files after the checkpoint")
			}
		})
	}
}
