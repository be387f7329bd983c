package privatefile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sealpay/sealpay/sdk/internal/privatefile"
)

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	for _, content := range []string{"first", "second, longer"} {
		if err := privatefile.Write(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
		}
		var checked string
		b, err := privatefile.Read(path, 64, func(name string, fi fs.FileInfo) error { checked = name; return nil })
		if err != nil || string(b) != content {
			t.Errorf("Read = %q, %v; want %q", b, err, content)
		}
		if checked != "keys.json" {
			t.Errorf("check got name %q, want keys.json", checked)
		}
	}
	// No temporary file is left beside it.
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the directory, want 1", len(ents))
	}
}

func TestReadRefusals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if err := privatefile.Write(path, []byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	ok := func(string, fs.FileInfo) error { return nil }
	if _, err := privatefile.Read(path, 9, ok); err == nil {
		t.Error("Read of a 10-byte file with max 9 succeeded")
	}
	if b, err := privatefile.Read(path, 10, ok); err != nil || len(b) != 10 {
		t.Errorf("Read with max 10 = %d bytes, %v", len(b), err)
	}
	bad := errors.New("insecure")
	if _, err := privatefile.Read(path, 10, func(string, fs.FileInfo) error { return bad }); !errors.Is(err, bad) {
		t.Errorf("Read with a refusing check = %v, want its error", err)
	}
	if _, err := privatefile.Read(filepath.Join(t.TempDir(), "missing"), 10, ok); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read of a missing file = %v, want fs.ErrNotExist", err)
	}
}
