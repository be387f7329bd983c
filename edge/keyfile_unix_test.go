//go:build unix

package edge_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// TestOpenRefusesOpenKeyFiles checks that the native server refuses a key
// set or KEK file its group or other users can read or write, with the
// code insecure_key_file, and so does --dev-vars, which copies them.
func TestOpenRefusesOpenKeyFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		mode os.FileMode
		want errcode.Code
	}{
		{"keys 0600", "keys.json", 0o600, ""},
		{"keys 0400", "keys.json", 0o400, ""},
		{"keys 0644", "keys.json", 0o644, "insecure_key_file"},
		{"keys 0640", "keys.json", 0o640, "insecure_key_file"},
		{"keys 0602", "keys.json", 0o602, "insecure_key_file"},
		{"kek 0644", "kek.secret", 0o644, "insecure_key_file"},
		{"kek 0660", "kek.secret", 0o660, "insecure_key_file"},
		{"kek 0604", "kek.secret", 0o604, "insecure_key_file"},
		{"google pay keys 0600", "google-pay-keys.json", 0o600, ""},
		{"google pay keys 0644", "google-pay-keys.json", 0o644, "insecure_key_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := edgetest.NewFixture(t)
			if err := os.Chmod(filepath.Join(fx.Dir, tc.file), tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := server.DevVars(fx.ConfigPath)
			if got := code(err); got != tc.want {
				t.Errorf("DevVars with %s mode %04o: code %q, want %q", tc.file, tc.mode, got, tc.want)
			}
			cfg, err := edge.LoadConfig(fx.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			_, db, err := server.Open(context.Background(), cfg, nil)
			if err == nil {
				db.Close()
			}
			if got := code(err); got != tc.want {
				t.Errorf("Open with %s mode %04o: code %q, want %q", tc.file, tc.mode, got, tc.want)
			}
		})
	}
}

func code(err error) errcode.Code {
	if err == nil {
		return ""
	}
	return errcode.Of(err)
}

// TestOpenCreatesPrivateDatabase checks that the vault's database and the
// -wal and -shm files SQLite makes beside it are created with mode 0600,
// whatever the umask lets through.
func TestOpenCreatesPrivateDatabase(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	fx := edgetest.NewFixture(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	h, db, err := server.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = h
	// A write makes SQLite create the WAL and its index.
	probe := sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S("CREATE TABLE IF NOT EXISTS mode_probe (x)"), sqlunit.S("INSERT INTO mode_probe VALUES (1)")}}
	if _, err := db.Exec(context.Background(), probe); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(cfg.Database + suffix)
		if err != nil {
			t.Errorf("database%s: %v", suffix, err)
			continue
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("database%s has mode %04o, want 0600", suffix, perm)
		}
	}
}
