// Package server is the native Sealpay edge: it opens the edge handler on
// its SQLite store (edge/sqlitedb) from a configuration file ([Open]),
// listens and serves it ([Listen], [Serve]), and writes the .dev.vars that
// run the same configuration under wrangler dev ([DevVars]). `sealpay
// serve` is these calls.
package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/edge/metrics"
	"github.com/sealpay/sealpay/edge/precompressed"
	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/token"
	"github.com/sealpay/sealpay/sdk/wallet/applepay"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
)

// Listen opens a TCP listener on addr (e.g. "127.0.0.1:8787"), saying so
// plainly when the address is already in use. Listen before opening the
// database, so that a second server fails fast on the port.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("server: address %s is already in use (another sealpay serve or wrangler dev?); pick another", addr)
		}
		return nil, fmt.Errorf("server: listening on %s: %w", addr, err)
	}
	return ln, nil
}

// Serve serves h on ln until ctx is done, then shuts down gracefully,
// letting requests in flight finish for up to 10 s.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	if log != nil {
		srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("server: graceful shutdown: %w", err)
	}
	return nil
}

// Open builds the native edge from a configuration loaded with
// [edge.LoadConfig]: it reads the key set, KEK and trust bundle files and opens
// the SQLite database with edge/sqlitedb (migrated; one writer commits
// groups of units, fsynced with database_sync "full", the default). Close
// the returned database when done.
func Open(ctx context.Context, cfg *edge.Config, log *slog.Logger) (*edge.Handler, *sqlitedb.DB, error) {
	return open(ctx, cfg, log, nil)
}

// OpenMetrics is [Open] with the edge's metrics (edge/metrics) when cfg
// has a metrics_addr: the handler's requests, the database's group
// commits and the vault's rows feed m. m is nil without metrics_addr.
// Serve m.Handler() on its own listener ([Listen] cfg.MetricsAddr, then
// [Serve]), never on the API's.
func OpenMetrics(ctx context.Context, cfg *edge.Config, log *slog.Logger) (h *edge.Handler, db *sqlitedb.DB, m *metrics.Metrics, err error) {
	if cfg.MetricsAddr != "" {
		m = metrics.New()
	}
	h, db, err = open(ctx, cfg, log, m)
	if err != nil {
		return nil, nil, nil, err
	}
	if m != nil {
		if err := m.WatchEventBacklog(h.EventBacklog); err != nil {
			db.Close()
			return nil, nil, nil, fmt.Errorf("server: metrics: %w", err)
		}
	}
	return h, db, m, nil
}

func open(ctx context.Context, cfg *edge.Config, log *slog.Logger, m *metrics.Metrics) (*edge.Handler, *sqlitedb.DB, error) {
	if cfg.Database == "" || cfg.KeysFile == "" || cfg.KEKFile == "" || cfg.AuditKeyFile == "" {
		return nil, nil, fmt.Errorf("server: the native server needs database, keys_file, kek_file and audit_key_file: %w", edge.ErrConfig)
	}
	ks, err := envelope.ReadKeySetFile(cfg.KeysFile)
	if err != nil {
		return nil, nil, fmt.Errorf("server: reading keys_file: %w", err)
	}
	kekBytes, err := edge.ReadSecretFile(cfg.KEKFile, "kek_file")
	if err != nil {
		return nil, nil, err
	}
	keks, err := edge.ParseKEKs(kekBytes)
	if err != nil {
		return nil, nil, err
	}
	akeys, err := ReadAuditKeys(cfg)
	if err != nil {
		return nil, nil, err
	}
	var trust []byte
	if cfg.TrustBundleFile != "" {
		if trust, err = os.ReadFile(cfg.TrustBundleFile); err != nil {
			return nil, nil, fmt.Errorf("server: reading trust_bundle_file: %w", err)
		}
	}
	var assets fs.FS
	if cfg.AssetsDir != "" {
		assets = os.DirFS(cfg.AssetsDir)
		// The handler serves the brotli and gzip copies as they are.
		if err := precompressed.Check(assets); err != nil {
			return nil, nil, fmt.Errorf("server: assets_dir: %w (rebuild the assets with js/scripts/build-wasm.mjs)", err)
		}
	}
	var gpKeys *googlepay.KeySet
	if cfg.GooglePayKeysFile != "" {
		b, err := edge.ReadSecretFile(cfg.GooglePayKeysFile, "google_pay_keys_file")
		if err != nil {
			return nil, nil, err
		}
		if gpKeys, err = edge.ParseGooglePayKeys(b); err != nil {
			return nil, nil, err
		}
	}
	var apKeys *applepay.KeySet
	if cfg.ApplePayKeysFile != "" {
		b, err := edge.ReadSecretFile(cfg.ApplePayKeysFile, "apple_pay_keys_file")
		if err != nil {
			return nil, nil, err
		}
		if apKeys, err = edge.ParseApplePayKeys(b); err != nil {
			return nil, nil, err
		}
	}
	dbOpts := sqlitedb.Options{Sync: cfg.DatabaseSync}
	var observe func(edge.RequestStats)
	if m != nil {
		dbOpts.OnCommit, observe = m.ObserveCommit, m.ObserveRequest
	}
	db, err := sqlitedb.Open(ctx, cfg.Database, dbOpts)
	if err != nil {
		return nil, nil, err
	}
	if m != nil {
		if err := m.WatchVault(db); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	// One process holds the database (sqlitedb's lock), so the CVC keys
	// can live in its memory and never reach the disk.
	h, err := edge.New(edge.Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: akeys, Store: db, TrustBundle: trust, Assets: assets, Logger: log,
		CVCKeys: token.NewMemoryCVCKeys(), GooglePayKeys: gpKeys, ApplePayKeys: apKeys, Observe: observe})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return h, db, nil
}

// ReadAuditKeys reads the audit log's keys from cfg's audit_key_file,
// refusing a file its group or other users may read or write.
func ReadAuditKeys(cfg *edge.Config) (*audit.Keys, error) {
	if cfg.AuditKeyFile == "" {
		return nil, fmt.Errorf("server: no audit_key_file configured: %w", edge.ErrConfig)
	}
	b, err := edge.ReadSecretFile(cfg.AuditKeyFile, "audit_key_file")
	if err != nil {
		return nil, err
	}
	ks, err := audit.ParseKeys(b)
	if err != nil {
		return nil, fmt.Errorf("server: audit_key_file: %w", err)
	}
	return ks, nil
}

// PurgeJobs are the native server's purge jobs: the edge's
// ([edge.Handler.PurgeJobs]); with cfg's audit_retention and
// audit_archive, the audit log's ("audit": [edge.Handler.PruneAudit],
// appending what it cuts to the archive file, created 0600); then a
// checkpoint that truncates the WAL ("checkpoint"), so that with
// secure_delete no deleted row's bytes stay in vault.db or its -wal.
func PurgeJobs(h *edge.Handler, db *sqlitedb.DB, cfg *edge.Config) []edge.PurgeJob {
	jobs := h.PurgeJobs()
	if keep, _ := cfg.AuditRetentionPeriod(); keep > 0 && cfg.AuditArchive != "" {
		jobs = append(jobs, edge.PurgeJob{Name: "audit", Run: func(ctx context.Context, _ time.Time) (int, error) {
			return pruneAudit(ctx, h, cfg.AuditArchive)
		}})
	}
	return append(jobs, edge.PurgeJob{Name: "checkpoint", Run: func(ctx context.Context, _ time.Time) (int, error) {
		return 0, db.Checkpoint(ctx)
	}})
}

// pruneAudit runs the audit log's retention, archiving to the file at path.
func pruneAudit(ctx context.Context, h *edge.Handler, path string) (int, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, fmt.Errorf("server: opening audit_archive: %w", err)
	}
	res, err := h.PruneAudit(ctx, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("server: closing audit_archive: %w", cerr)
	}
	return int(res.Entries), err
}

// RunPurge runs jobs every interval until ctx is done, and once at once.
// Each run is logged (counts per job, errors with their causes).
func RunPurge(ctx context.Context, jobs []edge.PurgeJob, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := edge.RunPurge(ctx, jobs, time.Now())
		attrs := make([]any, 0, 2*len(res))
		for _, r := range res {
			attrs = append(attrs, r.Name, r.Deleted)
		}
		if err != nil {
			log.Error("sealpay serve: purge failed", append(attrs, "err", err.Error())...)
		} else {
			log.Debug("sealpay serve: purged", attrs...)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// OpenSQLite opens the SQLite database at path as a plain database/sql
// handle for tools (sealpay audit, the demo's probe), migrated; see
// sqlitedb.OpenSQL. It fails at once while a sealpay serve holds the
// database.
func OpenSQLite(ctx context.Context, path string) (*sql.DB, error) {
	return sqlitedb.OpenSQL(ctx, path)
}
