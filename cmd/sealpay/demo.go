package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	edgeserver "github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/examples/qr-poster/poster"
	"github.com/sealpay/sealpay/examples/storefront/samplepsp"
	"github.com/sealpay/sealpay/examples/storefront/shop"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/wasm/assets"
)

func init() {
	register("demo", "run the local edge, storefront, merchant backend and QR poster; prints the URL", runDemo)
}

const demoUsage = `demo [--data DIR] [--port N] [--origin URL]...

Builds the browser module, creates a demo merchant, keys and a QR registry in DIR
(reused on the next run), and starts in this process, each on its own loopback port:
the edge (SQLite vault) on N+1, the storefront on N, the merchant backend on N+2,
the sample payment provider on N+3 and the QR poster on N+4. --port 0 picks free
ports. --origin (repeatable) lets one more page origin use the edge: your own
front-end, e.g. examples/react-checkout under Vite (--origin http://localhost:5173);
the banner prints the publishable key it needs. Run it from a Sealpay checkout:
it builds ./wasm and serves js/dist/browser. Ctrl-C stops everything.`

// demoModule is the module the demo must run inside.
const demoModule = "github.com/sealpay/sealpay"

// The demo merchant: one shop with a storefront and a QR poster.
const (
	demoMerchantID   = "m_hikari"
	demoMerchantName = "Hikari Ceramics"
	demoPayee        = "HIKARI CERAMICS" // EMVCo ID 59, at most 25 characters
)

// demoRoles are the demo's servers, in port order from --port.
var demoRoles = []string{"storefront", "edge", "merchant backend", "sample provider", "QR poster"}

// errPortInUse is returned when one of the demo's ports is taken.
var errPortInUse = errcode.New(errcode.BadRequest, "port in use")

func runDemo(env *Env, args []string) error {
	fs := newFlags(env, "demo", demoUsage)
	data := fs.String("data", "", "data `directory` (default .sealpay-demo, or $XDG_DATA_HOME/sealpay-demo when XDG_DATA_HOME is set)")
	port := fs.Int("port", 8700, "first of five consecutive loopback ports (0: pick free ports)")
	var origins []string
	fs.Func("origin", "one more allowed page `origin` (repeatable), e.g. http://localhost:5173 for a Vite dev server", func(s string) error {
		o, err := demoOrigin(s)
		if err == nil {
			origins = append(origins, o)
		}
		return err
	})
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *port < 0 || *port > 65535-len(demoRoles) {
		return fmt.Errorf("%w: --port must be 0 or a port from 1 to %d", errUsage, 65535-len(demoRoles))
	}
	dir := *data
	if dir == "" {
		dir = defaultDemoDir(os.Getenv("XDG_DATA_HOME"))
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := findModuleRoot(cwd)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := startDemo(ctx, demoConfig{
		Dir: dir, Port: *port, Root: root, Origins: origins, Stdout: env.Stdout, Stderr: env.Stderr, Now: env.Now,
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	stop() // a second Ctrl-C kills the process the default way
	fmt.Fprintln(env.Stdout, "\nStopping…")
	if err := d.Close(); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "Stopped.")
	return nil
}

// defaultDemoDir is the data directory when --data is not given.
func defaultDemoDir(xdgDataHome string) string {
	if xdgDataHome != "" && filepath.IsAbs(xdgDataHome) {
		return filepath.Join(xdgDataHome, "sealpay-demo")
	}
	return ".sealpay-demo"
}

// demoOrigin checks an --origin value: an http or https origin with no
// path, query or fragment (a trailing slash is dropped).
func demoOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: --origin must be an origin like http://localhost:5173, got %q", errUsage, s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// findModuleRoot returns the directory at or above dir holding the go.mod
// of the Sealpay module.
func findModuleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			sc := bufio.NewScanner(bytes.NewReader(b))
			for sc.Scan() {
				if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "module" {
					if strings.Trim(f[1], `"`) == demoModule {
						return d, nil
					}
					break
				}
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("demo: run it inside a Sealpay checkout: no go.mod of %s in %s or above (the demo builds ./wasm and serves js/dist/browser): %w", demoModule, dir, errcode.New(errcode.BadRequest, "not in a checkout"))
		}
		d = parent
	}
}

// demoConfig is what [startDemo] needs.
type demoConfig struct {
	Dir  string // data directory
	Port int    // first port; 0 picks free ports
	Root string // module root (go.mod, wasm/, js/dist/)
	// Origins are more allowed page origins (--origin): the merchant's
	// own front-ends besides the storefront and the QR poster.
	Origins []string
	// Stdout gets the banner; Stderr warnings and errors.
	Stdout, Stderr io.Writer
	Now            func() time.Time
	// BuildModule builds the browser module into dst; nil runs go build.
	BuildModule func(ctx context.Context, root, dst string, qrRoots []byte) error
	// Client sends the edge's forwards and relays; nil uses the default.
	Client *http.Client
}

// demo is a running demo.
type demo struct {
	Data  *demoData
	URLs  map[string]string // by role
	Ready time.Duration
	// Origins are the --origin values the edge allows besides the demo's own.
	Origins []string

	servers []*http.Server
	done    chan error
	db      interface{ Close() error }
	purge   func() // stops the edge's purge and waits for it
	logs    []io.Closer
	closeMu sync.Once
	err     error
}

// startDemo prepares the data directory, builds the browser module, binds
// every port (failing early and clearly if one is taken), and starts the
// servers. It returns once all of them accept connections.
func startDemo(ctx context.Context, c demoConfig) (*demo, error) {
	start := time.Now()
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.BuildModule == nil {
		c.BuildModule = buildBrowserModule
	}
	lns, err := listenDemo("127.0.0.1", c.Port)
	if err != nil {
		return nil, err
	}
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	d := &demo{URLs: map[string]string{}, Origins: c.Origins, done: make(chan error, len(lns))}
	for i, ln := range lns {
		d.URLs[demoRoles[i]] = "http://" + ln.Addr().String()
	}
	data, err := prepareDemoData(c.Dir, c.Now())
	if err != nil {
		closeAll()
		return nil, err
	}
	d.Data = data
	// Fail before the build if another demo holds this directory's vault
	// (the edge keeps its SQLite database locked while it runs).
	if err := probeVault(ctx, data.path("vault.db")); err != nil {
		closeAll()
		return nil, fmt.Errorf("demo: cannot open the vault in %s — is another sealpay demo using this directory? Stop it or pick another --data: %w", c.Dir, err)
	}
	fmt.Fprintf(c.Stdout, "Sealpay demo: data in %s (%s)\n", c.Dir, map[bool]string{true: "new", false: "reused"}[data.Created])

	buildStart := time.Now()
	if err := copyDemoAssets(c.Root, data.path("assets")); err != nil {
		closeAll()
		return nil, err
	}
	fmt.Fprintln(c.Stdout, "Building the browser module (GOOS=js GOARCH=wasm go build ./wasm)…")
	if err := c.BuildModule(ctx, c.Root, data.path("assets"), data.QRRootsJSON); err != nil {
		closeAll()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("demo: interrupted while building the browser module: %w", ctx.Err())
		}
		return nil, err
	}
	buildTime := time.Since(buildStart)

	logFile, err := os.OpenFile(data.path("logs", "demo.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		closeAll()
		return nil, err
	}
	d.logs = append(d.logs, logFile)
	log := slog.New(&teeHandler{
		file:   slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}),
		stderr: slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}),
	})

	handlers, err := d.handlers(ctx, c, data, log)
	if err != nil {
		closeAll()
		d.closeLogs()
		return nil, err
	}
	for i, ln := range lns {
		srv := &http.Server{
			Handler:           handlers[i],
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		d.servers = append(d.servers, srv)
		go func(ln net.Listener) {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.done <- fmt.Errorf("demo: %s: %w", demoRoles[i], err)
			}
		}(ln)
	}
	d.Ready = time.Since(start)
	d.banner(c.Stdout, c.Dir, buildTime)
	log.Info("demo ready", "ms", d.Ready.Milliseconds())
	return d, nil
}

// probeVault opens the vault the way sealpay audit does, without waiting
// on a lock: it fails at once while another process (or another demo in
// this one) holds the database.
func probeVault(ctx context.Context, path string) error {
	db, err := edgeserver.OpenSQLite(ctx, path)
	if err != nil {
		return err
	}
	return db.Close()
}

// handlers builds the five servers' handlers, in [demoRoles] order.
func (d *demo) handlers(ctx context.Context, c demoConfig, data *demoData, log *slog.Logger) ([]http.Handler, error) {
	shopURL, edgeURL, providerURL, posterURL := d.URLs["storefront"], d.URLs["edge"], d.URLs["sample provider"], d.URLs["QR poster"]
	m := data.Merchant

	cfgPath, err := writeDemoEdgeConfig(data, d.URLs, c.Origins)
	if err != nil {
		return nil, err
	}
	cfg, err := edge.LoadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	edgeHandler, db, err := edgeserver.Open(ctx, cfg, log.With("server", "edge"))
	if err != nil {
		return nil, err
	}
	d.db = db
	// The edge's purge, as sealpay serve runs it.
	purgeCtx, stopPurge := context.WithCancel(context.Background())
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		edgeserver.RunPurge(purgeCtx, edgeserver.PurgeJobs(edgeHandler, db, cfg), edgeHandler.PurgeInterval(), log.With("server", "edge"))
	}()
	d.purge = func() { stopPurge(); <-purged }

	sri, err := subresourceIntegrity(data.path("assets", "sealpay.js"))
	if err != nil {
		return nil, err
	}

	provLog, err := os.OpenFile(data.path("logs", "provider-charges.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	reqLog, err := os.OpenFile(data.path("logs", "backend-requests.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		provLog.Close()
		return nil, err
	}
	d.logs = append(d.logs, provLog, reqLog)
	provider := samplepsp.New(samplepsp.Options{APIKey: m.ProviderKey, Log: provLog, Now: c.Now})
	backend, err := shop.NewBackend(shop.BackendOptions{
		Edge: edgeURL, SecretKey: m.SecretKey, SigningSecret: []byte(m.SigningSecret),
		ProviderURL: providerURL + "/v1/charges", ProviderKey: m.ProviderKey,
		StateFile: data.path("shop-customers.json"), Requests: reqLog,
		Logger: log.With("server", "merchant backend"), Now: c.Now,
	})
	if err != nil {
		return nil, err
	}
	store, err := shop.NewStorefront(shop.StorefrontOptions{
		Edge: edgeURL, PublishableKey: m.PublishableKey, Merchant: m.ID, SnippetIntegrity: sri, PosterURL: posterURL + "/",
	})
	if err != nil {
		return nil, err
	}
	posterHandler, err := poster.New(poster.Options{
		Edge: edgeURL, SecretKey: m.SecretKey, PublishableKey: m.PublishableKey, Merchant: m.ID,
		SnippetIntegrity: sri, ShopURL: shopURL + "/", Logger: log.With("server", "QR poster"),
	})
	if err != nil {
		return nil, err
	}
	return []http.Handler{store, edgeHandler, backend, provider, posterHandler}, nil
}

// banner prints where everything is and the URL to open.
func (d *demo) banner(w io.Writer, dir string, build time.Duration) {
	fmt.Fprintf(w, `
Everything runs on this machine, in this process, on loopback only.
  Storefront        %s/
  QR poster         %s/
  Edge              %s/      vault: %s
  Merchant backend  %s/      reached only through the edge's forward routes
  Sample provider   %s/      a stand-in that moves no money, reached only through the edge's relay
  Publishable key   %s      for your own front-end (allow its origin with --origin)%s

Test cards: 4242 4242 4242 4242 (Visa, approved), 5555 5555 5555 4444 (Mastercard),
            4000 0000 0000 0002 (declined); any future expiry, any security code.
Started in %.1fs (browser module build %.1fs).

Open %s/   (Ctrl-C stops everything)
`, d.URLs["storefront"], d.URLs["QR poster"], d.URLs["edge"], filepath.Join(dir, "vault.db"),
		d.URLs["merchant backend"], d.URLs["sample provider"], d.Data.Merchant.PublishableKey, d.originsNote(), d.Ready.Seconds(), build.Seconds(), d.URLs["storefront"])
}

// originsNote lists the --origin values for the banner.
func (d *demo) originsNote() string {
	if len(d.Origins) == 0 {
		return ""
	}
	return "\n                    also allowed: " + strings.Join(d.Origins, ", ")
}

// Close shuts every server down gracefully, letting requests in flight
// finish for up to 10 s, then closes the vault and the logs.
func (d *demo) Close() error {
	d.closeMu.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		errs := make([]error, len(d.servers))
		for i, s := range d.servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Shutdown(ctx)
			}()
		}
		wg.Wait()
		if d.purge != nil {
			d.purge()
		}
		if d.db != nil {
			errs = append(errs, d.db.Close())
		}
		d.closeLogs()
		d.err = errors.Join(errs...)
	})
	return d.err
}

func (d *demo) closeLogs() {
	for _, l := range d.logs {
		l.Close()
	}
	d.logs = nil
}

// listenDemo binds the demo's ports on host: base, base+1, … in
// [demoRoles] order, or free ports when base is 0. A taken port is
// reported with the role that wanted it and what to do.
func listenDemo(host string, base int) ([]net.Listener, error) {
	var lns []net.Listener
	for i, role := range demoRoles {
		port := 0
		if base != 0 {
			port = base + i
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			if errors.Is(err, syscall.EADDRINUSE) {
				return nil, fmt.Errorf("demo: port %d (%s) on %s is already in use — is another demo running? Pick other ports with --port N (the demo uses N to N+%d) or --port 0 for free ones: %w",
					port, role, host, len(demoRoles)-1, errPortInUse)
			}
			return nil, fmt.Errorf("demo: listening on %s:%d (%s): %w", host, port, role, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// demoMerchant is the demo merchant's credentials, kept in merchant.json
// (mode 0600). In production, the edge keeps only hashes of the API keys.
type demoMerchant struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	PublishableKey string    `json:"publishable_key"`
	SecretKey      string    `json:"secret_key"`
	SigningSecret  string    `json:"signing_secret"`
	ProviderKey    string    `json:"provider_key"`
	Created        time.Time `json:"created"`
}

// demoData is a prepared data directory.
type demoData struct {
	Dir      string
	Created  bool // made by this run, not reused
	Merchant demoMerchant
	// QRRootsJSON is the JSON array of registry root public JWKs the
	// browser module pins for verifyQR.
	QRRootsJSON []byte
	QRKey       *qr.MerchantKey
	Cert        *qr.Certificate
	TrustBundle []byte
}

func (d *demoData) path(elem ...string) string {
	return filepath.Join(append([]string{d.Dir}, elem...)...)
}

const demoReadme = `This directory holds the state of 'sealpay demo': the demo merchant's keys
(merchant.json), the edge's envelope key set and KEK, the QR registry, the
SQLite vault, the built browser assets and logs. It is reused by the next
run. Delete it to start over. Never use these keys for anything real.
`

// prepareDemoData creates the data directory on the first run and reuses
// what it finds on later ones: the merchant, the edge's key set and KEK,
// the registry root, the merchant's QR key and certificate. Secrets are
// written with mode 0600. The trust bundle is signed afresh every run.
func prepareDemoData(dir string, now time.Time) (*demoData, error) {
	d := &demoData{Dir: dir}
	if _, err := os.Stat(filepath.Join(dir, "merchant.json")); errors.Is(err, os.ErrNotExist) {
		d.Created = true
	}
	for _, sub := range []string{"", "registry", "registry/certs", "assets", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("demo: creating the data directory: %w", err)
		}
	}
	// A .gitignore of "*" keeps the directory out of git wherever it is.
	if err := writeIfMissing(d.path(".gitignore"), []byte("# sealpay demo state: never commit\n*\n"), 0o644); err != nil {
		return nil, err
	}
	if err := writeIfMissing(d.path("README.txt"), []byte(demoReadme), 0o644); err != nil {
		return nil, err
	}
	bad := func(name string, err error) error {
		return fmt.Errorf("demo: %s is unreadable (%v); delete %s to start over: %w", d.path(name), err, dir, errcode.New(errcode.BadRequest, "bad demo data"))
	}

	// The merchant.
	if b, err := os.ReadFile(d.path("merchant.json")); err == nil {
		if err := json.Unmarshal(b, &d.Merchant); err != nil {
			return nil, bad("merchant.json", err)
		}
		m := d.Merchant
		if m.ID == "" || !strings.HasPrefix(m.PublishableKey, "pk_") || !strings.HasPrefix(m.SecretKey, "sk_") || len(m.SigningSecret) < 32 || m.ProviderKey == "" {
			return nil, bad("merchant.json", errors.New("missing fields"))
		}
	} else if errors.Is(err, os.ErrNotExist) {
		pk, sk := edge.NewAPIKeys()
		d.Merchant = demoMerchant{
			ID: demoMerchantID, Name: demoMerchantName, PublishableKey: pk, SecretKey: sk,
			SigningSecret: "whsec_" + rand.Text() + rand.Text(), ProviderKey: "psp_test_" + rand.Text(),
			Created: now.UTC().Truncate(time.Second),
		}
		b, _ := json.MarshalIndent(d.Merchant, "", "  ")
		if err := writeIfMissing(d.path("merchant.json"), append(b, '\n'), 0o600); err != nil {
			return nil, err
		}
	} else {
		return nil, err
	}

	// The edge's envelope key set and the vault's KEK.
	if _, err := os.Stat(d.path("edge-keys.json")); errors.Is(err, os.ErrNotExist) {
		ks, err := envelope.GenerateKeySet()
		if err != nil {
			return nil, err
		}
		if err := envelope.WriteKeySetFile(d.path("edge-keys.json"), ks); err != nil {
			return nil, err
		}
	} else if _, err := envelope.ReadKeySetFile(d.path("edge-keys.json")); err != nil {
		return nil, bad("edge-keys.json", err)
	}
	if _, err := os.Stat(d.path("kek.secret")); errors.Is(err, os.ErrNotExist) {
		secret := make([]byte, 32)
		rand.Read(secret)
		kek := "# the vault's key-encryption key (ID:BASE64); never commit\nk1:" + base64.StdEncoding.EncodeToString(secret) + "\n"
		if err := writeIfMissing(d.path("kek.secret"), []byte(kek), 0o600); err != nil {
			return nil, err
		}
	} else if b, err := os.ReadFile(d.path("kek.secret")); err != nil {
		return nil, err
	} else if _, err := edge.ParseKEKs(b); err != nil {
		return nil, bad("kek.secret", err)
	}
	// The audit log's MAC key, kept out of the database.
	if _, err := os.Stat(d.path("audit.secret")); errors.Is(err, os.ErrNotExist) {
		secret := make([]byte, 32)
		rand.Read(secret)
		key := "# the audit log's MAC key (ID:BASE64); never commit\na1:" + base64.StdEncoding.EncodeToString(secret) + "\n"
		if err := writeIfMissing(d.path("audit.secret"), []byte(key), 0o600); err != nil {
			return nil, err
		}
	} else if b, err := os.ReadFile(d.path("audit.secret")); err != nil {
		return nil, err
	} else if _, err := audit.ParseKeys(b); err != nil {
		return nil, bad("audit.secret", err)
	}

	// The QR registry: a root key, the merchant's QR key and certificate.
	root, err := loadOrCreate(d.path("registry", "root.jwk"), qr.ParseRootKey, qr.GenerateRootKey, (*qr.RootKey).ExportPrivateJWK)
	if err != nil {
		return nil, bad("registry/root.jwk", err)
	}
	if err := os.WriteFile(d.path("registry", "root.pub.jwk"), root.PublicJWK(), 0o644); err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, root.PublicJWK()); err != nil {
		return nil, err
	}
	d.QRRootsJSON = []byte("[" + compact.String() + "]")
	d.QRKey, err = loadOrCreate(d.path("merchant-qr.jwk"), qr.ParseMerchantKey, qr.GenerateMerchantKey, (*qr.MerchantKey).ExportPrivateJWK)
	if err != nil {
		return nil, bad("merchant-qr.jwk", err)
	}
	// The certificate binds the payee accounts of the merchant's base code,
	// which POST /v1/qr signs: the registry's 'certify --accounts-from'.
	base, err := qr.Parse(d.qrBasePayload(), qr.Strict)
	if err != nil {
		return nil, err
	}
	accounts := base.Accounts()
	certPath := d.path("registry", "certs", d.Merchant.ID+".json")
	if b, err := os.ReadFile(certPath); err == nil {
		// Reuse a certificate for this key and these accounts that is valid
		// for a while yet. One from an older demo without accounts does not
		// parse, and is replaced.
		c, err := qr.ParseCertificate(b)
		if err == nil && c.KeyID == d.QRKey.KeyID() && c.RootID == root.KeyID() && now.Add(30*24*time.Hour).Before(c.NotAfter) && !now.Before(c.NotBefore) &&
			sameAccounts(c.Accounts, accounts) {
			d.Cert = c
		}
	}
	if d.Cert == nil {
		d.Cert, err = root.Certify(qr.Certificate{
			MerchantID: d.Merchant.ID, Name: demoMerchantName, Names: []string{demoPayee},
			Accounts:  accounts,
			Domains:   []string{"hikari-ceramics.example"},
			PublicKey: d.QRKey.Public(), NotBefore: now.UTC().Add(-time.Hour).Truncate(time.Second), NotAfter: now.UTC().AddDate(1, 0, 0).Truncate(time.Second),
		})
		if err != nil {
			return nil, err
		}
		b, _ := json.MarshalIndent(d.Cert, "", "  ")
		if err := os.WriteFile(certPath, append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
	}
	version := int64(1)
	if prev, err := os.ReadFile(d.path("trust-bundle.json")); err == nil {
		if t, err := qr.LoadTrustBundle(prev, []ed25519.PublicKey{root.Public()}, now); err == nil {
			version = t.Bundle().Version + 1
		}
	}
	// A fresh bundle every run, valid for the default 30 days.
	d.TrustBundle, err = root.SignBundle(qr.Bundle{Version: version, IssuedAt: now.UTC().Truncate(time.Second), Certificates: []qr.Certificate{*d.Cert}})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(d.path("trust-bundle.json"), d.TrustBundle, 0o644); err != nil {
		return nil, err
	}
	return d, nil
}

// sameAccounts reports whether a certificate's accounts are want, in order.
func sameAccounts(got, want []qr.Object) bool {
	return slices.EqualFunc(got, want, func(a, b qr.Object) bool { return a.ID == b.ID && a.Value == b.Value })
}

// writeIfMissing writes a new file with perm, leaving an existing one alone.
func writeIfMissing(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadOrCreate reads a private key file, or makes the key and writes it
// with mode 0600.
func loadOrCreate[K any](path string, parse func([]byte) (K, error), generate func() (K, error), export func(K) []byte) (K, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return parse(b)
	}
	var zero K
	if !errors.Is(err, os.ErrNotExist) {
		return zero, err
	}
	k, err := generate()
	if err != nil {
		return zero, err
	}
	if err := writeIfMissing(path, export(k), 0o600); err != nil {
		return zero, err
	}
	return k, nil
}

// writeDemoEdgeConfig writes DIR/edge-config.json for this run's ports:
// the same file `sealpay serve --config` reads. It holds the forward
// signing secret, so it is mode 0600.
func writeDemoEdgeConfig(d *demoData, urls map[string]string, extra []string) (string, error) {
	m := d.Merchant
	var origins []string
	for _, role := range []string{"storefront", "QR poster"} {
		u := urls[role]
		origins = append(origins, u, strings.Replace(u, "127.0.0.1", "localhost", 1))
	}
	for _, o := range extra {
		if !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	backend := urls["merchant backend"]
	cfg := map[string]any{
		"database":          "vault.db",
		"keys_file":         "edge-keys.json",
		"kek_file":          "kek.secret",
		"audit_key_file":    "audit.secret",
		"trust_bundle_file": "trust-bundle.json",
		"assets_dir":        "assets",
		"qr_root_files":     []string{"registry/root.pub.jwk"},
		"merchants": []map[string]any{{
			"id":               m.ID,
			"publishable_keys": []string{edge.HashAPIKey(m.PublishableKey)},
			"secret_keys":      []string{edge.HashAPIKey(m.SecretKey)},
			"allowed_origins":  origins,
			"forward_routes": map[string]string{
				"checkout": backend + "/sealpay/checkout",
				"cards":    backend + "/sealpay/cards",
				"forget":   backend + "/sealpay/forget",
			},
			"relay_routes":        samplepsp.RelayRoutes(strings.TrimPrefix(urls["sample provider"], "http://")),
			"signing_secret":      m.SigningSecret,
			"allow_loopback_http": true,
			"qr": map[string]string{
				"key_file":         "merchant-qr.jwk",
				"certificate_file": "registry/certs/" + m.ID + ".json",
				"base_payload":     d.qrBasePayload(),
			},
		}},
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", err
	}
	path := d.path("edge-config.json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// demoAssets are the browser files the edge serves, from js/dist/browser;
// the optional ones are loaded on first use (direct mode, QR decoding,
// the wallet frame).
var demoAssets = []struct {
	name     string
	optional bool
}{{"sealpay.js", false}, {"frame.html", false}, {"frame.js", false}, {"qrdecode.js", true}, {"direct.js", true}, {"extra.js", true}, {"wallet.js", true}}

// copyDemoAssets copies the committed browser assets into dst.
func copyDemoAssets(root, dst string) error {
	src := filepath.Join(root, "js", "dist", "browser")
	for _, a := range demoAssets {
		b, err := os.ReadFile(filepath.Join(src, a.name))
		if errors.Is(err, os.ErrNotExist) && a.optional {
			continue
		}
		if err != nil {
			return fmt.Errorf("demo: the browser asset js/dist/browser/%s is missing (build it with 'cd js && npm run build'): %w", a.name, err)
		}
		if err := os.WriteFile(filepath.Join(dst, a.name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// buildBrowserModule builds the browser assets into dst with wasm/assets:
// the card and QR modules (the same bytes for every deployment),
// wasm_exec.js from the same toolchain, and the committed scripts with the
// modules' hashes and qrRoots (pinned by the frame for verifyQR) filled in.
func buildBrowserModule(ctx context.Context, root, dst string, qrRoots []byte) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("demo: the go command is not on PATH; the demo builds the browser module with it: %w", err)
	}
	if err := assets.Build(ctx, assets.Options{Root: root, Dir: dst, QRRoots: qrRoots, Go: goBin}); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("demo: building the browser module failed: %w", err)
	}
	return nil
}

// subresourceIntegrity returns the SRI value ("sha384-…") of a file.
func subresourceIntegrity(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:]), nil
}

// teeHandler sends every record to the log file and warnings to stderr.
type teeHandler struct{ file, stderr slog.Handler }

func (t *teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return t.file.Enabled(ctx, l) || t.stderr.Enabled(ctx, l)
}

func (t *teeHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if t.file.Enabled(ctx, r.Level) {
		err = t.file.Handle(ctx, r.Clone())
	}
	if t.stderr.Enabled(ctx, r.Level) {
		err = errors.Join(err, t.stderr.Handle(ctx, r))
	}
	return err
}

func (t *teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &teeHandler{t.file.WithAttrs(as), t.stderr.WithAttrs(as)}
}

func (t *teeHandler) WithGroup(name string) slog.Handler {
	return &teeHandler{t.file.WithGroup(name), t.stderr.WithGroup(name)}
}

// qrBasePayload is the demo merchant's base QR payload, which the edge's
// POST /v1/qr makes signed dynamic codes from. It stands for the static
// code a merchant's bank issues: a merchant account template (26) with the
// GUID com.sealpay and the merchant id, the payee name and city.
func (d *demoData) qrBasePayload() string {
	base, err := qr.Build([]qr.Object{
		{ID: "00", Value: "01"},
		{ID: "01", Value: "11"},
		{ID: "26", Children: []qr.Object{{ID: "00", Value: "com.sealpay"}, {ID: "01", Value: d.Merchant.ID}}},
		{ID: "52", Value: "5719"}, // home furnishing specialty stores
		{ID: "53", Value: "392"},
		{ID: "58", Value: "JP"},
		{ID: "59", Value: demoPayee},
		{ID: "60", Value: "KYOTO"},
	})
	if err != nil {
		panic("demo: internal error: base QR payload: " + err.Error())
	}
	return base
}
