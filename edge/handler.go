// Package edge is Sealpay's token service: one [http.Handler] that opens
// sealed cards, keeps them in a vault and forwards only tokens to the
// merchant's backend. It runs as a plain Go server on SQLite (sealpay serve)
// and as a Cloudflare Worker on D1 (edge/worker).
//
// For most uses, load a [Config] with [LoadConfig] (or [ParseConfig]), open
// the vault's store — edge/sqlitedb natively, D1 in edge/worker — and call
// [New]; then serve the [Handler]. Every operation that writes (a
// tokenize, a forward, a relay, a delete) is one atomic unit of that store,
// its audit entry included (docs/vault.md), and so is the event it sends
// the merchant, which [Handler.DeliverEvents] delivers. docs/edge-api.md
// describes the routes, the configuration, the events and the error codes.
package edge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/token"
	"github.com/sealpay/sealpay/sdk/wallet/applepay"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
)

// Options are what [New] needs. Config, Keys, KEKs, AuditKeys and Store
// are required.
type Options struct {
	// Config holds the merchants and their keys, origins and routes.
	Config *Config
	// Keys is the private envelope key set.
	Keys *envelope.KeySet
	// KEKs wrap the vault's data keys (see [ParseKEKs]).
	KEKs *token.KEKSet
	// AuditKeys MAC the audit log's chain (audit.ParseKeys of the
	// audit_key_file natively, of the SEALPAY_AUDIT_KEY secret on the
	// Worker). They must not be stored in the database.
	AuditKeys *audit.Keys
	// Store runs the units and reads of the vault's database, migrated
	// (migrations.Apply natively, wrangler d1 migrations apply at the edge);
	// the audit log and the risk state live in it too.
	Store sqlunit.Executor
	// TrustBundle is the registry's signed trust bundle served at
	// GET /v1/qr/trust and used by POST /v1/qr/verify; nil disables both.
	TrustBundle []byte
	// Assets holds the browser assets (sealpay.js, frame.html, frame.js,
	// sealpay.wasm, wasm_exec.js) at its root; nil serves none.
	Assets fs.FS
	// Client sends forwarded and relayed requests; nil uses a client with a
	// 20 s timeout that follows no redirects.
	Client *http.Client
	// Logger receives one line per request (method, route pattern, status,
	// code, duration) and operator details of internal errors — never card
	// data, keys or tokens. Nil discards.
	Logger *slog.Logger
	// LogErrorsOnly keeps the request line only for requests answered with
	// an error status (400 and above): for a platform that logs every
	// request itself (Cloudflare's invocation logs hold method, URL,
	// status and timing), where each line costs the request CPU time.
	LogErrorsOnly bool
	// Observe, if set, is called with the [RequestStats] of every request
	// once it is answered, on the request's goroutine: keep it short and
	// never block (edge/metrics counts them natively; edge/worker hands
	// them to the Worker's entry). Nil observes nothing.
	Observe func(RequestStats)
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
	// CVCKeys keeps the keys CVCs are sealed under; nil keeps them in the
	// store's table vault_cvc_keys (token.NewSQLCVCKeys). The native
	// server passes token.NewMemoryCVCKeys: see docs/vault.md, "Deletion".
	CVCKeys token.CVCKeyStore
	// GooglePayKeys holds the merchants' Google Pay decryption keys;
	// required if a merchant has google_pay.
	GooglePayKeys *googlepay.KeySet
	// ApplePayKeys holds the merchants' Apple Pay payment processing
	// keys; required if a merchant has apple_pay.
	ApplePayKeys *applepay.KeySet
	// TrustPeer says the immediate peer is the platform's own front end,
	// which sets client_ip_header itself (Cloudflare in front of a Worker,
	// whose requests have no connection address to check against
	// trusted_proxies). Native servers leave it false.
	TrustPeer bool
}

// Handler is the edge's http.Handler.
type Handler struct {
	cfg    *Config
	keys_  *envelope.KeySet
	vault  *token.Vault
	risk   *riskGuard
	trust  []byte
	qr     qrState
	store  sqlunit.Executor
	audit  *audit.Log
	akeys  *audit.Keys
	assets *assetTable
	// proxies are trusted_proxies; trustPeer is [Options.TrustPeer].
	proxies   []netip.Prefix
	trustPeer bool
	client    *http.Client
	log       *slog.Logger
	// logErrorsOnly is [Options.LogErrorsOnly].
	logErrorsOnly bool
	observer      func(RequestStats) // [Options.Observe]
	now           func() time.Time
	mux           *routeMux
	purge         purgeSettings
	wallets       walletState
	ev            *outbox
	blocked       blockedSet // card-testing events this instance has queued (events.go)
}

// New returns the edge handler for opts.
func New(opts Options) (*Handler, error) {
	if opts.Config == nil || opts.Keys == nil || opts.KEKs == nil || opts.AuditKeys == nil || opts.Store == nil {
		return nil, errors.New("edge: New needs Config, Keys, KEKs, AuditKeys and Store")
	}
	h := &Handler{
		cfg:    opts.Config,
		keys_:  opts.Keys,
		trust:  opts.TrustBundle,
		store:  opts.Store,
		audit:  audit.New(opts.Store, opts.AuditKeys),
		akeys:  opts.AuditKeys,
		assets: newAssetTable(opts.Assets),
		client: opts.Client,
		log:    opts.Logger,
		now:    opts.Now,

		observer: opts.Observe,

		trustPeer:     opts.TrustPeer,
		logErrorsOnly: opts.LogErrorsOnly,
	}
	var err error
	if h.proxies, err = parseTrustedProxies(opts.Config.TrustedProxies); err != nil {
		return nil, err
	}
	if opts.Config.ClientIPHeader != "" && len(h.proxies) == 0 && !opts.TrustPeer {
		// No connection would ever be allowed to set the header.
		return nil, fmt.Errorf("edge: client_ip_header needs trusted_proxies, the addresses of the proxies that set it: %w", ErrConfig)
	}
	if h.client == nil {
		h.client = &http.Client{Timeout: 20 * time.Second}
	}
	// Never follow redirects: a backend or provider could otherwise send
	// card data on to a host outside the allowlist.
	c := *h.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	h.client = &c
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.purge, err = opts.Config.Purge.settings(); err != nil {
		return nil, err
	}
	if h.ev, err = newOutbox(opts.Config.Events); err != nil {
		return nil, err
	}
	vault, err := token.NewVault(opts.Store, opts.KEKs, token.Options{Now: h.now, CVCKeys: opts.CVCKeys,
		CVCTTL: h.purge.cvcTTL, CVCKeyWindow: h.purge.cvcWindow, SingleUseTTL: h.purge.singleUseTTL})
	if err != nil {
		return nil, fmt.Errorf("edge: opening the vault: %w", err)
	}
	h.vault = vault
	policy, err := opts.Config.Limits.policy()
	if err != nil {
		return nil, err
	}
	h.risk = newRiskGuard(opts.Store, policy, h.now, h.log)
	if h.wallets, err = newWalletState(opts.Config, opts.GooglePayKeys, h.now); err != nil {
		return nil, err
	}
	if h.wallets.apay, err = newApplePayDecrypters(opts.Config, opts.ApplePayKeys, h.now); err != nil {
		return nil, err
	}
	h.routes()
	return h, nil
}

// authKind is the API key a route requires.
type authKind int

const (
	authNone authKind = iota
	authPublishable
	authSecret
)

// route describes one API route.
type route struct {
	action  string   // audit action on success; "" records only refusals
	auth    authKind // which key, if any
	browser bool     // answers CORS for allowed origins
	frame   bool     // also accepts publishable keys from the edge's own origin (the hosted-fields frame)
	limited bool     // rate-limited per key and per client
	idem    bool     // honours Idempotency-Key (a POST that changes state)
	fn      func(c *call) (*response, error)
}

// call is one API request in flight.
type call struct {
	r        *http.Request
	merchant *Merchant
	client   string // client address
	key      string // hash of the API key, for per-key limits; "" until authenticated
	keyID    string // fingerprint of the API key presented, for the audit (see [keyID])
	body     []byte
	now      time.Time
	target   string     // audit target: route name; a relay's method, host and path
	tokens   []string   // audit: token ids touched
	audited  bool       // the success entry went into the operation's unit
	idem     *idemClaim // the idempotency key this request holds, if any
	replayed bool       // the answer is an idempotency key's stored one
	risk     string     // what the limits did ([RequestStats.Risk]), and
	limit    string     // which limit did it

	// events are the events to queue with the refusal's audit entry
	// (events.go); blocked is the card-testing event among them, noted in
	// the handler's blockedSet once the unit is stored.
	events  []sqlunit.Stmt
	blocked blockedMark
}

// response is a successful answer, written after the audit entry is stored.
type response struct {
	status int
	header http.Header
	body   any    // JSON-encoded, or
	raw    []byte // sent as is (with header's Content-Type)
}

func (h *Handler) routes() {
	mux := &routeMux{ServeMux: http.NewServeMux()}
	h.mux = mux
	api := func(pattern string, rt route) { mux.Handle(pattern, h.api(rt)) }

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	for name := range assetTypes {
		mux.HandleFunc("GET /v1/"+name, h.serveAsset)
	}
	mux.HandleFunc("GET /v1/c/{digest}/{name}", h.serveAddressed)
	api("GET /v1/keys", route{browser: true, limited: true, fn: h.keys})
	api("GET /v1/wallets", route{auth: authPublishable, browser: true, frame: true, limited: true, fn: h.walletInfo})
	api("POST /v1/tokens", route{action: "tokenize", auth: authPublishable, browser: true, frame: true, limited: true, idem: true, fn: h.tokenize})
	api("POST /v1/forward/{route}", route{action: "forward", auth: authPublishable, browser: true, limited: true, idem: true, fn: h.forward})
	api("POST /v1/relay", route{action: "relay", auth: authSecret, limited: true, idem: true, fn: h.relay})
	api("GET /v1/tokens/{token}", route{auth: authSecret, limited: true, fn: h.getToken})
	api("DELETE /v1/tokens/{token}", route{action: "delete", auth: authSecret, limited: true, fn: h.deleteToken})
	api("POST /v1/qr", route{action: "qr_sign", auth: authSecret, limited: true, idem: true, fn: h.qrSign})
	api("POST /v1/qr/verify", route{browser: true, limited: true, fn: h.qrVerify})
	api("GET /v1/qr/trust", route{browser: true, limited: true, fn: h.qrTrust})
	for _, p := range []string{"/v1/keys", "/v1/wallets", "/v1/tokens", "/v1/forward/{route}", "/v1/qr/verify", "/v1/qr/trust"} {
		mux.HandleFunc("OPTIONS "+p, h.preflight)
	}
	api("/", route{fn: func(*call) (*response, error) { return nil, errNotFound }})
}

// ServeHTTP serves one request. Panics are recovered into an opaque 500
// internal error; the log gets the route, never the panic value (which
// could hold request data).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			// The stack names functions only; the panic value is not logged.
			h.log.Error("edge: panic recovered", "method", r.Method, "route", r.Pattern, "stack", string(debug.Stack()))
			if !sw.wrote {
				writeError(sw, errcode.New(errcode.Internal, "internal error"))
			}
		}
		d := time.Since(start)
		if !h.logErrorsOnly || sw.status >= 400 {
			h.log.Info("request", "method", r.Method, "route", r.Pattern, "status", sw.status,
				"code", sw.code, "ms", d.Milliseconds())
		}
		if h.observer != nil {
			h.observe(sw, r.Pattern, d)
		}
	}()
	sw.Header().Set("X-Content-Type-Options", "nosniff")
	h.mux.ServeHTTP(sw, r)
}

// statusWriter remembers the status for the log and the observer.
type statusWriter struct {
	http.ResponseWriter
	status int
	code   errcode.Code
	wrote  bool
	risk   string // [RequestStats.Risk]
	limit  string // [RequestStats.Limit]
}

func (s *statusWriter) WriteHeader(status int) {
	if !s.wrote {
		s.status, s.wrote = status, true
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

// api wraps an API route: CORS, authentication, rate limits, body cap,
// the audit entry and the JSON answer.
func (h *Handler) api(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{r: r, client: h.clientAddr(r), now: h.now()}
		defer func() {
			// A panic is answered 500 by ServeHTTP: like any 5xx, it
			// releases the key it held, so that the retry runs again.
			if p := recover(); p != nil {
				if c.idem != nil {
					h.releaseIdem(c)
				}
				panic(p)
			}
		}()
		resp, err := h.run(w, c, rt)
		if err != nil {
			code := errcode.Of(err)
			if code == errcode.Internal {
				h.log.Error("edge: internal error", "route", r.Pattern, "err", err.Error())
			}
			if sw, ok := w.(*statusWriter); ok {
				sw.code = code
			}
		}
		if c.risk != "" {
			if sw, ok := w.(*statusWriter); ok {
				sw.risk, sw.limit = c.risk, c.limit
			}
		}
		if c.idem == nil {
			h.answer(w, c, rt, resp, err)
			return
		}
		// The answer is stored under its idempotency key before it is
		// sent: a retry that follows the answer finds it.
		buf := newAnswerBuffer()
		h.answer(buf, c, rt, resp, err)
		h.finishIdem(c, buf)
		buf.writeTo(w)
	})
}

// answer writes the answer of c: the error err, or resp once the success
// entry is in the audit log.
func (h *Handler) answer(w http.ResponseWriter, c *call, rt route, resp *response, err error) {
	if err != nil {
		h.record(c, refusalAction(rt.action), errcode.Of(err))
		writeError(w, err)
		return
	}
	// Every unit returns once durable: an answer that acknowledges a
	// change (a token, a delete, a used CVC, a QR nonce, an audit
	// entry) goes out only after it is on stable storage. A replayed
	// answer is recorded as a "replay" of the route.
	action := rt.action
	if c.replayed {
		action = "replay"
	}
	if action != "" && !c.audited {
		if err := h.record(c, action, ""); err != nil {
			h.log.Error("edge: audit append failed", "route", c.r.Pattern, "err", err.Error())
			writeError(w, errcode.New(errcode.Internal, "internal error"))
			return
		}
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	if resp.raw != nil {
		w.WriteHeader(resp.status)
		w.Write(resp.raw)
		return
	}
	writeJSON(w, resp.status, resp.body)
}

func refusalAction(action string) string {
	if action == "" {
		return "refuse"
	}
	return action
}

// record appends an audit entry for c. Refusals of unaudited routes are
// recorded too ("every refusal"), except plain 404s for unknown paths from
// unidentified callers, which would let anyone fill the log for free.
// Refusals of callers that did not authenticate, and rate-limited
// requests, are counted per client, merchant, code and minute
// (audit.Log.Refusal): the first of each minute is an entry, the count is
// in the audit_refusals table; a flood of bad keys costs one counter
// update each, not a durable entry each.
func (h *Handler) record(c *call, action string, code errcode.Code) error {
	mid := ""
	if c.merchant != nil {
		mid = c.merchant.ID
	}
	if code == errcode.NotFound && mid == "" && c.r.Pattern == "/" {
		return nil
	}
	ctx := dbContext(c.r.Context())
	var err error
	switch {
	case code != "" && (mid == "" || code == errcode.RateLimited):
		_, err = h.audit.Refusal(ctx, h.store, h.entry(c, action, code), c.events...)
	case len(c.events) > 0:
		_, err = sqlunit.Exec(ctx, h.store, sqlunit.Unit{Stmts: c.events, Tail: h.audit.Tail(h.entry(c, action, code))})
	default:
		_, err = h.audit.Append(ctx, h.store, h.entry(c, action, code))
	}
	if err != nil {
		h.log.Error("edge: audit append failed", "err", err.Error())
	} else if len(c.events) > 0 {
		h.blocked.note(c.blocked, c.now)
		h.eventsQueued()
	}
	return err
}

// entry is the audit entry of c.
func (h *Handler) entry(c *call, action string, code errcode.Code) audit.Entry {
	mid := ""
	if c.merchant != nil {
		mid = c.merchant.ID
	}
	target := c.target
	if target == "" {
		target = c.r.Pattern
	}
	return audit.Entry{
		Time:     c.now,
		Merchant: mid,
		Action:   action,
		Target:   target,
		Token:    strings.Join(c.tokens, ","),
		Code:     string(code),
		Client:   c.client,
		KeyID:    c.keyID,
	}
}

// success is the unit tail that stores c's success entry for action with
// the operation's own statements, and notes that it did.
func (h *Handler) success(c *call, action string) sqlunit.Tail {
	c.audited = true
	return h.audit.Tail(h.entry(c, action, ""))
}

var (
	errUnauthorized    = errcode.New(errcode.Unauthorized, "edge: missing, malformed or unknown API key")
	errForbiddenOrigin = errcode.New(errcode.ForbiddenOrigin, "edge: origin not allowed for this key")
)

func (h *Handler) run(w http.ResponseWriter, c *call, rt route) (*response, error) {
	r := c.r
	origin := r.Header.Get("Origin")
	if rt.browser {
		// Every answer of a browser route varies by Origin, also one without
		// CORS headers: otherwise a browser's cache could hand the frame's
		// same-origin answer (no Access-Control-Allow-Origin) to the
		// merchant page's cross-origin request for the same URL.
		hd := w.Header()
		hd.Add("Vary", "Origin")
		if origin != "" && h.cfg.anyAllowsOrigin(origin) {
			hd.Set("Access-Control-Allow-Origin", origin)
		}
	}
	// The key is looked up (in memory) before the limits are counted, so
	// that a known key counts on its own limit; a refusal for a missing
	// or unknown key comes only after the client's limit has counted the
	// request. A client over its limit gets 429 whatever key it sends.
	var authErr error
	if key, ok := bearer(r); ok {
		c.keyID = keyID(key)
	}
	switch rt.auth {
	case authPublishable, authSecret:
		prefix, kind := "pk_", publishableKind
		if rt.auth == authSecret {
			prefix, kind = "sk_", secretKind
		}
		key, ok := bearer(r)
		if ok && strings.HasPrefix(key, prefix) {
			c.merchant = h.cfg.lookupKey(key, kind)
		}
		if c.merchant == nil {
			authErr = errUnauthorized
			break
		}
		c.key = HashAPIKey(key)
		// The hosted-fields frame posts from the edge's own origin; tokenize
		// then checks the envelope's aud against the merchant's origins.
		if rt.auth == authPublishable && !c.merchant.allowsOrigin(origin) && !(rt.frame && fromOwnOrigin(r, origin)) {
			authErr = errForbiddenOrigin
		}
	}
	if rt.limited {
		// A request about to be refused is not held: slowing it would
		// cost this edge a connection and the caller nothing.
		if err := h.risk.allow(r.Context(), c, authErr == nil); err != nil {
			h.cardTestingEvent(c, err)
			return nil, err
		}
	}
	if authErr != nil {
		return nil, authErr
	}
	if r.Method == http.MethodPost {
		b, err := readBody(r, MaxBodySize)
		if err != nil {
			return nil, err
		}
		c.body = b
	}
	if rt.idem {
		if resp, err := h.beginIdem(c, rt.auth); resp != nil || err != nil {
			return resp, err
		}
	}
	return rt.fn(c)
}

// keyID is the audit's name for an API key: its kind ("pk", "sk", or "?"
// for a string that is neither) and the first 12 hex digits of
// [HashAPIKey], e.g. "pk:sha256:0123456789ab" — enough to find the key
// in the configuration, and nothing of the key itself.
func keyID(key string) string {
	kind := "?"
	switch {
	case strings.HasPrefix(key, "pk_"):
		kind = "pk"
	case strings.HasPrefix(key, "sk_"):
		kind = "sk"
	}
	return kind + ":" + HashAPIKey(key)[:len("sha256:")+12]
}

// bearer returns the token of an "Authorization: Bearer ..." header.
func bearer(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" || len(key) > 200 {
		return "", false
	}
	return key, true
}

// preflight answers CORS preflight requests for origins some merchant
// allows. Preflights carry no key, so the merchant check happens on the
// actual request.
func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	if origin == "" || !h.cfg.anyAllowsOrigin(origin) {
		writeError(w, errForbiddenOrigin)
		return
	}
	if method != http.MethodGet && method != http.MethodPost {
		writeError(w, fmt.Errorf("edge: preflight for method %q: %w", method, ErrBadRequest))
		return
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Add("Vary", "Origin")
	hd.Set("Access-Control-Allow-Methods", "GET, POST")
	hd.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key")
	hd.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// PruneAudit cuts the audit log at the configured audit_retention
// (audit.Prune with Before = now − the retention), appending what it cuts
// to archive first; with no retention configured it does nothing. Call it
// from a timer (natively, with the audit_archive file opened for
// appending) or a cron trigger.
func (h *Handler) PruneAudit(ctx context.Context, archive io.Writer) (audit.PruneResult, error) {
	keep, err := h.cfg.AuditRetentionPeriod()
	if err != nil || keep == 0 {
		return audit.PruneResult{}, err
	}
	now := h.now()
	return audit.Prune(ctx, h.store, h.akeys, audit.PruneOptions{Before: now.Add(-keep), Archive: archive, Now: now})
}
