//go:build !js

package edge

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sealpay/sealpay/edge/precompressed"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/token"
	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver
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
	kekBytes, err := readSecretFile(cfg.KEKFile, "kek_file")
	if err != nil {
		return nil, nil, err
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
		// The handler serves the brotli and gzip copies as they are.
		if err := precompressed.Check(assets); err != nil {
			return nil, nil, fmt.Errorf("edge: assets_dir: %w (rebuild the assets with js/scripts/build-wasm.mjs)", err)
		}
	}
	mode := cfg.DatabaseCheckpoint
	if mode == "" {
		mode = defaultCheckpoint
	}
	var lim *ckptLimits
	if mode == CheckpointBackground {
		l := defaultCkptLimits
		lim = &l
	}
	g, err := openServerDBWith(ctx, cfg.Database, cfg.DatabaseSync, lim)
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
// migrations. It fails at once while a sealpay serve holds the database.
// Every statement commits on its own; the server itself ([Open]) groups
// commits instead.
func OpenSQLite(ctx context.Context, path string) (*sql.DB, error) {
	lock, err := lockDatabase(path)
	if err != nil {
		return nil, err
	}
	base, err := sqlite.NewConnector(sqliteDSN(path, true, commitCheckpointFrames))
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("edge: opening database: %w", err)
	}
	db := sql.OpenDB(&lockedConnector{Connector: base, lock: lock})
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

// lockedConnector lets go of the database's lock when its database/sql
// handle closes.
type lockedConnector struct {
	driver.Connector
	lock io.Closer
}

func (c *lockedConnector) Close() error { return c.lock.Close() }

// openServerDB opens the server's database like [OpenSQLite], with
// commits grouped (see groupCommit), SQLite's checkpoints inside COMMITs
// (database_checkpoint "commit") and, unless sync (database_sync) is
// "normal", each group commit fsynced (see walSyncer).
func openServerDB(ctx context.Context, path, sync string) (*groupCommit, error) {
	return openServerDBWith(ctx, path, sync, nil)
}

// openServerDBWith is openServerDB, with checkpoints off the write path
// (database_checkpoint "background", see checkpointer) if lim is not nil.
func openServerDBWith(ctx context.Context, path, sync string, lim *ckptLimits) (*groupCommit, error) {
	lock, err := lockDatabase(path)
	if err != nil {
		return nil, err
	}
	var wal *walSyncer
	if sync != SyncNormal {
		wal = newWALSyncer(path)
	}
	dsn := sqliteDSN(path, true, commitCheckpointFrames)
	if lim != nil {
		dsn = sqliteDSN(path, false, ckptBackstopFrames)
	}
	g, err := openGroupCommit(dsn, wal)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("edge: opening database: %w", err)
	}
	g.lock = lock // closed with g.db
	if err := migrate(ctx, g.db, path); err != nil {
		g.db.Close()
		return nil, err
	}
	if lim != nil {
		ckpt, err := newCheckpointer(sqliteDSN(path, false, 0), g, *lim)
		if err != nil {
			g.db.Close()
			return nil, fmt.Errorf("edge: opening the database's checkpoint connection: %w", err)
		}
		g.ckpt = ckpt // stopped with g.db
	}
	g.enableBatching()
	if g.ckpt != nil {
		g.ckpt.start()
	}
	return g, nil
}

// commitCheckpointFrames is where SQLite checkpoints inside a COMMIT with
// database_checkpoint "commit": every 4,000 WAL pages (16 MiB) instead of
// SQLite's 1,000. Such a checkpoint holds up every statement meanwhile; a
// tokenize adds about ten pages, mostly index leaves at random places, so
// the default checkpointed every hundred requests — with two fsyncs each.
// 4,000 pages measured 8% more tokenizes per second (docs/edge-api.md,
// "Performance"); beyond that nothing more was gained.
const commitCheckpointFrames = 4000

// sqliteDSN is the DSN of the database file at path: WAL journal,
// synchronous=NORMAL (SQLite syncs the WAL only around checkpoints; the
// server adds its own fsync, see walSyncer), a 10 s busy timeout, and, if
// autocheckpoint is not 0, a checkpoint inside the COMMIT that takes the
// WAL past that many pages.
//
// With exclusive, the connection holds the database in SQLite's exclusive
// locking mode: no other connection, in this process or another, can use
// it. Without, the server's checkpoint connection can work next to its
// writing one (see checkpointer); lockDatabase keeps other servers out.
func sqliteDSN(path string, exclusive bool, autocheckpoint int) string {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	if exclusive {
		dsn += "&_pragma=locking_mode(EXCLUSIVE)"
	}
	if autocheckpoint > 0 {
		dsn += "&_pragma=wal_autocheckpoint(" + strconv.Itoa(autocheckpoint) + ")"
	}
	return dsn
}

// errDatabaseInUse is returned when another server, or another handle in
// this process, holds the database.
var errDatabaseInUse = errors.New("in use by another sealpay serve (or sealpay audit): the server keeps it exclusively")

// errDatabaseHeld is the error for the database at path, held elsewhere.
func errDatabaseHeld(path string) error {
	return fmt.Errorf("edge: database %s is %w", path, errDatabaseInUse)
}

func migrate(ctx context.Context, db *sql.DB, path string) error {
	if err := token.Migrate(ctx, db); err != nil {
		if strings.Contains(err.Error(), "SQLITE_BUSY") {
			return errDatabaseHeld(path)
		}
		return fmt.Errorf("edge: migrating database: %w", err)
	}
	return nil
}
