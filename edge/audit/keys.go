package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/sealpay/sealpay/edge/keyfile"
)

// ErrKeys is returned by [ParseKeys] for a malformed audit key secret.
var ErrKeys = errors.New("audit: invalid audit key")

// minKeySize is the least secret an audit key may have: HMAC-SHA256's
// security rests on the key, which must be as strong as the hash.
const minKeySize = 32

// The domain-separation strings of the MACs: an entry's link and a
// checkpoint's MAC are computed under the same key and must never be
// confused for each other.
const (
	entryDomain      = "sealpay/audit/v2 entry\x00"
	checkpointDomain = "sealpay/audit/v2 checkpoint\x00"
)

// Keys are the audit keys: the primary one MACs new entries and
// checkpoints; the others only verify what they once MACed (a rotation).
// They live outside the database — the audit_key_file natively, the
// SEALPAY_AUDIT_KEY secret on the Worker — so that whoever can write the
// database cannot forge the chain.
type Keys struct {
	primary *key
	byID    map[string]*key
}

type key struct {
	id     string
	secret []byte
}

// ParseKeys parses an audit key secret: keys as "ID:BASE64", separated by
// newlines, spaces or commas, where BASE64 (standard or URL alphabet,
// padded or not) decodes to at least 32 random bytes. The first key is the
// primary; lines starting with "#" are ignored. It is the format of the
// vault's KEK file:
//
//	(umask 077; printf 'a1:%s\n' "$(openssl rand -base64 32)" > audit.secret)
func ParseKeys(b []byte) (*Keys, error) {
	entries, err := keyfile.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("audit: key secret: %w: %w", err, ErrKeys)
	}
	ks := &Keys{byID: map[string]*key{}}
	for _, e := range entries {
		if !validKeyID(e.ID) {
			return nil, fmt.Errorf("audit: key on line %d: the id is not of [A-Za-z0-9_-]: %w", e.Line, ErrKeys)
		}
		if len(e.Secret) < minKeySize {
			return nil, fmt.Errorf("audit: key on line %d: secret has %d bytes, want at least %d: %w", e.Line, len(e.Secret), minKeySize, ErrKeys)
		}
		if ks.byID[e.ID] != nil {
			return nil, fmt.Errorf("audit: key id %q appears twice: %w", e.ID, ErrKeys)
		}
		k := &key{id: e.ID, secret: e.Secret}
		ks.byID[e.ID] = k
		if ks.primary == nil {
			ks.primary = k
		}
	}
	if ks.primary == nil {
		return nil, fmt.Errorf("audit: no audit key found: %w", ErrKeys)
	}
	return ks, nil
}

// PrimaryID returns the id of the key that MACs new entries.
func (ks *Keys) PrimaryID() string { return ks.primary.id }

// String names the keys by id only.
func (ks *Keys) String() string { return "audit.Keys(primary " + ks.primary.id + ")" }

func validKeyID(id string) bool {
	if len(id) > 32 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// mac returns HMAC-SHA256 under k of domain followed by parts.
func (k *key) mac(domain string, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte(domain))
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}
