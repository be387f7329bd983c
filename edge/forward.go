package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/wallet"
	"github.com/sealpay/sealpay/sdk/webhook"
)

// maxUpstreamBody caps what the edge reads back from a backend or provider.
const maxUpstreamBody = 1 << 20

// maxForwardEnvelopes bounds how many envelopes and wallet tokens one
// forwarded body may carry.
const maxForwardEnvelopes = 8

var (
	errUpstream = errcode.New(errcode.UpstreamError, "edge: the upstream server could not be reached or failed")
	errInternal = errcode.New(errcode.Internal, "internal error")
	errNoRoute  = errcode.New(errcode.NotFound, "edge: no such forward route")
)

// forward answers POST /v1/forward/{route}.
//
// Every string value of the JSON body that starts with "sp1." is an
// envelope, and every one that is a Google Pay token (looksLikeGooglePayToken)
// a wallet payment: each is replaced by its token. A body that holds what looks like a card number outside them
// is refused (unsealed_card_number) before anything else. The envelopes
// are opened first, then stored in one unit with the audit entry: every
// token, or — if one card is bad or one jti was used — none, and no jti
// burned. Only then is the rewritten body signed and sent to the
// merchant's backend, naming the tokens the edge minted
// (Sealpay-Tokens) under a v2 signature that covers them, the method, the
// route and the path; if the backend cannot be reached, the new tokens
// are deleted again, since nobody ever learned them.
func (h *Handler) forward(c *call) (*response, error) {
	name := c.r.PathValue("route")
	c.target = name
	dst, ok := c.merchant.routes[name]
	if !ok {
		return nil, errNoRoute
	}
	// Pass 1: check the JSON and collect the envelopes; what is left
	// without them must hold no card number.
	var envs, wallets []string
	seen := map[string]bool{}
	rest, err := rewriteStrings(c.body, func(s string) (string, error) {
		isWallet := looksLikeGooglePayToken(s) || looksLikeApplePayToken(s)
		if !strings.HasPrefix(s, "sp1.") && !isWallet {
			return s, nil
		}
		if !seen[s] {
			seen[s] = true
			if isWallet {
				wallets = append(wallets, s)
			} else {
				envs = append(envs, s)
			}
			if len(envs)+len(wallets) > maxForwardEnvelopes {
				return "", fmt.Errorf("edge: more than %d envelopes in one request: %w", maxForwardEnvelopes, ErrBadRequest)
			}
		}
		return "", nil
	})
	if err != nil {
		return nil, err
	}
	// rest is re-encoded compactly, escapes decoded: "\u0034111…" is
	// seen as the digits it stands for.
	if holdsCardNumber(rest) {
		return nil, errUnsealedCard
	}
	// Pass 2: open every envelope and wallet token before storing
	// anything.
	opened := make([]*envelope.Opened, len(envs))
	for i, env := range envs {
		if opened[i], err = h.open(c, env); err != nil {
			h.risk.attempt(c.r.Context(), c, "", err)
			return nil, err
		}
	}
	paid := make([]*wallet.Payment, len(wallets))
	for i, w := range wallets {
		open := h.openGooglePay
		if looksLikeApplePayToken(w) {
			open = func(c *call, s string) (*wallet.Payment, error) { return h.openApplePay(c, json.RawMessage(s)) }
		}
		if paid[i], err = open(c, w); err != nil {
			h.risk.attempt(c.r.Context(), c, "", err)
			return nil, err
		}
	}
	// Pass 3: prepare every token, then store them all in one unit with
	// their risk counts and the audit entry, durable before the backend
	// can learn them.
	ctx := c.r.Context()
	toks := map[string]string{}
	minted := make([]string, 0, len(opened))
	var stmts []sqlunit.Stmt
	for i, op := range opened {
		s, st, err := h.prepare(dbContext(ctx), c, op, false)
		if err != nil {
			h.risk.attempt(ctx, c, "", err)
			c.tokens = nil
			return nil, err
		}
		stmts = append(append(stmts, st...), h.risk.recordStmts(c, s.Fingerprint)...)
		toks[envs[i]] = s.Token
		minted = append(minted, s.Token)
	}
	for i, p := range paid {
		s, st, err := h.prepareWallet(dbContext(ctx), c, p, false)
		if err != nil {
			h.risk.attempt(ctx, c, "", err)
			c.tokens = nil
			return nil, err
		}
		stmts = append(append(stmts, st...), h.risk.recordStmts(c, s.Fingerprint)...)
		toks[wallets[i]] = s.Token
		minted = append(minted, s.Token)
	}
	body, err := rewriteStrings(c.body, func(s string) (string, error) {
		if tok, ok := toks[s]; ok {
			return tok, nil
		}
		return s, nil
	})
	if err != nil {
		c.tokens = nil
		return nil, err
	}
	if _, err := h.vault.Exec(dbContext(ctx), sqlunit.Unit{Stmts: stmts, Tail: h.success(c, "forward")}); err != nil {
		c.tokens = nil
		return nil, err
	}
	undo := func() {
		for _, tok := range c.tokens {
			h.vault.Delete(context.WithoutCancel(ctx), c.merchant.ID, tok)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dst.String(), bytes.NewReader(body))
	if err != nil {
		undo()
		return nil, fmt.Errorf("edge: building the forward request: %w", err)
	}
	// The tokens, in the order their envelopes first appear in the body,
	// then those of the wallet tokens.
	// Any other value in the body is the page's: the backend can tell.
	tokens := strings.Join(minted, ",")
	sig, err := webhook.SignForward([][]byte{[]byte(c.merchant.SigningSecret)}, webhook.Message{
		Method: http.MethodPost,
		Route:  name,
		Path:   req.URL.RequestURI(),
		Tokens: tokens,
		Body:   body,
	}, c.now)
	if err != nil {
		undo()
		return nil, fmt.Errorf("edge: signing the forward: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Sealpay-Edge/1")
	req.Header.Set(webhook.Header, sig)
	req.Header.Set(webhook.RouteHeader, name)
	req.Header.Set(webhook.TokensHeader, tokens)
	resp, err := h.client.Do(req)
	if err != nil {
		undo()
		return nil, fmt.Errorf("edge: forward route %q: backend unreachable: %w", name, errUpstream)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxUpstreamBody+1))
	if err != nil || len(rb) > maxUpstreamBody {
		return nil, fmt.Errorf("edge: forward route %q: backend answer unreadable or over 1 MiB: %w", name, errUpstream)
	}
	hd := http.Header{}
	if len(rb) > 0 {
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			// Anything else could be active content on the edge's origin.
			return nil, fmt.Errorf("edge: forward route %q: backend answered %s, not JSON: %w", name, mt, errUpstream)
		}
		hd.Set("Content-Type", resp.Header.Get("Content-Type"))
	}
	for _, k := range forwardedHeaders {
		if v := resp.Header.Get(k); v != "" {
			hd.Set(k, v)
		}
	}
	return &response{status: resp.StatusCode, header: hd, raw: rb}, nil
}

// forwardedHeaders are the backend response headers passed back to the
// browser, besides Content-Type.
var forwardedHeaders = []string{"Cache-Control", "X-Request-Id", "Retry-After"}
