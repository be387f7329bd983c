// Package keyfile parses the edge's key secrets — the vault's KEKs (the
// kek_file, or the Worker's SEALPAY_KEK) and the audit keys (the
// audit_key_file, or SEALPAY_AUDIT_KEY) — which share one format: entries
// "ID:BASE64", separated by white space or commas, where BASE64
// is standard or URL-alphabet base64, padded or not. Lines starting with
// "#" are comments. The first entry is the primary key; later ones are
// older versions kept for a rotation.
//
//	(umask 077; printf 'k1:%s\n' "$(openssl rand -base64 32)" > kek.secret)
package keyfile

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrSyntax is returned, wrapped with the line it is on, for an entry that
// is not ID:BASE64. The message never holds the secret.
var ErrSyntax = errors.New("keyfile: an entry is not ID:BASE64")

// An Entry is one key: its id, its secret, and the line it is on.
type Entry struct {
	ID     string
	Secret []byte
	Line   int
}

// Parse returns the entries of b in order. It checks the syntax only: the
// caller checks ids, sizes and duplicates for its kind of key.
func Parse(b []byte) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(s, "#") {
			continue
		}
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			id, enc, ok := strings.Cut(f, ":")
			if !ok || id == "" || id[0] == '#' { // "#…" would read back as a comment
				return nil, fmt.Errorf("line %d: %w", line, ErrSyntax)
			}
			secret, err := decode(enc)
			if err != nil {
				return nil, fmt.Errorf("line %d: the secret is not base64: %w", line, ErrSyntax)
			}
			out = append(out, Entry{ID: id, Secret: secret, Line: line})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	return out, nil
}

// decode reads standard or URL-alphabet base64, padded or not.
func decode(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
