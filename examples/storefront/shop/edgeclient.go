package shop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// errEdge is returned when the edge refuses or cannot answer a call.
var errEdge = errcode.New(errcode.UpstreamError, "shop: the Sealpay edge refused or failed the request")

// edgeClient calls the edge's server-side API with the merchant's secret key.
type edgeClient struct {
	base   string // origin, no trailing slash
	secret string // sk_…
	http   *http.Client
}

// cardMeta is the card metadata the edge returns with a token: never the
// number.
type cardMeta struct {
	Brand       string `json:"brand"`
	Last4       string `json:"last4"`
	ExpMonth    int    `json:"exp_month"`
	ExpYear     int    `json:"exp_year"`
	Fingerprint string `json:"fingerprint"`
}

// edgeError is the edge's error body.
type edgeError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends one request and decodes a 2xx JSON answer into out.
func (c *edgeClient) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.secret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("shop: %s %s: edge unreachable: %w", method, routeOf(path), errEdge)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("shop: %s %s: reading the answer: %w", method, routeOf(path), errEdge)
	}
	if resp.StatusCode/100 != 2 {
		var e edgeError
		json.Unmarshal(b, &e)
		// The edge's messages never hold card data, keys or tokens.
		return fmt.Errorf("shop: %s %s: edge answered %d %s (%s): %w", method, routeOf(path), resp.StatusCode, e.Error.Code, e.Error.Message, errEdge)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("shop: %s %s: answer is not the expected JSON: %w", method, routeOf(path), errEdge)
		}
	}
	return nil
}

// routeOf names an edge path without the token it may contain.
func routeOf(path string) string {
	if strings.HasPrefix(path, "/v1/tokens/") {
		return "/v1/tokens/{token}"
	}
	return path
}

// tokenInfo fetches a token's card metadata and whether it is single-use:
// GET /v1/tokens/{token}.
func (c *edgeClient) tokenInfo(ctx context.Context, tok string) (cardMeta, bool, error) {
	var ans struct {
		Card      cardMeta `json:"card"`
		SingleUse bool     `json:"single_use"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/tokens/"+url.PathEscape(tok), nil, &ans)
	return ans.Card, ans.SingleUse, err
}

// deleteToken removes a token from the vault: DELETE /v1/tokens/{token}.
func (c *edgeClient) deleteToken(ctx context.Context, tok string) error {
	return c.do(ctx, http.MethodDelete, "/v1/tokens/"+url.PathEscape(tok), nil, nil)
}

// relayRequest is the body of POST /v1/relay.
type relayRequest struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// relayAnswer is the edge's wrapping of the provider's answer.
type relayAnswer struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// relay sends a request template through the edge, which fills in the
// card placeholders and passes it on to the provider: POST /v1/relay.
func (c *edgeClient) relay(ctx context.Context, r relayRequest) (relayAnswer, error) {
	var ans relayAnswer
	err := c.do(ctx, http.MethodPost, "/v1/relay", r, &ans)
	return ans, err
}
