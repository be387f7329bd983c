package edge

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/token"
)

// errRelayHost is returned when a relay names a host outside the merchant's
// allowlist, a scheme other than https, or a URL with credentials: the
// request is well formed, but the edge will not send card data there.
var errRelayHost = errcode.New(errcode.RelayHostForbidden, "edge: relay URL host is not on the merchant's allowlist (https only, no credentials)")

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

// droppedRelayHeaders are request headers a relay may not set.
var droppedRelayHeaders = map[string]bool{
	"Host": true, "Content-Length": true, "Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Keep-Alive": true, "Expect": true, "Cookie": true,
}

// relayedHeaders are the provider's response headers passed back.
var relayedHeaders = []string{"Content-Type", "Request-Id", "X-Request-Id", "Idempotency-Key", "Retry-After", "Location"}

// relay answers POST /v1/relay: fill the template with card data from the
// vault and send it to an allowed host of the merchant's payment provider.
func (h *Handler) relay(c *call) (*response, error) {
	var req relayRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return nil, err
	}
	u, err := url.Parse(req.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("edge: relay \"url\" is not an absolute URL: %w", ErrBadRequest)
	}
	c.target = u.Host
	if u.User != nil || !c.merchant.relayHosts[u.Host] ||
		!(u.Scheme == "https" || u.Scheme == "http" && c.merchant.AllowLoopbackHTTP && isLoopbackHost(u.Hostname())) {
		return nil, errRelayHost
	}
	if strings.Contains(req.URL, "{{") {
		return nil, fmt.Errorf("edge: placeholders are only filled in the relay body: %w", ErrBadRequest)
	}
	method := strings.ToUpper(req.Method)
	switch method {
	case "":
		method = http.MethodPost
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil, fmt.Errorf("edge: relay method must be POST, PUT or PATCH: %w", ErrBadRequest)
	}
	for k, v := range req.Headers {
		if strings.Contains(k+v, "{{") {
			return nil, fmt.Errorf("edge: placeholders are only filled in the relay body: %w", ErrBadRequest)
		}
	}
	ctx := c.r.Context()
	c.tokens = tokensIn(req.Body)
	// The single-use tokens it consumes, the CVCs it takes and the audit
	// entry are one unit, durable before anything is sent: a crash cannot
	// give a CVC out twice, and a relay whose second token fails takes
	// nothing from the first.
	body, numbers, cvcs, err := h.vault.FillWith(dbContext(ctx), c.merchant.ID, []byte(req.Body), h.success(c, "relay"))
	if err != nil {
		return nil, err
	}
	out, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("edge: relay request: %w", ErrBadRequest)
	}
	for k, v := range req.Headers {
		ck := http.CanonicalHeaderKey(k)
		if droppedRelayHeaders[ck] || strings.HasPrefix(ck, "Sealpay-") {
			continue
		}
		out.Header.Set(ck, v)
	}
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
	ans := relayAnswer{Status: resp.StatusCode, Headers: map[string]string{}, Body: string(redactRelay(rb, numbers, cvcs))}
	for _, k := range relayedHeaders {
		if v := resp.Header.Get(k); v != "" {
			ans.Headers[strings.ToLower(k)] = string(redactRelay([]byte(v), numbers, cvcs))
		}
	}
	return &response{status: http.StatusOK, body: ans}, nil
}

// redactRelay masks the revealed card numbers (and any Luhn-valid run)
// and the revealed CVCs in a provider's answer.
func redactRelay(b []byte, numbers, cvcs []string) []byte {
	return token.RedactCVCs(token.Redact(b, numbers), cvcs)
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
