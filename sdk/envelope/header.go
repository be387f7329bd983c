package envelope

import (
	"errors"
	"time"

	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// clockSkew is the number of seconds [Open] allows either way
// (docs/envelope-v1.md, "Header"). The other header rules live with the
// sealing side, in sdk/internal/sealer.
const clockSkew = 300

// header is the decoded envelope header. aud is "" when absent.
type header = sealer.Header

// Header is an opened envelope's header.
type Header struct {
	KeyID      string // "kid": the recipient key's ID
	MerchantID string // "mid"
	JTI        string // "jti": 16 random bytes, base64url; the edge accepts each once
	Audience   string // "aud": the origin of the sealing page, or "" if absent
	IssuedAt   time.Time
	ExpiresAt  time.Time
}

func exportHeader(h header) Header {
	return Header{
		KeyID:      h.Kid,
		MerchantID: h.Mid,
		JTI:        h.JTI,
		Audience:   h.Aud,
		IssuedAt:   time.Unix(h.Iat, 0).UTC(),
		ExpiresAt:  time.Unix(h.Exp, 0).UTC(),
	}
}

// parseHeader decodes and checks header JSON. Members other than kid, mid,
// iat, exp, jti and aud are refused: a new member means a new format version.
func parseHeader(b []byte) (header, error) {
	m, err := sealer.ParseObject(b)
	if err != nil {
		return header{}, err
	}
	var h header
	for name, raw := range m {
		var ok bool
		switch name {
		case "kid":
			h.Kid, ok = sealer.JSONString(raw)
			ok = ok && sealer.ValidKeyID(h.Kid)
		case "mid":
			h.Mid, ok = sealer.JSONString(raw)
			ok = ok && sealer.ValidMerchantID(h.Mid)
		case "iat":
			h.Iat, ok = sealer.JSONInt(raw)
		case "exp":
			h.Exp, ok = sealer.JSONInt(raw)
		case "jti":
			h.JTI, ok = sealer.JSONString(raw)
			ok = ok && sealer.ValidJTI(h.JTI)
		case "aud":
			h.Aud, ok = sealer.JSONString(raw)
			ok = ok && sealer.ValidOrigin(h.Aud)
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
	if h.Exp <= h.Iat || h.Exp-h.Iat > sealer.MaxLifetime {
		return header{}, errors.New("header exp must be after iat, by at most 3600 s")
	}
	return h, nil
}
