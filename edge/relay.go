package edge

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/token"
)

// errRelayHost is returned when a relay names a host no relay route of the
// merchant names, a scheme other than https, or a URL with credentials:
// the request is well formed, but the edge will not send card data there.
var errRelayHost = errcode.New(errcode.RelayHostForbidden, "edge: relay URL host is not on the merchant's allowlist (https only, no credentials)")

// errRelayRoute is returned when no relay route of the merchant allows a
// relay's method and path, or its body is not in the route's format.
var errRelayRoute = errcode.New(errcode.RelayRouteForbidden, "edge: no relay route of the merchant allows this request")

// relayRequest is the body of POST /v1/relay.
type relayRequest struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// relayAnswer wraps the provider's answer, with card numbers and CVCs redacted.
type relayAnswer struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// droppedRelayHeaders are request headers a relay may not set (keys in
// http.CanonicalHeaderKey form). The edge sets Content-Type (from the
// route) and Accept-Encoding (identity) itself. The method and path
// overrides that web frameworks and proxies honour are dropped too: with
// them the filled request would run as a method, or on a path, that no
// relay route allows.
var droppedRelayHeaders = map[string]bool{
	"Host": true, "Content-Length": true, "Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Keep-Alive": true, "Expect": true, "Cookie": true,
	"Accept-Encoding": true, "Content-Type": true, "Content-Encoding": true,
	"X-Http-Method-Override": true, "X-Http-Method": true, "X-Method-Override": true,
	"X-Original-Method": true, "X-Original-Url": true, "X-Rewrite-Url": true,
	"X-Forwarded-Prefix": true, "X-Forwarded-Path": true,
}

// relayedHeaders are the provider's response headers passed back.
var relayedHeaders = []string{"Content-Type", "Request-Id", "X-Request-Id", "Idempotency-Key", "Retry-After", "Location"}

// contentTypes are the Content-Types the edge sends for each route format.
var contentTypes = map[token.Format]string{
	token.FormatJSON: "application/json",
	token.FormatForm: "application/x-www-form-urlencoded",
}

// maxAuditPath bounds the path recorded in a relay's audit entry.
const maxAuditPath = 256

// relayTarget is a relay's audit target: its method, host and path,
// never its query ("POST api.psp.example/v1/charges").
func relayTarget(method string, u *url.URL) string {
	if len(method) > 10 || strings.Trim(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		method = "-"
	}
	return method + " " + u.Host + auditPath(u)
}

// auditPath is u's escaped path as the audit log and events name it:
// never the query, cut at maxAuditPath.
func auditPath(u *url.URL) string {
	path := u.EscapedPath()
	if len(path) > maxAuditPath {
		path = path[:maxAuditPath] + "…"
	}
	return path
}

// relay answers POST /v1/relay: fill the template with card data from the
// vault and send it to one of the merchant's relay routes.
func (h *Handler) relay(c *call) (*response, error) {
	var req relayRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return nil, err
	}
	u, err := url.Parse(req.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("edge: relay \"url\" is not an absolute URL: %w", ErrBadRequest)
	}
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodPost
	}
	c.target = relayTarget(method, u)
	if u.User != nil || !c.merchant.relayHosts[u.Host] ||
		!(u.Scheme == "https" || u.Scheme == "http" && c.merchant.AllowLoopbackHTTP && isLoopbackHost(u.Hostname())) {
		return nil, errRelayHost
	}
	if strings.Contains(req.URL, "{{") {
		return nil, fmt.Errorf("edge: placeholders are only filled in the relay body: %w", ErrBadRequest)
	}
	if !relayMethods[method] {
		return nil, fmt.Errorf("edge: relay method must be POST, PUT or PATCH: %w", ErrBadRequest)
	}
	for k, v := range req.Headers {
		if strings.Contains(k+v, "{{") {
			return nil, fmt.Errorf("edge: placeholders are only filled in the relay body: %w", ErrBadRequest)
		}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	route := c.merchant.matchRelayRoute(method, u.Host, path)
	if route == nil {
		return nil, fmt.Errorf("edge: no relay route allows %s on this path of %s: %w", method, u.Host, errRelayRoute)
	}
	if f := token.TemplateFormat([]byte(req.Body)); f != route.format {
		return nil, fmt.Errorf("edge: the relay route's body format is %s, the template's %s: %w", route.format, f, errRelayRoute)
	}
	if overridesMethod(u, route.format, req.Body) {
		return nil, fmt.Errorf("edge: a relay may not name another method with _method: %w", errRelayRoute)
	}
	placements, err := token.Placements([]byte(req.Body))
	if err != nil {
		return nil, err
	}
	for i, p := range placements {
		if !route.allows(p.At, p.Field) {
			// The place is named by position: member names are the
			// merchant's text and could hold anything.
			return nil, fmt.Errorf("edge: placeholder %d (%s) stands where the relay route does not allow it: %w", i+1, p.Field, token.ErrPlacement)
		}
	}
	ctx := c.r.Context()
	c.tokens = tokensIn(req.Body)
	// The single-use tokens it consumes, the CVCs it takes and the audit
	// entry are one unit, durable before anything is sent: a crash cannot
	// give a CVC out twice, and a relay whose second token fails takes
	// nothing from the first.
	body, secrets, err := h.vault.FillSecrets(dbContext(ctx), c.merchant.ID, []byte(req.Body), h.success(c, "relay"))
	if err != nil {
		return nil, err
	}
	// From here on card data has left the vault: a failure is relay.failed,
	// queued with the failure's audit entry.
	resp, err := h.relaySend(c, method, u, route, req.Headers, body, secrets)
	if err != nil {
		h.relayFailedEvent(c, method, u, err)
	}
	return resp, err
}

// relaySend sends a filled relay and wraps the provider's answer, redacted.
func (h *Handler) relaySend(c *call, method string, u *url.URL, route *RelayRoute, headers map[string]string, body []byte, secrets token.Revealed) (*response, error) {
	ctx := c.r.Context()
	out, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("edge: relay request: %w", ErrBadRequest)
	}
	for k, v := range headers {
		ck := http.CanonicalHeaderKey(k)
		// Rack, PHP and CGI read '_' in a name as '-'.
		if nk := http.CanonicalHeaderKey(strings.ReplaceAll(k, "_", "-")); droppedRelayHeaders[nk] || strings.HasPrefix(nk, "Sealpay-") {
			continue
		}
		out.Header.Set(ck, v)
	}
	out.Header.Set("Content-Type", contentTypes[route.format])
	// Identity only: the answer must be redacted as the text it is, and a
	// compressed answer would hide the card numbers it echoes.
	out.Header.Set("Accept-Encoding", "identity")
	if out.Header.Get("User-Agent") == "" {
		out.Header.Set("User-Agent", "Sealpay-Edge/1")
	}
	resp, err := h.client.Do(out)
	if err != nil {
		return nil, fmt.Errorf("edge: relay to %s: provider unreachable: %w", u.Host, errUpstream)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxUpstreamBody+1))
	if err != nil || len(rb) > maxUpstreamBody {
		return nil, fmt.Errorf("edge: relay to %s: answer unreadable or over 1 MiB: %w", u.Host, errUpstream)
	}
	if rb, err = decodeRelayAnswer(resp.Header.Get("Content-Encoding"), rb); err != nil {
		return nil, fmt.Errorf("edge: relay to %s: %w", u.Host, err)
	}
	if err := checkRelayCharset(resp.Header.Get("Content-Type"), rb); err != nil {
		return nil, fmt.Errorf("edge: relay to %s: %w", u.Host, err)
	}
	if route.response != nil {
		rb = filterAnswer(rb, route.response)
	}
	ans := relayAnswer{Status: resp.StatusCode, Headers: map[string]string{}, Body: string(redactRelay(rb, secrets))}
	for _, k := range relayedHeaders {
		if v := resp.Header.Get(k); v != "" {
			ans.Headers[strings.ToLower(k)] = string(redactRelay([]byte(v), secrets))
		}
	}
	return &response{status: http.StatusOK, body: ans}, nil
}

// decodeRelayAnswer returns a provider's answer as the text to redact.
// The edge asks for identity, but a provider may compress anyway: gzip
// (the one coding HTTP servers send unasked) is decoded, also when the
// body starts with gzip's magic bytes and says nothing; any other coding
// is refused, since redaction cannot see into it. On the Worker the
// platform's fetch may already have decoded a gzip body it still labels
// gzip: a body labelled gzip without the magic bytes is such a body.
func decodeRelayAnswer(coding string, b []byte) ([]byte, error) {
	coding = strings.ToLower(strings.TrimSpace(coding))
	switch coding {
	case "", "identity", "gzip", "x-gzip":
	default:
		return nil, fmt.Errorf("answer in content coding %q, which the edge does not decode: %w", coding, errUpstream)
	}
	if !isGzip(b) {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("answer is not valid gzip: %w", errUpstream)
	}
	zr.Multistream(false)
	d, err := io.ReadAll(io.LimitReader(zr, maxUpstreamBody+1))
	if err != nil {
		return nil, fmt.Errorf("answer is not valid gzip: %w", errUpstream)
	}
	if len(d) > maxUpstreamBody {
		return nil, fmt.Errorf("answer is over 1 MiB once decompressed: %w", errUpstream)
	}
	if isGzip(d) {
		return nil, fmt.Errorf("answer is compressed twice: %w", errUpstream)
	}
	return d, nil
}

// checkRelayCharset refuses an answer whose text the redactor cannot read
// as digits: one whose Content-Type names a charset other than UTF-8 or
// an ASCII-compatible one, or that holds a zero byte, which text in
// UTF-8 never does and every digit in UTF-16 or UTF-32 is next to. A
// relay's headers may ask for another charset (Accept-Charset), and a
// provider that honours it would spell the card number "4\x002\x00…".
func checkRelayCharset(contentType string, b []byte) error {
	if contentType != "" {
		_, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			return fmt.Errorf("answer's Content-Type is malformed: %w", errUpstream)
		}
		if cs, ok := params["charset"]; ok && !asciiCharsets[strings.ToLower(cs)] {
			// Not named: the provider's text could hold anything.
			return fmt.Errorf("answer in a charset the edge does not redact: %w", errUpstream)
		}
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return fmt.Errorf("answer holds zero bytes (UTF-16 or binary), which the edge does not redact: %w", errUpstream)
	}
	return nil
}

// asciiCharsets are the charsets in which digits are the ASCII bytes
// '0'–'9', as the redactor reads them.
var asciiCharsets = map[string]bool{
	"utf-8": true, "utf8": true, "us-ascii": true, "ascii": true,
	"iso-8859-1": true, "latin1": true, "windows-1252": true,
}

// isGzip reports whether b starts with gzip's magic bytes (RFC 1952).
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// redactRelay masks the revealed card numbers (and any Luhn-valid run),
// the revealed CVCs and the revealed wallet cryptograms in a provider's
// answer.
func redactRelay(b []byte, s token.Revealed) []byte {
	return token.RedactRevealed(b, s)
}

// tokensIn lists the token ids a template names, for the audit log.
func tokensIn(template string) []string {
	var out []string
	seen := map[string]bool{}
	for rest := template; ; {
		i := strings.Index(rest, "{{tok_")
		if i < 0 {
			return out
		}
		rest = rest[i+2:]
		tok, _, _ := strings.Cut(rest, ":")
		if token.ValidTokenID(tok) && !seen[tok] {
			seen[tok] = true
			out = append(out, tok)
		}
	}
}

// overridesMethod reports whether a relay names a method other than its
// own the way web frameworks read one: a _method query parameter (Laravel,
// Symfony) or top-level body member or form field (Rails). A route that
// allows POST on a path would otherwise run a PUT or DELETE there. Names
// are compared case-insensitively; a body that does not parse has no
// members to check (its placeholders then fail on their own).
func overridesMethod(u *url.URL, format token.Format, body string) bool {
	for k := range u.Query() {
		if strings.EqualFold(k, "_method") {
			return true
		}
	}
	var names []string
	switch format {
	case token.FormatForm:
		q, _ := url.ParseQuery(body)
		for k := range q {
			names = append(names, k)
		}
	default:
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &m) == nil {
			for k := range m {
				names = append(names, k)
			}
		}
	}
	for _, k := range names {
		if strings.EqualFold(k, "_method") {
			return true
		}
	}
	return false
}
