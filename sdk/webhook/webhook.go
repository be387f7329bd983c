// Package webhook signs and verifies the requests the Sealpay edge forwards
// to a merchant's backend, and the events it sends to the merchant.
//
// For most uses, a merchant's server calls [VerifyRequest] with the
// request, its raw body, the route's secret and [DefaultTolerance], refuses
// the request if it returns an error, and charges only the tokens the
// answer vouches for ([Verified.Vouches]). The edge signs with
// [SignForward]. Its events endpoint is an [EventHandler] (or
// [VerifyEvent] and a [Deduplicator]); the edge signs them with
// [SignEvent].
//
// The header is
//
//	Sealpay-Signature: t=<unix seconds>,v1=<hex MAC>,v2=<hex MAC>
//
// v2 is HMAC-SHA256(secret, canonical) over
//
//	"sealpay/forward/v2" LF t LF method LF route LF path LF tokens LF body
//
// where route is the Sealpay-Route header, path the request target
// (escaped path and query), and tokens the Sealpay-Tokens header: the
// tokens the edge minted from envelopes in this request, comma-separated.
// v1 is the older HMAC-SHA256(secret, t "." body), which covers only the
// body; [VerifySignature] checks it. There is one value of each scheme per
// secret while a secret is being rotated: the edge signs with the old and
// the new secret, and a receiver holding either accepts.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// Header is the name of the signature header.
const Header = "Sealpay-Signature"

// RouteHeader names the edge's forward route a request came through, and
// TokensHeader the tokens the edge minted for it (comma-separated, in the
// order they first appear in the body; empty if none). v2 signatures
// cover both.
const (
	RouteHeader  = "Sealpay-Route"
	TokensHeader = "Sealpay-Tokens"
)

// v2Context separates v2 MACs from v1 ones (whose input starts with a
// digit) and from any other use of the secret.
const v2Context = "sealpay/forward/v2"

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock, either way. It bounds how long a captured request can
// be replayed; receivers that must refuse every replay also record the
// request's own id.
const DefaultTolerance = 5 * time.Minute

// Errors from [VerifySignature]. They all carry [errcode.Unauthorized].
var (
	// ErrMalformedHeader is returned for a header that does not follow the
	// grammar: exactly one t (decimal Unix seconds), v1 and v2 values of 64
	// lower-case hex digits, items "key=value" separated by single commas.
	// [VerifyRequest] also returns it for a Sealpay-Route, Sealpay-Tokens
	// or request target that holds a line feed.
	ErrMalformedHeader = errcode.New(errcode.Unauthorized, "webhook: malformed Sealpay-Signature header")

	// ErrNoValidSignature is returned when no value of the scheme checked
	// (v1 for [VerifySignature], v2 for [VerifyRequest]) matches the
	// request, timestamp and secret.
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

// SignRequest returns a v1-only Sealpay-Signature header value for body
// at now. secret should be at least 32 random bytes.
//
// Deprecated: v1 covers neither the method, the route, the path nor the
// tokens the edge minted. The edge signs with [SignForward].
func SignRequest(secret, body []byte, now time.Time) string {
	return SignRequestRotating([][]byte{secret}, body, now)
}

// SignRequestRotating signs body with each secret (v1 only), for the
// window in which a route's secret is being replaced: receivers holding
// any of them accept.
//
// Deprecated: use [SignForward].
func SignRequestRotating(secrets [][]byte, body []byte, now time.Time) string {
	t := now.Unix()
	sigs := make([][]byte, len(secrets))
	for i, s := range secrets {
		sigs[i] = mac(s, t, body)
	}
	return formatHeader(t, sigs, nil)
}

// Message is what a v2 signature covers besides its timestamp: one
// forwarded request as the backend receives it.
type Message struct {
	// Method is the request method, "POST" for every forward.
	Method string
	// Route is the edge's forward route name (the Sealpay-Route header).
	Route string
	// Path is the request target: the escaped path and, if there is one,
	// "?" and the query (url.URL.RequestURI), as the edge sent it.
	Path string
	// Tokens is the Sealpay-Tokens header value: the tokens the edge
	// minted for this request, comma-separated, "" for none.
	Tokens string
	// Body is the request body, byte for byte.
	Body []byte
}

// canonical returns the v2 MAC input of m at t, or an error if a field
// that a line feed ends holds one (the body, last, may hold anything).
func (m Message) canonical(t int64) ([]byte, error) {
	for _, f := range []string{m.Method, m.Route, m.Path, m.Tokens} {
		if strings.IndexByte(f, '\n') >= 0 {
			return nil, fmt.Errorf("webhook: line feed in the method, route, path or tokens: %w", ErrMalformedHeader)
		}
	}
	b := make([]byte, 0, len(v2Context)+len(m.Method)+len(m.Route)+len(m.Path)+len(m.Tokens)+len(m.Body)+26)
	b = append(b, v2Context...)
	b = append(b, '\n')
	b = strconv.AppendInt(b, t, 10)
	for _, f := range []string{m.Method, m.Route, m.Path, m.Tokens} {
		b = append(b, '\n')
		b = append(b, f...)
	}
	b = append(b, '\n')
	return append(b, m.Body...), nil
}

// SignForward returns the Sealpay-Signature header value for m at now: a
// v1 and a v2 value per secret (the first secret is the current one; more
// than one while a route's secret is being replaced). v1 is kept so that
// receivers still checking it keep working; v2 is what [VerifyRequest]
// checks. It fails only if m's method, route, path or tokens hold a line
// feed.
func SignForward(secrets [][]byte, m Message, now time.Time) (string, error) {
	t := now.Unix()
	in, err := m.canonical(t)
	if err != nil {
		return "", err
	}
	v1 := make([][]byte, len(secrets))
	v2 := make([][]byte, len(secrets))
	for i, s := range secrets {
		v1[i] = mac(s, t, m.Body)
		v2[i] = macV2(s, in)
	}
	return formatHeader(t, v1, v2), nil
}

// Verified is what [VerifyRequest] vouches for.
type Verified struct {
	// Route is the edge's forward route the request came through.
	Route string
	// Tokens are the tokens the edge minted from envelopes in this
	// request. Any other token id, card number or value in the body is
	// whatever the page sent: the edge does not vouch for it.
	Tokens []string
	// Time is the signature's timestamp.
	Time time.Time
}

// Vouches reports whether the edge minted tok for this request.
func (v *Verified) Vouches(tok string) bool {
	for _, t := range v.Tokens {
		if t == tok {
			return tok != ""
		}
	}
	return false
}

// VerifyRequest checks the v2 signature of r, a request the edge
// forwarded, whose body the caller has read in full into body, with
// secret at now. It covers r's method, its request target as received
// (r.RequestURI, or r.URL.RequestURI() if that is empty), and its
// Sealpay-Route and Sealpay-Tokens headers. A tolerance of zero or less
// means [DefaultTolerance]. A backend behind a proxy that rewrites the
// path checks with [VerifyMessage] and the path the edge was configured
// with instead.
func VerifyRequest(r *http.Request, body, secret []byte, tolerance time.Duration, now time.Time) (*Verified, error) {
	path := r.RequestURI
	if path == "" {
		path = r.URL.RequestURI()
	}
	m := Message{
		Method: r.Method,
		Route:  r.Header.Get(RouteHeader),
		Path:   path,
		Tokens: r.Header.Get(TokensHeader),
		Body:   body,
	}
	return VerifyMessage(r.Header.Get(Header), m, secret, tolerance, now)
}

// VerifyMessage checks the v2 values of header against m and secret at
// now, as [VerifyRequest] does, and returns what the edge vouches for.
func VerifyMessage(header string, m Message, secret []byte, tolerance time.Duration, now time.Time) (*Verified, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("webhook: empty secret: %w", ErrNoValidSignature)
	}
	t, _, sigs, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	in, err := m.canonical(t)
	if err != nil {
		return nil, err
	}
	if err := check(sigs, macV2(secret, in), t, tolerance, now); err != nil {
		return nil, err
	}
	v := &Verified{Route: m.Route, Time: time.Unix(t, 0)}
	if m.Tokens != "" {
		v.Tokens = strings.Split(m.Tokens, ",")
	}
	return v, nil
}

// VerifySignature checks the v1 values of header against body and secret
// at now. A
// tolerance of zero or less means [DefaultTolerance]. The comparison is in
// constant time, and the signature is checked before the timestamp, so a
// forger learns nothing from which error comes back.
//
// Deprecated: v1 covers only the body and the timestamp: a captured
// request verifies on another route or path of the same backend, and
// nothing says which token ids in it the edge minted. Use
// [VerifyRequest].
func VerifySignature(header string, body []byte, secret []byte, tolerance time.Duration, now time.Time) error {
	if len(secret) == 0 {
		return fmt.Errorf("webhook: empty secret: %w", ErrNoValidSignature)
	}
	t, sigs, _, err := parseHeader(header)
	if err != nil {
		return err
	}
	return check(sigs, mac(secret, t, body), t, tolerance, now)
}

// check compares every one of sigs with want in constant time, then the
// timestamp t with now.
func check(sigs [][]byte, want []byte, t int64, tolerance time.Duration, now time.Time) error {
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

func macV2(secret, canonical []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(canonical)
	return h.Sum(nil)
}

func formatHeader(t int64, v1, v2 [][]byte) string {
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(strconv.FormatInt(t, 10))
	for _, s := range v1 {
		b.WriteString(",v1=")
		b.WriteString(hex.EncodeToString(s))
	}
	for _, s := range v2 {
		b.WriteString(",v2=")
		b.WriteString(hex.EncodeToString(s))
	}
	return b.String()
}

// parseHeader returns the timestamp and the v1 and v2 signatures; items of
// other schemes are skipped, so that a later scheme can be added alongside.
func parseHeader(h string) (t int64, v1, v2 [][]byte, err error) {
	bad := func(what string) (int64, [][]byte, [][]byte, error) {
		return 0, nil, nil, fmt.Errorf("webhook: %s: %w", what, ErrMalformedHeader)
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
		case "v1", "v2":
			if len(v) != 2*sha256.Size || !lowerHex(v) {
				return bad(k + " must be 64 lower-case hex digits")
			}
			if len(v1)+len(v2) == maxSignatures {
				return bad("too many signatures")
			}
			s, _ := hex.DecodeString(v)
			if k == "v1" {
				v1 = append(v1, s)
			} else {
				v2 = append(v2, s)
			}
		default:
			if strings.ContainsAny(k, " \t") {
				return bad("whitespace in a key")
			}
		}
	}
	if !seenT {
		return bad("no t")
	}
	return t, v1, v2, nil
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
