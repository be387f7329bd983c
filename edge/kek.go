package edge

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

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
	var keks []token.KEK
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(s, "#") {
			continue
		}
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			id, enc, ok := strings.Cut(f, ":")
			if !ok {
				return nil, fmt.Errorf("edge: KEK on line %d is not ID:BASE64: %w", line, ErrConfig)
			}
			secret, err := decodeBase64Any(enc)
			if err != nil {
				return nil, fmt.Errorf("edge: KEK on line %d: secret is not base64: %w", line, ErrConfig)
			}
			k, err := token.NewLocalKEK(id, secret)
			if err != nil {
				return nil, fmt.Errorf("edge: KEK on line %d: %w", line, err)
			}
			keks = append(keks, k)
		}
	}
	if len(keks) == 0 {
		return nil, fmt.Errorf("edge: no KEK found: %w", ErrConfig)
	}
	return token.NewKEKSet(keks[0], keks[1:]...)
}

func decodeBase64Any(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
