package shop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// SignatureTolerance is how far a forwarded request's timestamp may be
// from the backend's clock. It bounds how long a captured request could be
// replayed; the backend also refuses an order id it has already seen.
const SignatureTolerance = 5 * time.Minute

// ErrBadSignature is returned by [VerifySignature] when the
// Sealpay-Signature header is missing, malformed, too old or does not
// match the body.
var ErrBadSignature = errcode.New(errcode.Unauthorized, "shop: missing or invalid Sealpay-Signature")

// VerifySignature checks the Sealpay-Signature header the edge puts on a
// forwarded request:
//
//	Sealpay-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
//
// Several v1 values may be present (while the signing secret is being
// rotated); one matching is enough. The comparison is constant-time.
//
// The repository's sdk/webhook package is meant to provide this check;
// until it does, the example carries its own.
func VerifySignature(secret []byte, header string, body []byte, now time.Time) error {
	if len(secret) == 0 {
		return errors.New("shop: no signing secret configured")
	}
	var ts int64
	var sigs [][]byte
	haveT := false
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("shop: signature header element is not key=value: %w", ErrBadSignature)
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || haveT {
				return fmt.Errorf("shop: signature timestamp is not one integer: %w", ErrBadSignature)
			}
			ts, haveT = n, true
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return fmt.Errorf("shop: v1 signature is not 64 hex digits: %w", ErrBadSignature)
			}
			sigs = append(sigs, b)
		}
	}
	if !haveT || len(sigs) == 0 {
		return fmt.Errorf("shop: signature header lacks t= or v1=: %w", ErrBadSignature)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return fmt.Errorf("shop: signature timestamp is %s away from now: %w", d.Round(time.Second), ErrBadSignature)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return fmt.Errorf("shop: no v1 signature matches the body: %w", ErrBadSignature)
}

// Sign computes a Sealpay-Signature header value for body at time t, as
// the edge does. Tests use it to forge requests with the right secret.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
