package envelope

import (
	"errors"
	"strconv"
	"time"
)

// Header rules (docs/envelope-v1.md, "Header").
const (
	jtiSize      = 16   // bytes of randomness in "jti"
	maxLifetime  = 3600 // seconds: exp - iat
	clockSkew    = 300  // seconds allowed either way when opening
	maxIDLength  = 64   // "kid" and "mid"
	maxAudLength = 256  // "aud"
)

// header is the decoded envelope header. aud is "" when absent.
type header struct {
	kid, mid string
	iat, exp int64
	jti      string
	aud      string
}

// Header is an opened envelope's header.
type Header struct {
	KeyID      string // "kid": the recipient key's ID
	MerchantID string // "mid"
	JTI        string // "jti": 16 random bytes, base64url; the edge accepts each once
	Audience   string // "aud": the origin of the sealing page, or "" if absent
	IssuedAt   time.Time
	ExpiresAt  time.Time
}

func (h header) export() Header {
	return Header{
		KeyID:      h.kid,
		MerchantID: h.mid,
		JTI:        h.jti,
		Audience:   h.aud,
		IssuedAt:   time.Unix(h.iat, 0).UTC(),
		ExpiresAt:  time.Unix(h.exp, 0).UTC(),
	}
}

// parseHeader decodes and checks header JSON. Members other than kid, mid,
// iat, exp, jti and aud are refused: a new member means a new format version.
func parseHeader(b []byte) (header, error) {
	m, err := parseObject(b)
	if err != nil {
		return header{}, err
	}
	var h header
	for name, raw := range m {
		var ok bool
		switch name {
		case "kid":
			h.kid, ok = jsonString(raw)
			ok = ok && validKeyID(h.kid)
		case "mid":
			h.mid, ok = jsonString(raw)
			ok = ok && validMerchantID(h.mid)
		case "iat":
			h.iat, ok = jsonInt(raw)
		case "exp":
			h.exp, ok = jsonInt(raw)
		case "jti":
			h.jti, ok = jsonString(raw)
			ok = ok && validJTI(h.jti)
		case "aud":
			h.aud, ok = jsonString(raw)
			ok = ok && validOrigin(h.aud)
		default:
			return header{}, errors.New("unknown header member")
		}
		if !ok {
			return header{}, errors.New("header member " + name + " is malformed")
		}
	}
	for _, name := range [...]string{"kid", "mid", "iat", "exp", "jti"} {
		if _, ok := m[name]; !ok {
			return header{}, errors.New("header member " + name + " is missing")
		}
	}
	if h.exp <= h.iat || h.exp-h.iat > maxLifetime {
		return header{}, errors.New("header exp must be after iat, by at most 3600 s")
	}
	return h, nil
}

// marshal encodes h the way [Seal] writes headers: members in the order kid,
// mid, iat, exp, jti, aud, no whitespace, strings quoted by [appendString].
// The character sets of the string members need no JSON escaping, so the
// strings come out verbatim: what json.Marshal writes, except for '<', '>'
// and '&' in aud, which json.Marshal would escape as \u003c, \u003e and
// \u0026.
func (h header) marshal() []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"kid":`...)
	b = appendString(b, h.kid)
	b = append(b, `,"mid":`...)
	b = appendString(b, h.mid)
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, h.iat, 10)
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, h.exp, 10)
	b = append(b, `,"jti":`...)
	b = appendString(b, h.jti)
	if h.aud != "" {
		b = append(b, `,"aud":`...)
		b = appendString(b, h.aud)
	}
	return append(b, '}')
}

// validKeyID reports whether s is 1 to 64 base64url characters. Sealpay's
// own key IDs are 43: an RFC 7638 SHA-256 thumbprint.
func validKeyID(s string) bool {
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

// validMerchantID reports whether s is 1 to 64 characters of A-Z a-z 0-9
// and "_" "-" "." ":".
func validMerchantID(s string) bool {
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

// validOrigin reports whether s is 1 to 256 printable ASCII characters other
// than space, '"' and '\'. It is compared byte for byte, never interpreted:
// callers pin the exact origin string the browser reports, such as
// "https://shop.example".
func validOrigin(s string) bool {
	if len(s) == 0 || len(s) > maxAudLength {
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

// validJTI reports whether s is the canonical base64url of 16 bytes.
func validJTI(s string) bool {
	b, ok := decodeB64(s)
	return ok && len(b) == jtiSize
}

func isB64URLChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}
