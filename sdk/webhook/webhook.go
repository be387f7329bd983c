// Package webhook signs and verifies the requests the Sealpay edge forwards
// to a merchant's backend.
//
// For most uses, a merchant's server calls [VerifySignature] with the
// request's [Header] value, the raw body, the route's secret and
// [DefaultTolerance], and refuses the request if it returns an error. The
// edge signs with [SignRequest].
//
// The header is
//
//	Sealpay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t "." body)>
//
// with one v1 per secret while a secret is being rotated: the edge signs
// with the old and the new secret, and a receiver holding either accepts.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// Header is the name of the signature header.
const Header = "Sealpay-Signature"

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock, either way. It bounds how long a captured request can
// be replayed; receivers that must refuse every replay also record the
// request's own id.
const DefaultTolerance = 5 * time.Minute

// Errors from [VerifySignature]. They all carry [errcode.Unauthorized].
var (
	// ErrMalformedHeader is returned for a header that does not follow the
	// grammar: exactly one t (decimal Unix seconds), v1 values of 64
	// lower-case hex digits, items "key=value" separated by single commas.
	ErrMalformedHeader = errcode.New(errcode.Unauthorized, "webhook: malformed Sealpay-Signature header")

	// ErrNoValidSignature is returned when no v1 value matches the body,
	// timestamp and secret.
	ErrNoValidSignature = errcode.New(errcode.Unauthorized, "webhook: no valid signature")

	// ErrStale is returned for a valid signature whose timestamp is
	// further than the tolerance from now.
	ErrStale = errcode.New(errcode.Unauthorized, "webhook: signature timestamp outside the tolerance")
)

// maxHeader and maxSignatures bound the work a header can ask for.
const (
	maxHeader     = 1024
	maxSignatures = 8
)

// SignRequest returns the Sealpay-Signature header value for body at now.
// secret should be at least 32 random bytes.
func SignRequest(secret, body []byte, now time.Time) string {
	return SignRequestRotating([][]byte{secret}, body, now)
}

// SignRequestRotating signs body with each secret, for the window in which
// a route's secret is being replaced: receivers holding any of them accept.
func SignRequestRotating(secrets [][]byte, body []byte, now time.Time) string {
	t := now.Unix()
	sigs := make([][]byte, len(secrets))
	for i, s := range secrets {
		sigs[i] = mac(s, t, body)
	}
	return formatHeader(t, sigs)
}

// VerifySignature checks header against body and secret at now. A
// tolerance of zero or less means [DefaultTolerance]. The comparison is in
// constant time, and the signature is checked before the timestamp, so a
// forger learns nothing from which error comes back.
func VerifySignature(header string, body []byte, secret []byte, tolerance time.Duration, now time.Time) error {
	if len(secret) == 0 {
		return fmt.Errorf("webhook: empty secret: %w", ErrNoValidSignature)
	}
	t, sigs, err := parseHeader(header)
	if err != nil {
		return err
	}
	want := mac(secret, t, body)
	ok := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			ok = true
		}
	}
	if !ok {
		return ErrNoValidSignature
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}

func mac(secret []byte, t int64, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(strconv.AppendInt(nil, t, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

func formatHeader(t int64, sigs [][]byte) string {
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(strconv.FormatInt(t, 10))
	for _, s := range sigs {
		b.WriteString(",v1=")
		b.WriteString(hex.EncodeToString(s))
	}
	return b.String()
}

// parseHeader returns the timestamp and the v1 signatures; items of other
// schemes are skipped, so that a future v2 can be added alongside.
func parseHeader(h string) (t int64, sigs [][]byte, err error) {
	bad := func(what string) (int64, [][]byte, error) {
		return 0, nil, fmt.Errorf("webhook: %s: %w", what, ErrMalformedHeader)
	}
	if len(h) > maxHeader {
		return bad("header too long")
	}
	seenT := false
	for _, item := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			return bad("item is not key=value")
		}
		switch k {
		case "t":
			if seenT || !decimal(v) {
				return bad("want one t of decimal digits")
			}
			seenT = true
			t, err = strconv.ParseInt(v, 10, 64)
			if err != nil {
				return bad("timestamp out of range")
			}
		case "v1":
			if len(v) != 2*sha256.Size || !lowerHex(v) {
				return bad("v1 must be 64 lower-case hex digits")
			}
			if len(sigs) == maxSignatures {
				return bad("too many signatures")
			}
			s, _ := hex.DecodeString(v)
			sigs = append(sigs, s)
		default:
			if strings.ContainsAny(k, " \t") {
				return bad("whitespace in a key")
			}
		}
	}
	if !seenT {
		return bad("no t")
	}
	return t, sigs, nil
}

func decimal(s string) bool {
	if len(s) == 0 || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
