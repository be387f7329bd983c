package googlepay

import (
	"fmt"

	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/internal/privatefile"
)

// WriteKeySetFile writes ks to path with mode 0600, atomically (a
// temporary file renamed over path).
func WriteKeySetFile(path string, ks *KeySet) error {
	b, err := ks.MarshalPrivate()
	if err != nil {
		return err
	}
	if err := privatefile.Write(path, b); err != nil {
		return fmt.Errorf("googlepay: writing key set: %w", err)
	}
	return nil
}

// ReadKeySetFile reads a key set file written by [WriteKeySetFile],
// refusing one its group or other users may read or write (the error
// wraps envelope.ErrInsecureKeyFile).
func ReadKeySetFile(path string) (*KeySet, error) {
	b, err := privatefile.Read(path, 1<<20, envelope.CheckKeyFileMode)
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
