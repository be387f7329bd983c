package applepay

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sealpay/sealpay/sdk/envelope"
)

// WriteKeySetFile writes ks to path with mode 0600, atomically (a
// temporary file renamed over path).
func WriteKeySetFile(path string, ks *KeySet) error {
	b, err := ks.MarshalPrivate()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("applepay: writing key set: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(0o600); err == nil {
		if _, err = f.Write(b); err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, path)
		}
		if err == nil {
			return nil
		}
	} else {
		f.Close()
	}
	return fmt.Errorf("applepay: writing key set: %w", err)
}

// ReadKeySetFile reads a key set file written by [WriteKeySetFile],
// refusing one its group or other users may read or write (the error
// wraps envelope.ErrInsecureKeyFile).
func ReadKeySetFile(path string) (*KeySet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("applepay: reading key set: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("applepay: reading key set: %w", err)
	}
	if err := envelope.CheckKeyFileMode(filepath.Base(path), fi); err != nil {
		return nil, fmt.Errorf("applepay: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("applepay: reading key set: %w", err)
	}
	return ParseKeySet(b)
}
