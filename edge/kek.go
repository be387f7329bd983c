package edge

import (
	"fmt"

	"github.com/sealpay/sealpay/edge/keyfile"
	"github.com/sealpay/sealpay/sdk/token"
)

// ParseKEKs parses the vault's KEK secret (the kek_file, or the Worker's
// SEALPAY_KEK secret): KEKs as "ID:BASE64", separated by newlines, spaces
// or commas, where ID is the
// KEK version stored with every row and BASE64 (standard or URL alphabet,
// padded or not) decodes to at least 32 random bytes. The first is the
// primary KEK; later ones are older versions kept for reading during a
// rotation. Lines starting with "#" are ignored.
//
//	printf 'k1:%s\n' "$(openssl rand -base64 32)" > kek.secret
func ParseKEKs(b []byte) (*token.KEKSet, error) {
	entries, err := keyfile.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("edge: KEK secret: %w: %w", err, ErrConfig)
	}
	var keks []token.KEK
	for _, e := range entries {
		k, err := token.NewLocalKEK(e.ID, e.Secret)
		if err != nil {
			return nil, fmt.Errorf("edge: KEK on line %d: %w", e.Line, err)
		}
		keks = append(keks, k)
	}
	if len(keks) == 0 {
		return nil, fmt.Errorf("edge: no KEK found: %w", ErrConfig)
	}
	return token.NewKEKSet(keks[0], keks[1:]...)
}
