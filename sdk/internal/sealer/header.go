package sealer

import "strconv"

// Header rules (docs/envelope-v1.md, "Header").
const (
	JTISize      = 16   // bytes of randomness in "jti"
	MaxLifetime  = 3600 // seconds: exp - iat
	maxIDLength  = 64   // "kid" and "mid"
	MaxAudLength = 256  // "aud"
)

// Header is an envelope header as sealed and as read back. Aud is "" when
// absent.
type Header struct {
	Kid, Mid string
	Iat, Exp int64
	JTI      string
	Aud      string
}

// Marshal encodes h the way [Seal] writes headers: members in the order kid,
// mid, iat, exp, jti, aud, no whitespace, strings quoted by [AppendString].
// The character sets of the string members need no JSON escaping, so the
// strings come out verbatim: what json.Marshal writes, except for '<', '>'
// and '&' in aud, which json.Marshal would escape as \u003c, \u003e and
// \u0026.
func (h Header) Marshal() []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"kid":`...)
	b = AppendString(b, h.Kid)
	b = append(b, `,"mid":`...)
	b = AppendString(b, h.Mid)
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, h.Iat, 10)
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, h.Exp, 10)
	b = append(b, `,"jti":`...)
	b = AppendString(b, h.JTI)
	if h.Aud != "" {
		b = append(b, `,"aud":`...)
		b = AppendString(b, h.Aud)
	}
	return append(b, '}')
}

// ValidKeyID reports whether s is 1 to 64 base64url characters. Sealpay's
// own key IDs are 43: an RFC 7638 SHA-256 thumbprint.
func ValidKeyID(s string) bool {
	if len(s) == 0 || len(s) > maxIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isB64URLChar(s[i]) {
			return false
		}
	}
	return true
}

// ValidMerchantID reports whether s is 1 to 64 characters of A-Z a-z 0-9
// and "_" "-" "." ":".
func ValidMerchantID(s string) bool {
	if len(s) == 0 || len(s) > maxIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isB64URLChar(c) && c != '.' && c != ':' {
			return false
		}
	}
	return true
}

// ValidOrigin reports whether s is 1 to 256 printable ASCII characters other
// than space, '"' and '\'. It is compared byte for byte, never interpreted:
// callers pin the exact origin string the browser reports, such as
// "https://shop.example".
func ValidOrigin(s string) bool {
	if len(s) == 0 || len(s) > MaxAudLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ValidJTI reports whether s is the canonical base64url of 16 bytes.
func ValidJTI(s string) bool {
	b, ok := DecodeB64(s)
	return ok && len(b) == JTISize
}

func isB64URLChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}
