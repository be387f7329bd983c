//go:build !js

package edge

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
	"strings"
	"syscall"
	"time"

	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/token"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// Listen opens a TCP listener on addr (e.g. "127.0.0.1:8787"), saying so
// plainly when the address is already in use. Listen before opening the
// database, so that a second server fails fast on the port.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("edge: address %s is already in use (another sealpay serve or wrangler dev?); pick another with --addr", addr)
		}
		return nil, fmt.Errorf("edge: listening on %s: %w", addr, err)
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
		return fmt.Errorf("edge: graceful shutdown: %w", err)
	}
	return nil
}

// Open builds the native edge from a configuration loaded with
// [LoadConfig]: it reads the key set, KEK and trust bundle files, opens the
// SQLite database (see [OpenSQLite]) and applies the vault's migrations.
// The server groups the statements of concurrent requests into shared
// transactions (group commit, see groupCommit), and every answer that
// acknowledges a change waits for a COMMIT after it — fsynced with
// database_sync "full", the default. Close the returned DB when done: that
// commits what is pending.
func Open(ctx context.Context, cfg *Config, log *slog.Logger) (*Handler, *sql.DB, error) {
	if cfg.Database == "" || cfg.KeysFile == "" || cfg.KEKFile == "" {
		return nil, nil, fmt.Errorf("edge: the native server needs database, keys_file and kek_file: %w", ErrConfig)
	}
	ks, err := envelope.ReadKeySetFile(cfg.KeysFile)
	if err != nil {
		return nil, nil, fmt.Errorf("edge: reading keys_file: %w", err)
	}
	kekBytes, err := os.ReadFile(cfg.KEKFile)
	if err != nil {
		return nil, nil, fmt.Errorf("edge: reading kek_file: %w", err)
	}
	keks, err := ParseKEKs(kekBytes)
	if err != nil {
		return nil, nil, err
	}
	var trust []byte
	if cfg.TrustBundleFile != "" {
		if trust, err = os.ReadFile(cfg.TrustBundleFile); err != nil {
			return nil, nil, fmt.Errorf("edge: reading trust_bundle_file: %w", err)
		}
	}
	var assets fs.FS
	if cfg.AssetsDir != "" {
		assets = os.DirFS(cfg.AssetsDir)
	}
	g, err := openServerDB(ctx, cfg.Database, cfg.DatabaseSync)
	if err != nil {
		return nil, nil, err
	}
	h, err := New(Options{Config: cfg, Keys: ks, KEKs: keks, DB: g.db, TrustBundle: trust, Assets: assets, Logger: log})
	if err != nil {
		g.db.Close()
		return nil, nil, err
	}
	h.durable = g.wait
	g.sync.expect = h.inflight.Load
	db := g.db
	return h, db, nil
}

// OpenSQLite opens (creating if needed) the SQLite database at path with
// the settings the edge relies on — WAL journal, synchronous=NORMAL (a
// committed write survives a crash of the process), a 10 s busy timeout,
// exclusive locking on one connection — and applies the vault's
// migrations. Every statement commits on its own; the server itself ([Open])
// groups commits instead.
func OpenSQLite(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("edge: opening database: %w", err)
	}
	// SQLite has one writer at a time. One connection turns contention into
	// a queue in database/sql instead of SQLITE_BUSY retries with sleeps,
	// which cost far more (p99 of hundreds of ms under load).
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db, path); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openServerDB opens the server's database like [OpenSQLite], with
// commits grouped (see groupCommit) and, unless sync (database_sync) is
// "normal", each group commit fsynced (see walSyncer).
func openServerDB(ctx context.Context, path, sync string) (*groupCommit, error) {
	var wal *walSyncer
	if sync != SyncNormal {
		wal = newWALSyncer(path)
	}
	g, err := openGroupCommit(sqliteDSN(path), wal)
	if err != nil {
		return nil, fmt.Errorf("edge: opening database: %w", err)
	}
	if err := migrate(ctx, g.db, path); err != nil {
		g.db.Close()
		return nil, err
	}
	g.enableBatching()
	return g, nil
}

// sqliteDSN is the DSN of the database file at path: WAL journal,
// synchronous=NORMAL (SQLite syncs the WAL only around checkpoints),
// exclusive locking, 10 s busy timeout, and a checkpoint every 4000 WAL
// pages (16 MiB) instead of SQLite's 1000. A checkpoint runs inside the
// COMMIT that crosses the mark and holds up every statement meanwhile;
// a tokenize adds about ten pages, mostly index leaves at random places,
// so the default checkpointed every hundred requests — with two fsyncs
// each. 4000 pages measured 8% more tokenizes per second (docs/edge-api.md,
// "Performance"); beyond that nothing more was gained.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=locking_mode(EXCLUSIVE)&_pragma=wal_autocheckpoint(4000)"
}

func migrate(ctx context.Context, db *sql.DB, path string) error {
	if err := token.Migrate(ctx, db); err != nil {
		if strings.Contains(err.Error(), "SQLITE_BUSY") {
			return fmt.Errorf("edge: database %s is locked: another sealpay serve holds it (the server keeps it exclusively)", path)
		}
		return fmt.Errorf("edge: migrating database: %w", err)
	}
	return nil
}
