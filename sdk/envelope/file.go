package envelope

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"

	"github.com/sealpay/sealpay/sdk/internal/privatefile"
)

// WriteKeySetFile writes the private key set file at path with mode 0600.
// It writes a temporary file in the same directory and renames it over
// path, so a crash leaves either the old file or the new one, never half.
func WriteKeySetFile(path string, ks *KeySet) error {
	b, err := ks.MarshalPrivate()
	if err != nil {
		return err
	}
	if err := privatefile.Write(path, b); err != nil {
		return fmt.Errorf("envelope: writing key set: %w", err)
	}
	return nil
}

// ReadKeySetFile reads a private key set file written by [WriteKeySetFile].
// It refuses a file its group or other users may read or write (see
// [CheckKeyFileMode]).
func ReadKeySetFile(path string) (*KeySet, error) {
	b, err := privatefile.Read(path, maxPrivateKeySetSize, CheckKeyFileMode)
	if errors.Is(err, ErrInsecureKeyFile) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("envelope: reading key set: %w", err)
	}
	ks, err := ParseKeySet(b)
	if err != nil {
		return nil, fmt.Errorf("envelope: %s: %w", filepath.Base(path), err)
	}
	return ks, nil
}

// CheckKeyFileMode returns an error wrapping [ErrInsecureKeyFile] if the
// file described by fi, named name in the message, is open to its group or
// to other users (any of the permission bits 0077), as a file written with
// the default umask is. A private key that others on the machine can read
// is no longer private, and one they can write is theirs: the check runs
// before the file is used, like OpenSSH's for its identity files. Windows
// has no such mode bits, and the check passes there.
func CheckKeyFileMode(name string, fi fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("envelope: %s has mode %04o; make it private with chmod 600 (or write it under umask 077): %w", name, perm, ErrInsecureKeyFile)
	}
	return nil
}
