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
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

// Group commit for the native server.
//
// The vault, the limiter and the audit log run single statements, each
// atomic on its own, because D1 has no transactions (docs/vault.md). On
// SQLite each of those statements is a commit of its own, and a commit
// costs more than the statement: the changed pages go to the WAL, a
// checksum over each, and with synchronous=FULL an fsync. A tokenize makes
// seven.
//
// The native server holds its database through one connection anyway, so
// it groups them: the first statement after a commit opens a transaction
// (BEGIN IMMEDIATE), the statements of every request in flight run inside
// it, and one COMMIT ends it when a request is about to answer — or to send
// a token or a card number out — and waits for its writes to be durable
// (groupCommit.wait). That request and every other one that waits at the
// same time share the COMMIT, and its fsync with database_sync "full".
//
// What this keeps:
//
//   - An answer that acknowledges a change goes out only after a COMMIT that
//     followed the change: a crash of the process (database_sync "normal")
//     or of the machine ("full") loses no acknowledged token, used CVC or
//     audit entry.
//   - Statements still run one after another in the order requests make
//     them. A COMMIT can fall between any two of a request's statements, as
//     a crash could before: the order of the statements is what keeps that
//     safe (docs/vault.md, "No transactions").
//   - A statement that fails a constraint (a replayed jti, an audit entry
//     that lost its race) is undone alone by SQLite, as before.
//
// What changes: any other failure of a statement or of a COMMIT inside the
// shared transaction (a full disk, an I/O error) can undo the writes of
// other requests too, some of which may already hold what they read back
// (the audit log's head, a new data key). The database then fails closed:
// it rolls back, refuses every later statement and every wait, and the
// server answers 500 until it is restarted — the way PostgreSQL stops on a
// failed fsync instead of carrying on with a state it cannot trust.
type groupCommit struct {
	db       *sql.DB
	sync     groupSync
	wal      *walSyncer    // fsyncs the WAL after each COMMIT; nil with database_sync "normal"
	ckpt     *checkpointer // checkpoints off the write path; nil until started
	lock     io.Closer     // the server's hold on the database (lockDatabase); nil if none
	batching atomic.Bool   // false while migrations run their own transactions
	timer    atomic.Bool   // a lazy commit is scheduled

	mu     sync.Mutex
	broken error // the failure that stopped the database, if any

	// The connections open on the database, and whether database/sql has
	// closed the handle: the checkpointer and the lock go with the last
	// connection, not with the handle, which closes while a connection in
	// use is still open (DB.Close closes idle connections only).
	lifeMu   sync.Mutex
	conns    int
	closing  bool
	released bool
}

// commitGather is how long a COMMIT waits for requests in flight to join
// it. Each COMMIT writes the pages its transaction changed to the WAL (and
// fsyncs it with database_sync "full"); requests that share one share that
// cost. A millisecond gathers a handful of requests at a few thousand per
// second and costs less in latency than the commits it saves.
const commitGather = time.Millisecond

// lazyCommit is how long writes nobody waits for (the rate-limit counts of
// a GET) may sit in an open transaction.
const lazyCommit = 20 * time.Millisecond

// errBatchTx is returned to code that opens its own transaction while
// commits are grouped.
var errBatchTx = errors.New("edge: explicit transactions are not available while commits are grouped")

// openGroupCommit opens a database/sql handle on one connection to dsn whose
// statements are grouped into shared transactions once enableBatching is
// called.
//
// With wal set (database_sync "full"), each COMMIT is followed by an fsync
// of the WAL (walSyncer) before the waiters are released; the DSN then
// asks for synchronous=NORMAL, so that SQLite does not fsync inside the
// COMMIT, where it would hold up every request's statements.
func openGroupCommit(dsn string, wal *walSyncer) (*groupCommit, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	g := &groupCommit{wal: wal}
	g.sync.flush = g.commit
	if wal != nil {
		g.sync.flush = func() error {
			if err := g.commit(); err != nil {
				return err
			}
			if err := wal.flush(); err != nil {
				return g.fail(err)
			}
			return nil
		}
	}
	g.sync.gather = commitGather
	g.db = sql.OpenDB(&gcConnector{base: base, g: g})
	// One connection: SQLite has one writer at a time, the database is held
	// in exclusive locking mode, and the shared transaction lives on it.
	g.db.SetMaxOpenConns(1)
	g.db.SetMaxIdleConns(1)
	return g, nil
}

// enableBatching starts grouping statements into shared transactions.
func (g *groupCommit) enableBatching() { g.batching.Store(true) }

// wait returns once every statement run before the call is committed, or
// with the error that stopped the database.
func (g *groupCommit) wait(ctx context.Context) error {
	if err := g.err(); err != nil {
		return err
	}
	return g.sync.wait(ctx)
}

// commit ends the shared transaction, if one is open. groupSync calls it,
// one at a time. Right after a COMMIT, while it still holds the connection
// and no statement can begin another transaction, it lets the checkpointer
// start the WAL over if it asked to.
func (g *groupCommit) commit() error {
	conn, err := g.db.Conn(context.Background())
	if err != nil {
		return fmt.Errorf("edge: committing: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c := dc.(*gcConn)
		wrote := c.inTx
		if err := c.commit(); err != nil || !wrote || g.ckpt == nil {
			return err
		}
		return g.ckpt.committed(c.inner)
	})
}

func (g *groupCommit) err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.broken
}

// fail stops the database for good after err.
func (g *groupCommit) fail(err error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.broken == nil {
		g.broken = fmt.Errorf("edge: a statement in a grouped commit failed; the database refuses writes until the server restarts: %w", err)
	}
	return g.broken
}

// scheduleCommit makes sure the open transaction is committed soon even if
// no request waits for it.
func (g *groupCommit) scheduleCommit() {
	if g.timer.Swap(true) {
		return
	}
	time.AfterFunc(lazyCommit, func() {
		g.timer.Store(false)
		g.sync.wait(context.Background())
	})
}

// isConstraint reports whether err is a constraint violation, which SQLite
// undoes for the failing statement only.
func isConstraint(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == 19 // SQLITE_CONSTRAINT and its extended codes
}

// gcConnector makes gcConns.
type gcConnector struct {
	base driver.Connector
	g    *groupCommit
}

func (c *gcConnector) Connect(ctx context.Context) (driver.Conn, error) {
	inner, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	c.g.lifeMu.Lock()
	c.g.conns++
	c.g.lifeMu.Unlock()
	return &gcConn{inner: inner, g: c.g}, nil
}

func (c *gcConnector) Driver() driver.Driver { return c.base.Driver() }

// Close runs when the database/sql handle closes. That closes the idle
// connection only: one still in use (a COMMIT in flight, a request that
// outlived the server's shutdown) closes when it is released. So the
// database is let go of (release) here only if no connection is open, and
// otherwise by the last connection's Close.
func (c *gcConnector) Close() error {
	c.g.lifeMu.Lock()
	c.g.closing = true
	last := c.g.conns == 0
	c.g.lifeMu.Unlock()
	if last {
		return c.g.release()
	}
	return nil
}

// connClosed is called by each connection's Close, after it closed.
func (g *groupCommit) connClosed() error {
	g.lifeMu.Lock()
	g.conns--
	last := g.closing && g.conns == 0
	g.lifeMu.Unlock()
	if last {
		return g.release()
	}
	return nil
}

// release stops the checkpoints (the checkpointer's connection, closing
// last, checkpoints and removes the WAL) and lets go of the database's
// lock, once.
func (g *groupCommit) release() error {
	g.lifeMu.Lock()
	done := g.released
	g.released = true
	g.lifeMu.Unlock()
	if done {
		return nil
	}
	var err error
	if g.ckpt != nil {
		err = g.ckpt.close()
	}
	if g.lock != nil {
		if lerr := g.lock.Close(); err == nil {
			err = lerr
		}
	}
	return err
}

// gcConn wraps the SQLite connection. database/sql hands it to one
// goroutine at a time, so its fields need no lock.
type gcConn struct {
	inner driver.Conn // modernc.org/sqlite's conn: ExecerContext, QueryerContext, ConnPrepareContext, ConnBeginTx, …
	g     *groupCommit
	inTx  bool
}

var (
	_ driver.ExecerContext      = (*gcConn)(nil)
	_ driver.QueryerContext     = (*gcConn)(nil)
	_ driver.ConnPrepareContext = (*gcConn)(nil)
	_ driver.ConnBeginTx        = (*gcConn)(nil)
	_ driver.SessionResetter    = (*gcConn)(nil)
	_ driver.Validator          = (*gcConn)(nil)
)

// noCancel drops ctx's cancellation: an interrupted statement would roll
// back the whole shared transaction.
func noCancel(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// before opens the shared transaction if needed.
func (c *gcConn) before() error {
	if err := c.g.err(); err != nil {
		return err
	}
	if c.inTx || !c.g.batching.Load() {
		return nil
	}
	if _, err := c.inner.(driver.ExecerContext).ExecContext(context.Background(), "BEGIN IMMEDIATE", nil); err != nil {
		return c.g.fail(err)
	}
	c.inTx = true
	c.g.scheduleCommit()
	return nil
}

// after checks a statement's error: anything but a constraint violation
// inside the shared transaction stops the database.
func (c *gcConn) after(err error) error {
	if err == nil || !c.inTx || isConstraint(err) || errors.Is(err, driver.ErrSkip) {
		return err
	}
	c.rollback()
	c.g.fail(err)
	return err
}

func (c *gcConn) rollback() {
	c.inTx = false
	c.inner.(driver.ExecerContext).ExecContext(context.Background(), "ROLLBACK", nil)
}

// commit ends the shared transaction.
func (c *gcConn) commit() error {
	if err := c.g.err(); err != nil {
		return err
	}
	if !c.inTx {
		return nil
	}
	c.inTx = false
	if _, err := c.inner.(driver.ExecerContext).ExecContext(context.Background(), "COMMIT", nil); err != nil {
		c.rollback()
		return c.g.fail(err)
	}
	return nil
}

func (c *gcConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *gcConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.inner.(driver.ConnPrepareContext).PrepareContext(noCancel(ctx), query)
	if err != nil {
		return nil, err
	}
	return &gcStmt{inner: st, c: c}, nil
}

func (c *gcConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.before(); err != nil {
		return nil, err
	}
	r, err := c.inner.(driver.ExecerContext).ExecContext(noCancel(ctx), query, args)
	return r, c.after(err)
}

func (c *gcConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.before(); err != nil {
		return nil, err
	}
	r, err := c.inner.(driver.QueryerContext).QueryContext(noCancel(ctx), query, args)
	if err != nil {
		return nil, c.after(err)
	}
	return &gcRows{inner: r, c: c}, nil
}

// Close commits what is pending, then closes: SQLite would roll back an
// open transaction.
func (c *gcConn) Close() error {
	err := c.commit()
	if err == nil && c.g.wal != nil {
		err = c.g.wal.flush()
	}
	if cerr := c.inner.Close(); err == nil {
		err = cerr
	}
	if c.g.wal != nil {
		c.g.wal.close()
	}
	if rerr := c.g.connClosed(); err == nil {
		err = rerr
	}
	return err
}

func (c *gcConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *gcConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.g.batching.Load() {
		return nil, errBatchTx
	}
	return c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *gcConn) ResetSession(ctx context.Context) error {
	if r, ok := c.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *gcConn) IsValid() bool {
	if v, ok := c.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// gcStmt is a prepared statement on a gcConn.
type gcStmt struct {
	inner driver.Stmt // modernc.org/sqlite's stmt: StmtExecContext, StmtQueryContext
	c     *gcConn
}

func (s *gcStmt) Close() error  { return s.inner.Close() }
func (s *gcStmt) NumInput() int { return s.inner.NumInput() }

func (s *gcStmt) Exec(args []driver.Value) (driver.Result, error) {
	return nil, errors.New("edge: Stmt.Exec without a context is not supported")
}

func (s *gcStmt) Query(args []driver.Value) (driver.Rows, error) {
	return nil, errors.New("edge: Stmt.Query without a context is not supported")
}

func (s *gcStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.c.before(); err != nil {
		return nil, err
	}
	r, err := s.inner.(driver.StmtExecContext).ExecContext(noCancel(ctx), args)
	return r, s.c.after(err)
}

func (s *gcStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.before(); err != nil {
		return nil, err
	}
	r, err := s.inner.(driver.StmtQueryContext).QueryContext(noCancel(ctx), args)
	if err != nil {
		return nil, s.c.after(err)
	}
	return &gcRows{inner: r, c: s.c}, nil
}

// gcRows checks the errors of later steps too.
type gcRows struct {
	inner driver.Rows
	c     *gcConn
}

func (r *gcRows) Columns() []string { return r.inner.Columns() }
func (r *gcRows) Close() error      { return r.inner.Close() }

func (r *gcRows) Next(dest []driver.Value) error {
	err := r.inner.Next(dest)
	if err == io.EOF {
		return err
	}
	return r.c.after(err)
}

// walSyncer fsyncs the WAL of a SQLite database in WAL mode with
// synchronous=NORMAL, which makes the commits before the call as durable as
// synchronous=FULL would have — without holding the connection.
//
// With synchronous=NORMAL, SQLite appends each commit to the -wal file
// without an fsync; it syncs the WAL before every checkpoint, the database
// file after it, and the WAL header when it starts reusing the file after
// a complete checkpoint. So a commit is on stable storage once the -wal
// file has been fsynced after it — or once it was checkpointed, if the WAL
// has gone since. fsync(2) flushes the file, not the descriptor, so the
// syncer may use a descriptor of its own. It keeps it open, and checks by
// name at each flush that the -wal file is still the same one: SQLite
// deletes it when the last connection closes and creates it anew on the
// next write (keeping the old one open means the new one cannot get its
// inode number). A new -wal file also has its directory synced, so that its
// name survives. The syncer never opens the database file itself: closing
// any descriptor of a file drops the process's POSIX locks on it, which
// SQLite holds on the database file (not on the -wal file).
type walSyncer struct {
	wal, dir string

	mu sync.Mutex
	f  *os.File // the -wal file, once seen
}

func newWALSyncer(dbPath string) *walSyncer {
	return &walSyncer{wal: dbPath + "-wal", dir: filepath.Dir(dbPath)}
}

// flush fsyncs the -wal file, if there is one.
func (s *walSyncer) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fi, err := os.Stat(s.wal)
	if errors.Is(err, fs.ErrNotExist) {
		s.closeLocked()
		return nil // no WAL: every commit so far was checkpointed and synced
	}
	if err != nil {
		return fmt.Errorf("edge: finding the WAL to sync it: %w", err)
	}
	if s.f != nil {
		if held, err := s.f.Stat(); err != nil || !os.SameFile(held, fi) {
			s.closeLocked()
		}
	}
	if s.f == nil {
		f, err := os.Open(s.wal)
		if err != nil {
			return fmt.Errorf("edge: opening the WAL to sync it: %w", err)
		}
		d, err := os.Open(s.dir)
		if err != nil {
			f.Close()
			return fmt.Errorf("edge: syncing the database directory: %w", err)
		}
		err = d.Sync()
		d.Close()
		if err != nil {
			f.Close()
			return fmt.Errorf("edge: syncing the database directory: %w", err)
		}
		s.f = f
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("edge: syncing the WAL: %w", err)
	}
	return nil
}

// close lets go of the -wal file.
func (s *walSyncer) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

func (s *walSyncer) closeLocked() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// groupSync runs one flush for any number of concurrent waiters. A waiter
// is released by the first flush that starts after it called wait, so
// whatever it did before calling is covered; waiters that arrive while a
// flush runs share the next one.
//
// Before a flush, the round stays open for up to gather while fewer than
// expect() callers wait: requests still at work will want the same flush
// a moment later. With gather zero, or expect nil, a flush starts at once.
type groupSync struct {
	flush  func() error
	gather time.Duration
	expect func() int64 // how many callers may come, e.g. requests in flight

	mu     sync.Mutex
	next   *syncRound    // the round that starts after the running one; nil if nobody waits
	busy   bool          // a goroutine is running rounds
	joined chan struct{} // poked when a waiter joins, while the runner gathers
}

// syncRound is one flush and the waiters it releases.
type syncRound struct {
	done    chan struct{}
	err     error
	waiters int64
}

// wait returns once a flush that started after the call has finished, with
// that flush's error, or when ctx is done.
func (g *groupSync) wait(ctx context.Context) error {
	g.mu.Lock()
	if g.next == nil {
		g.next = &syncRound{done: make(chan struct{})}
	}
	r := g.next
	r.waiters++
	if !g.busy {
		g.busy = true
		g.joined = make(chan struct{}, 1)
		go g.run()
	} else {
		select {
		case g.joined <- struct{}{}:
		default:
		}
	}
	g.mu.Unlock()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run flushes round after round until no one waits.
func (g *groupSync) run() {
	var timer *time.Timer
	for {
		g.mu.Lock()
		r := g.next
		if r == nil {
			g.busy = false
			g.mu.Unlock()
			return
		}
		if g.gather > 0 && g.expect != nil && r.waiters < g.expect() {
			if timer == nil {
				timer = time.NewTimer(g.gather)
			} else {
				timer.Reset(g.gather)
			}
			for r.waiters < g.expect() {
				g.mu.Unlock()
				select {
				case <-g.joined:
					g.mu.Lock()
					continue
				case <-timer.C:
					g.mu.Lock()
				}
				break
			}
			timer.Stop()
		}
		g.next = nil
		g.mu.Unlock()
		r.err = g.flush()
		close(r.done)
	}
}
