package applepay

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
		return fmt.Errorf("applepay: writing key set: %w", err)
	}
	return nil
}

// ReadKeySetFile reads a key set file written by [WriteKeySetFile],
// refusing one its group or other users may read or write (the error
// wraps envelope.ErrInsecureKeyFile).
func ReadKeySetFile(path string) (*KeySet, error) {
	b, err := privatefile.Read(path, 4<<20, envelope.CheckKeyFileMode)
	if err != nil {
		return nil, fmt.Errorf("applepay: reading key set: %w", err)
	}
	return ParseKeySet(b)
}
