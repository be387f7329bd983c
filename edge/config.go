package edge

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// ErrConfig is returned by [ParseConfig] and [LoadConfig] for a configuration
// that is malformed or incomplete.
var ErrConfig = errcode.New(errcode.BadRequest, "edge: invalid configuration")

// Config is the edge's configuration: one JSON document for both homes. The
// native server (sealpay serve --config FILE) reads it from a file and
// resolves the *_file fields relative to that file; the Worker reads the
// same document from its SEALPAY_CONFIG secret and takes the private key
// set and the KEK from the SEALPAY_KEYS and SEALPAY_KEK secrets instead of
// files. See docs/edge-api.md.
type Config struct {
	// Database is the SQLite file of the vault and audit log (native only;
	// the Worker uses its D1 binding "DB").
	Database string `json:"database,omitempty"`
	// DatabaseSync says when the native server's writes reach stable
	// storage (native only; D1 is durable on its own): "full" (the
	// default) — each group commit is fsynced before its units complete,
	// so acknowledged tokens and audit entries survive a power loss;
	// "normal" — no fsync, writes survive a crash of the process but the
	// last ones may roll back on a power loss. See docs/vault.md.
	DatabaseSync string `json:"database_sync,omitempty"`
	// KeysFile is the private key set (a JWK Set, mode 0600) (native only).
	KeysFile string `json:"keys_file,omitempty"`
	// KEKFile holds the vault's key-encryption secret (native only).
	KEKFile string `json:"kek_file,omitempty"`
	// AuditKeyFile holds the audit log's MAC keys, "ID:BASE64" entries as
	// in KEKFile (native only; the Worker reads the SEALPAY_AUDIT_KEY
	// secret). Keep it off the database's disk if you can: whoever holds
	// it can rewrite the audit log.
	AuditKeyFile string `json:"audit_key_file,omitempty"`
	// AuditRetention is how long audit entries are kept in the database,
	// a Go duration ("8760h" for 365 days); older ones are archived and
	// cut by [Handler.PruneAudit]. Empty keeps them for ever.
	AuditRetention string `json:"audit_retention,omitempty"`
	// AuditArchive is the file that pruned audit entries are appended to
	// before they are deleted (native only).
	AuditArchive string `json:"audit_archive,omitempty"`
	// TrustBundleFile is the registry's signed trust bundle served at
	// GET /v1/qr/trust and used by POST /v1/qr/verify (native only; the
	// Worker reads the SEALPAY_TRUST variable).
	TrustBundleFile string `json:"trust_bundle_file,omitempty"`
	// AssetsDir holds the browser assets (sealpay.js, frame.html, frame.js,
	// sealpay.wasm, wasm_exec.js) (native only).
	AssetsDir string `json:"assets_dir,omitempty"`
	// ClientIPHeader names a request header that carries the client address,
	// set by a trusted proxy in front of the edge (the Worker defaults to
	// CF-Connecting-IP). Empty means the connection's address. Natively,
	// the header is believed only on a connection from one of
	// TrustedProxies; of a list (X-Forwarded-For), the right-most address
	// that is not a trusted proxy counts.
	ClientIPHeader string `json:"client_ip_header,omitempty"`
	// TrustedProxies are the CIDR prefixes (or single addresses) of the
	// proxies in front of the edge that set ClientIPHeader. Required with
	// ClientIPHeader natively.
	TrustedProxies []string `json:"trusted_proxies,omitempty"`
	// QRRoots are the registry root public keys (Ed25519 JWKs, e.g.
	// root.pub.jwk) the trust bundle must be signed by.
	QRRoots []json.RawMessage `json:"qr_roots,omitempty"`
	// QRRootFiles are files holding such keys (native only).
	QRRootFiles []string `json:"qr_root_files,omitempty"`
	// Limits overrides sdk/risk's default rate limits and card-testing
	// thresholds.
	Limits *Limits `json:"limits,omitempty"`
	// Purge sets the lifetimes of CVCs and single-use tokens, the CVC key
	// window, the risk counters' retention and the native purge interval.
	Purge *PurgeConfig `json:"purge,omitempty"`
	// GooglePay is the edge's Google Pay setting (environment and Google's
	// root keys); merchants turn Google Pay on with their own google_pay.
	GooglePay *GooglePayConfig `json:"google_pay,omitempty"`
	// GooglePayKeysFile holds the merchants' Google Pay decryption keys,
	// a key set written by `sealpay wallet keys new` (native only; the
	// Worker reads the SEALPAY_GOOGLE_PAY_KEYS secret).
	GooglePayKeysFile string `json:"google_pay_keys_file,omitempty"`
	// ApplePay is the edge's Apple Pay setting (the signing time window;
	// a stand-in root for tests only); merchants turn Apple Pay on with
	// their own apple_pay.
	ApplePay *ApplePayConfig `json:"apple_pay,omitempty"`
	// ApplePayKeysFile holds the merchants' Apple Pay payment processing
	// keys and certificates, a key set written by `sealpay wallet keys
	// new --wallet apple_pay` (native only; the Worker reads the
	// SEALPAY_APPLE_PAY_KEYS secret).
	ApplePayKeysFile string `json:"apple_pay_keys_file,omitempty"`
	// Merchants are the merchants this edge serves.
	Merchants []*Merchant `json:"merchants"`
}

// minAuditRetention is the least audit_retention accepted: PCI DSS 10.5.1
// asks for three months at hand.
const minAuditRetention = 90 * 24 * time.Hour

// AuditRetentionPeriod returns audit_retention as a duration, 0 for none
// (keep every entry). It is at least 90 days (2160h).
func (c *Config) AuditRetentionPeriod() (time.Duration, error) {
	if c.AuditRetention == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(c.AuditRetention)
	if err != nil || d < minAuditRetention {
		return 0, fmt.Errorf("edge: audit_retention must be a Go duration of at least 2160h (90 days): %w", ErrConfig)
	}
	return d, nil
}

// The values of [Config.DatabaseSync].
const (
	SyncFull   = "full"
	SyncNormal = "normal"
)

// Merchant is one merchant: its API keys (stored hashed), the origins its
// pages are served from, its forward routes and relay routes.
type Merchant struct {
	// ID is the merchant id envelopes carry in "mid".
	ID string `json:"id"`
	// PublishableKeys are "sha256:<hex>" hashes (see [HashAPIKey]) of the
	// merchant's pk_ keys.
	PublishableKeys []string `json:"publishable_keys"`
	// SecretKeys are "sha256:<hex>" hashes of the merchant's sk_ keys.
	SecretKeys []string `json:"secret_keys"`
	// AllowedOrigins are the exact origins ("https://shop.example") whose
	// pages may use the publishable keys.
	AllowedOrigins []string `json:"allowed_origins"`
	// ForwardRoutes maps a route name to the merchant backend URL that
	// POST /v1/forward/{route} forwards to.
	ForwardRoutes map[string]string `json:"forward_routes,omitempty"`
	// RelayRoutes are the provider endpoints POST /v1/relay may send card
	// data to, and where in each request's body which card fields may go
	// (see [RelayRoute]). A relay to a host no route names is refused
	// with relay_host_forbidden; one to a method and path of a named host
	// that no route allows, or with a placeholder where its route does not
	// allow it, with relay_route_forbidden.
	RelayRoutes []*RelayRoute `json:"relay_routes,omitempty"`
	// RelayHosts was the host allowlist of earlier versions, which let any
	// method and path of a host take placeholders anywhere. It is refused
	// with a message that says to write relay_routes instead.
	RelayHosts []string `json:"relay_hosts,omitempty"`
	// SigningSecret signs forwarded requests (Sealpay-Signature). It may be
	// given inline (the Worker's config is a secret) or in SigningSecretFile.
	SigningSecret     string `json:"signing_secret,omitempty"`
	SigningSecretFile string `json:"signing_secret_file,omitempty"`
	// QR, if set, lets the merchant sign dynamic QR codes (POST /v1/qr).
	QR *QRConfig `json:"qr,omitempty"`
	// AllowLoopbackHTTP lets forward routes and relay hosts on loopback
	// addresses use plain http. For tests and demos only.
	AllowLoopbackHTTP bool `json:"allow_loopback_http,omitempty"`
	// GooglePay, if set, lets the merchant take Google Pay tokens
	// (docs/wallets.md).
	GooglePay *MerchantGooglePay `json:"google_pay,omitempty"`
	// ApplePay, if set, lets the merchant take Apple Pay tokens
	// (docs/wallets.md).
	ApplePay *MerchantApplePay `json:"apple_pay,omitempty"`

	pkHashes, skHashes [][]byte
	origins            map[string]bool
	routes             map[string]*url.URL
	relayHosts         map[string]bool
}

// ParseConfig parses and checks a configuration document. Unknown fields,
// duplicate members and missing merchant settings are errors.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	if err := checkJSON(b); err != nil {
		return nil, fmt.Errorf("edge: configuration is not strict JSON: %w", ErrConfig)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("edge: configuration: %v: %w", err, ErrConfig)
	}
	if len(c.Merchants) == 0 {
		return nil, fmt.Errorf("edge: configuration has no merchants: %w", ErrConfig)
	}
	if _, err := c.Limits.policy(); err != nil {
		return nil, err
	}
	if _, err := c.Purge.settings(); err != nil {
		return nil, err
	}
	if _, err := parseTrustedProxies(c.TrustedProxies); err != nil {
		return nil, err
	}
	if _, err := c.AuditRetentionPeriod(); err != nil {
		return nil, err
	}
	switch c.DatabaseSync {
	case "", SyncFull, SyncNormal:
	default:
		return nil, fmt.Errorf("edge: database_sync must be %q or %q: %w", SyncFull, SyncNormal, ErrConfig)
	}
	if c.GooglePay != nil {
		if err := c.GooglePay.compile(); err != nil {
			return nil, err
		}
	}
	if c.ApplePay != nil {
		if err := c.ApplePay.compile(); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	for i, m := range c.Merchants {
		if m == nil || m.ID == "" {
			return nil, fmt.Errorf("edge: merchant %d has no id: %w", i, ErrConfig)
		}
		if seen[m.ID] {
			return nil, fmt.Errorf("edge: merchant %q appears twice: %w", m.ID, ErrConfig)
		}
		seen[m.ID] = true
		if err := m.compile(); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// ReadSecretFile reads a file of secrets (the KEK, a signing secret, a
// private key), refusing one its group or other users may read or write
// with an error wrapping [envelope.ErrInsecureKeyFile]. what names the
// file in messages by its configuration field.
func ReadSecretFile(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("edge: reading %s: %w", what, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("edge: reading %s: %w", what, err)
	}
	if err := envelope.CheckKeyFileMode(what, fi); err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, fmt.Errorf("edge: reading %s: %w", what, err)
	}
	if len(b) > maxSecretFile {
		return nil, fmt.Errorf("edge: %s is larger than %d bytes: %w", what, maxSecretFile, ErrConfig)
	}
	return b, nil
}

// maxSecretFile caps a file read by ReadSecretFile.
const maxSecretFile = 1 << 20

// LoadConfig reads a configuration file and resolves its *_file paths
// relative to the file's directory. Signing secrets in files are read.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("edge: reading configuration: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	rel := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	rel(&c.Database)
	rel(&c.KeysFile)
	rel(&c.KEKFile)
	rel(&c.AuditKeyFile)
	rel(&c.AuditArchive)
	rel(&c.TrustBundleFile)
	rel(&c.AssetsDir)
	rel(&c.GooglePayKeysFile)
	rel(&c.ApplePayKeysFile)
	if g := c.GooglePay; g != nil && g.RootKeysFile != "" {
		rel(&g.RootKeysFile)
		b, err := os.ReadFile(g.RootKeysFile)
		if err != nil {
			return nil, fmt.Errorf("edge: reading google_pay root_keys_file: %w", err)
		}
		g.RootKeys, g.RootKeysFile = json.RawMessage(compactJSON(string(b))), ""
		if err := g.compile(); err != nil {
			return nil, err
		}
	}
	for _, f := range c.QRRootFiles {
		rel(&f)
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("edge: reading qr_root_files: %w", err)
		}
		c.QRRoots = append(c.QRRoots, json.RawMessage(compactJSON(string(b))))
	}
	c.QRRootFiles = nil
	for _, m := range c.Merchants {
		if m.SigningSecretFile != "" {
			rel(&m.SigningSecretFile)
			s, err := ReadSecretFile(m.SigningSecretFile, "signing_secret_file")
			if err != nil {
				return nil, fmt.Errorf("edge: merchant %q: %w", m.ID, err)
			}
			m.SigningSecret = strings.TrimSpace(string(s))
		}
		if q := m.QR; q != nil {
			for _, f := range []struct {
				file   *string
				dst    *json.RawMessage
				secret bool
			}{{&q.KeyFile, &q.Key, true}, {&q.CertificateFile, &q.Certificate, false}} {
				if *f.file == "" {
					continue
				}
				rel(f.file)
				read := os.ReadFile
				if f.secret {
					read = func(p string) ([]byte, error) { return ReadSecretFile(p, "qr key_file") }
				}
				b, err := read(*f.file)
				if err != nil {
					return nil, fmt.Errorf("edge: merchant %q: reading QR file: %w", m.ID, err)
				}
				*f.dst = json.RawMessage(compactJSON(string(b)))
				*f.file = ""
			}
		}
		if m.SigningSecret == "" && len(m.ForwardRoutes) > 0 {
			return nil, fmt.Errorf("edge: merchant %q has forward routes but no signing secret: %w", m.ID, ErrConfig)
		}
	}
	return c, nil
}

func (m *Merchant) compile() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("edge: merchant %q: %s: %w", m.ID, fmt.Sprintf(format, args...), ErrConfig)
	}
	parseHashes := func(list []string, what string) ([][]byte, error) {
		var out [][]byte
		for _, h := range list {
			hexPart, ok := strings.CutPrefix(h, "sha256:")
			b, err := hex.DecodeString(hexPart)
			if !ok || err != nil || len(b) != sha256.Size {
				return nil, bad("%s key hash is not sha256:<64 hex digits>", what)
			}
			out = append(out, b)
		}
		return out, nil
	}
	var err error
	if m.pkHashes, err = parseHashes(m.PublishableKeys, "publishable"); err != nil {
		return err
	}
	if m.skHashes, err = parseHashes(m.SecretKeys, "secret"); err != nil {
		return err
	}
	if len(m.pkHashes) == 0 && len(m.skHashes) == 0 {
		return bad("no API keys")
	}
	m.origins = map[string]bool{}
	for _, o := range m.AllowedOrigins {
		n, ok := normalizeOrigin(o)
		if !ok {
			return bad("allowed origin %q is not scheme://host[:port]", o)
		}
		m.origins[n] = true
	}
	if len(m.pkHashes) > 0 && len(m.origins) == 0 {
		return bad("publishable keys need allowed origins")
	}
	m.routes = map[string]*url.URL{}
	for name, raw := range m.ForwardRoutes {
		if !validRouteName(name) {
			return bad("forward route name %q must be 1-64 of [a-z0-9_-]", name)
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
			return bad("forward route %q: backend URL must be absolute with a host", name)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && m.AllowLoopbackHTTP && isLoopbackHost(u.Hostname())) {
			return bad("forward route %q: backend URL must be https (http only for loopback with allow_loopback_http)", name)
		}
		m.routes[name] = u
	}
	if len(m.RelayHosts) > 0 {
		return bad("relay_hosts is no longer accepted: it allowed placeholders anywhere in any request to a host. " +
			"List each provider endpoint in relay_routes instead, with its method, host, path, format and the places " +
			"each card field may go (docs/edge-api.md, \"Relay routes\")")
	}
	m.relayHosts = map[string]bool{}
	for i, r := range m.RelayRoutes {
		if r == nil {
			return bad("relay route %d is null", i)
		}
		if err := r.compile(); err != nil {
			return bad("relay route %d: %v", i, err)
		}
		for j, o := range m.RelayRoutes[:i] {
			if o.Method == r.Method && o.Host == r.Host && o.pattern.String() == r.pattern.String() {
				return bad("relay routes %d and %d are the same endpoint", j, i)
			}
		}
		m.relayHosts[r.Host] = true
	}
	if m.GooglePay != nil {
		if err := m.GooglePay.compile(); err != nil {
			return bad("%v", err)
		}
	}
	if m.ApplePay != nil {
		if err := m.ApplePay.compile(); err != nil {
			return bad("%v", err)
		}
	}
	return nil
}

func validRouteName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// normalizeOrigin returns the origin in its serialized form
// (lower-case scheme and host, default port dropped).
func normalizeOrigin(o string) (string, bool) {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return u.Scheme + "://" + host, true
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// HashAPIKey returns the form in which a configuration stores an API key:
// "sha256:" followed by the hex SHA-256 of the key. API keys are 128-bit
// random strings, so an unsalted hash is enough to keep a leaked
// configuration from being usable.
func HashAPIKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(h[:])
}

// NewAPIKeys returns a fresh publishable key and secret key: "pk_" and "sk_"
// followed by 26 base32 characters (128 random bits). Store only their
// [HashAPIKey] forms.
func NewAPIKeys() (publishable, secret string) {
	return "pk_" + rand.Text(), "sk_" + rand.Text()
}

// keyKind is the kind of API key a route accepts.
type keyKind int

const (
	publishableKind keyKind = iota
	secretKind
)

// lookupKey finds the merchant owning key. Every stored hash is compared in
// constant time, so timing does not tell which merchant (if any) was close.
func (c *Config) lookupKey(key string, kind keyKind) *Merchant {
	sum := sha256.Sum256([]byte(key))
	var found *Merchant
	for _, m := range c.Merchants {
		hashes := m.pkHashes
		if kind == secretKind {
			hashes = m.skHashes
		}
		for _, h := range hashes {
			if subtle.ConstantTimeCompare(sum[:], h) == 1 {
				found = m
			}
		}
	}
	return found
}

// allowsOrigin reports whether origin is one of m's allowed origins.
func (m *Merchant) allowsOrigin(origin string) bool {
	n, ok := normalizeOrigin(origin)
	return ok && m.origins[n]
}

// anyAllowsOrigin reports whether some merchant allows origin.
func (c *Config) anyAllowsOrigin(origin string) bool {
	for _, m := range c.Merchants {
		if m.allowsOrigin(origin) {
			return true
		}
	}
	return false
}

// compactJSON returns s compacted, or s trimmed if it is not JSON.
func compactJSON(s string) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return strings.TrimSpace(s)
	}
	return buf.String()
}
