package googlepay

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
		return fmt.Errorf("googlepay: writing key set: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("googlepay: writing key set: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("googlepay: writing key set: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("googlepay: writing key set: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("googlepay: writing key set: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("googlepay: writing key set: %w", err)
	}
	return nil
}

// ReadKeySetFile reads a key set file written by [WriteKeySetFile],
// refusing one its group or other users may read or write (the error
// wraps envelope.ErrInsecureKeyFile).
func ReadKeySetFile(path string) (*KeySet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("googlepay: reading key set: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("googlepay: reading key set: %w", err)
	}
	if err := envelope.CheckKeyFileMode(filepath.Base(path), fi); err != nil {
		return nil, fmt.Errorf("googlepay: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("googlepay: reading key set: %w", err)
	}
	return ParseKeySet(b)
}

// Keys lists the set's keys, without key bytes.
func (s *KeySet) Keys() []KeyInfo {
	out := make([]KeyInfo, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, KeyInfo{KeyID: k.kid, Merchant: k.mid, Status: k.status})
	}
	return out
}

// KeyInfo describes one key of a [KeySet].
type KeyInfo struct {
	KeyID    string
	Merchant string
	Status   string // StatusPrimary, StatusEnabled or StatusRetired
}
