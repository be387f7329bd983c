// Package sqlitedb is the native edge's storage engine: a SQLite database
// (modernc.org/sqlite) that runs atomic units ([sqlunit.Unit]).
//
// One writer goroutine owns the write connection. It takes the units that
// wait, runs them in one transaction with one SAVEPOINT per unit — a unit
// that fails rolls back alone and gets its error — and commits the group
// with one COMMIT, which with Sync "full" is one fsync of the WAL for the
// whole group; each unit completes only after it. Units queue while a
// group commits, so the next group holds every unit that arrived
// meanwhile. Only a failed BEGIN or COMMIT stops the database: every
// later unit then fails, until the server restarts.
//
// Reads ([DB.Query]) run on read-only connections beside the writer (the
// WAL lets readers and one writer work at once) and see every unit that
// completed before them.
//
// Every connection runs with PRAGMA secure_delete=ON: SQLite zeroes the
// bytes of deleted rows in the pages it writes, instead of leaving them on
// free pages or in free space inside a page. In WAL mode the old page
// images stay in the -wal file until a checkpoint copies the pages back and
// the log is reset: [DB.Checkpoint] does that (TRUNCATE), and the edge's
// purge runs it after every purge, so a deleted row leaves no bytes in
// either file (docs/vault.md, "Deletion").
package sqlitedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"github.com/sealpay/sealpay/edge/migrations"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/sqlunit"
	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// A unit marked Early (sqlunit.Unit.Early, the rate-limit counters)
// completes once its savepoint is released, before the group's COMMIT.

// The values of [Options.Sync].
const (
	SyncFull   = "full"   // COMMIT fsyncs the WAL: a machine crash loses no completed unit
	SyncNormal = "normal" // no fsync at COMMIT: a process crash loses none, a machine crash may
)

// Options tune [Open]. The zero value is the defaults.
type Options struct {
	Sync  string // SyncFull if ""
	Reads int    // read connections; 4 if 0
	// OnCommit, if set, is called by the writer after each group's
	// COMMIT, before the group's units complete: keep it short
	// (edge/metrics counts it).
	OnCommit func(GroupStats)
}

// GroupStats describe one group commit, for [Options.OnCommit].
type GroupStats struct {
	// Units is the number of units in the group's transaction (failed
	// ones included: each had its savepoint).
	Units int
	// Commit is the time the COMMIT took. With Sync "full" that is
	// mostly the fsync of the WAL; SQLite does not report the two apart.
	Commit time.Duration
}

// maxGroup bounds the units of one transaction, so that one COMMIT does
// not hold a very long list of waiters.
const maxGroup = 256

// checkpointPages is where SQLite checkpoints the WAL inside a COMMIT:
// every 4,000 pages (16 MiB) instead of SQLite's 1,000. A tokenize adds
// about ten pages at random places, so the default checkpointed every
// hundred requests, each with two fsyncs (BENCHMARKS.md has the
// measurement).
const checkpointPages = 4000

// ErrInUse is returned by [Open] and [OpenSQL] while another server (or
// sealpay audit, or a demo) holds the database.
var ErrInUse = errors.New("in use by another sealpay serve (or sealpay audit): the server keeps it exclusively")

func errHeld(path string) error {
	return fmt.Errorf("sqlitedb: database %s is %w", path, ErrInUse)
}

// DB is an open database. It implements [sqlunit.Executor].
type DB struct {
	write *sql.DB
	conn  *sql.Conn // the writer's connection, used by run only
	read  *sql.DB
	lock  io.Closer

	jobs    chan *job
	stopped chan struct{} // closed when run returns

	mu     sync.RWMutex // guards closed against Exec's send
	closed bool

	broken error // set by run only, read after a failed unit

	onCommit func(GroupStats) // [Options.OnCommit]

	wstmts map[string]*sql.Stmt // the writer's prepared statements
	rstmts sync.Map             // query text → *sql.Stmt on read
}

// job is one unit waiting for the writer.
type job struct {
	u    sqlunit.Unit
	rows []sqlunit.Rows
	err  error
	undo func()
	done chan struct{}
	sent bool // done closed early (Unit.Early)
	// fn, if set, makes this job not a unit but a call of fn on the
	// writer's connection between two groups (a checkpoint).
	fn func() error
}

var _ sqlunit.Executor = (*DB)(nil)

// secureDelete is a per-connection pragma, so it is in every DSN: the
// writer's, the readers' (a reader never deletes, but a connection
// without it that ever wrote would leave deleted bytes behind) and the
// tools'.
const secureDelete = "&_pragma=secure_delete(on)"

func dsn(path string, sync string) string {
	s := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" + secureDelete
	if sync == SyncNormal {
		s += "&_pragma=synchronous(NORMAL)"
	} else {
		s += "&_pragma=synchronous(FULL)"
	}
	return s + "&_pragma=wal_autocheckpoint(" + strconv.Itoa(checkpointPages) + ")"
}

// Open opens (creating if needed) the SQLite database at path, applies the
// vault's migrations and starts the writer. It fails at once with
// [ErrInUse] while another process holds the database. Close it when done.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Sync != "" && opts.Sync != SyncFull && opts.Sync != SyncNormal {
		return nil, fmt.Errorf("sqlitedb: sync must be %q or %q", SyncFull, SyncNormal)
	}
	if opts.Reads <= 0 {
		opts.Reads = 4
	}
	lock, err := lockDatabase(path)
	if err != nil {
		return nil, err
	}
	d := &DB{lock: lock, jobs: make(chan *job, maxGroup), stopped: make(chan struct{}), wstmts: map[string]*sql.Stmt{},
		onCommit: opts.OnCommit}
	fail := func(err error) (*DB, error) {
		d.closeHandles()
		return nil, err
	}
	if d.write, err = sql.Open("sqlite", dsn(path, opts.Sync)); err != nil {
		return fail(fmt.Errorf("sqlitedb: opening %s: %w", path, err))
	}
	d.write.SetMaxOpenConns(1)
	if err := migrate(ctx, d.write, path); err != nil {
		return fail(err)
	}
	if d.conn, err = d.write.Conn(ctx); err != nil {
		return fail(fmt.Errorf("sqlitedb: opening %s: %w", path, err))
	}
	if d.read, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)"+secureDelete); err != nil {
		return fail(fmt.Errorf("sqlitedb: opening %s for reading: %w", path, err))
	}
	d.read.SetMaxOpenConns(opts.Reads)
	d.read.SetMaxIdleConns(opts.Reads)
	go d.run()
	return d, nil
}

// OpenSQL opens the database at path as a plain database/sql handle on one
// connection, for tools (sealpay audit, the demo's probe): it takes the
// same hold as [Open], so it fails with [ErrInUse] while a server runs,
// applies the migrations, and lets go of the hold when the handle closes.
func OpenSQL(ctx context.Context, path string) (*sql.DB, error) {
	lock, err := lockDatabase(path)
	if err != nil {
		return nil, err
	}
	base, err := sqlite.NewConnector(dsn(path, SyncFull))
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("sqlitedb: opening %s: %w", path, err)
	}
	db := sql.OpenDB(&lockedConnector{base, lock})
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db, path); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// lockedConnector lets go of the database's hold when its database/sql
// handle closes.
type lockedConnector struct {
	driver.Connector
	lock io.Closer
}

func (c *lockedConnector) Close() error { return c.lock.Close() }

func migrate(ctx context.Context, db *sql.DB, path string) error {
	if err := migrations.Apply(ctx, db); err != nil {
		if code(err) == sqlite3.SQLITE_BUSY {
			return errHeld(path)
		}
		return fmt.Errorf("sqlitedb: migrating %s: %w", path, err)
	}
	return nil
}

// code is the primary SQLite result code of err, or 0.
func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() & 0xff
	}
	return 0
}

// Code returns the primary SQLite result code (sqlite3.SQLITE_FULL, …)
// of an error from [DB.Exec] or [DB.Query], or 0 if it has none.
func Code(err error) int { return code(err) }

// Exec runs u as one unit of the writer's next group and returns once the
// group's COMMIT (and, with Sync "full", its fsync) is done.
func (d *DB) Exec(ctx context.Context, u sqlunit.Unit) ([]sqlunit.Rows, error) {
	j := &job{u: u, done: make(chan struct{})}
	d.mu.RLock()
	if d.closed {
		d.mu.RUnlock()
		return nil, errors.New("sqlitedb: database closed")
	}
	d.jobs <- j
	d.mu.RUnlock()
	// Not ctx: a unit the writer has taken completes, and its caller
	// learns how, even if its client has gone.
	<-j.done
	return j.rows, j.err
}

// Query runs a read on one of the read connections.
func (d *DB) Query(ctx context.Context, q string, args ...any) (sqlunit.Rows, error) {
	st, err := d.readStmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(context.WithoutCancel(ctx), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: reading: %w", err)
	}
	out, err := sqlunit.Collect(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: reading: %w", err)
	}
	return out, nil
}

// readStmt prepares q once on the read handle: modernc.org/sqlite
// otherwise parses and plans a statement on every call, which costs more
// than running it.
func (d *DB) readStmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := d.rstmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := d.read.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: preparing a read: %w", err)
	}
	if prev, loaded := d.rstmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Close stops taking units, lets the writer finish the ones it has, and
// closes the database.
func (d *DB) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	close(d.jobs)
	d.mu.Unlock()
	<-d.stopped
	return d.closeHandles()
}

func (d *DB) closeHandles() error {
	var errs []error
	for _, st := range d.wstmts {
		st.Close()
	}
	if d.conn != nil {
		errs = append(errs, d.conn.Close())
	}
	if d.read != nil {
		errs = append(errs, d.read.Close())
	}
	if d.write != nil {
		errs = append(errs, d.write.Close())
	}
	if d.lock != nil {
		errs = append(errs, d.lock.Close())
	}
	return errors.Join(errs...)
}

// run is the writer: it takes the waiting units as one group, commits
// them, completes them, and starts over.
func (d *DB) run() {
	defer close(d.stopped)
	group := make([]*job, 0, maxGroup)
	var held *job // a call that arrived while a group was gathered
	for {
		j := held
		held = nil
		if j == nil {
			var ok bool
			if j, ok = <-d.jobs; !ok {
				return
			}
		}
		if j.fn != nil {
			d.call(j)
			continue
		}
		group = append(group[:0], j)
	gather:
		for len(group) < maxGroup {
			select {
			case j, ok := <-d.jobs:
				if !ok {
					break gather
				}
				if j.fn != nil {
					held = j
					break gather
				}
				group = append(group, j)
			default:
				break gather
			}
		}
		d.commit(group)
		for _, j := range group {
			if !j.sent {
				close(j.done)
			}
		}
	}
}

// call runs a job's fn outside any transaction.
func (d *DB) call(j *job) {
	if d.broken != nil {
		j.err = d.broken
	} else {
		j.err = j.fn()
	}
	close(j.done)
}

// ErrCheckpointBusy is returned by [DB.Checkpoint] when a reader kept the
// checkpoint from resetting the WAL; the old page images are still in it,
// and the next checkpoint tries again.
var ErrCheckpointBusy = errors.New("sqlitedb: a reader kept the checkpoint from resetting the WAL")

// Checkpoint copies every page of the WAL into the database file and
// truncates the WAL to zero bytes (PRAGMA wal_checkpoint(TRUNCATE)), on
// the writer's connection between two groups. With secure_delete, a row
// deleted before the call then leaves no bytes in either file. It waits
// for readers (busy_timeout) and returns [ErrCheckpointBusy] if one still
// holds an old snapshot.
func (d *DB) Checkpoint(ctx context.Context) error {
	j := &job{done: make(chan struct{}), fn: func() error {
		var busy, log, done int64
		if err := d.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done); err != nil {
			return fmt.Errorf("sqlitedb: checkpoint: %w", err)
		}
		if busy != 0 {
			return ErrCheckpointBusy
		}
		return nil
	}}
	d.mu.RLock()
	if d.closed {
		d.mu.RUnlock()
		return errors.New("sqlitedb: database closed")
	}
	d.jobs <- j
	d.mu.RUnlock()
	<-j.done
	return j.err
}

// commit runs group in one transaction, a savepoint per unit.
func (d *DB) commit(group []*job) {
	if d.broken != nil {
		for _, j := range group {
			j.err = d.broken
		}
		return
	}
	pending := group
	for {
		if err := d.sql("BEGIN IMMEDIATE"); err != nil {
			d.stop(group, err)
			return
		}
		var ran []*job
		lost := -1
		for i, j := range pending {
			ok, txLost := d.runUnit(j)
			if txLost {
				lost = i
				break
			}
			if ok {
				ran = append(ran, j)
			}
		}
		if lost < 0 {
			complete(ran)
			break
		}
		// The failing unit's error (SQLITE_FULL, SQLITE_IOERR, …) made
		// SQLite roll back the whole transaction, not just the unit's
		// savepoint: undo the tails of the units that had run, and run
		// them and the rest again in a new transaction, without it.
		for k := len(ran) - 1; k >= 0; k-- {
			if ran[k].undo != nil {
				ran[k].undo()
				ran[k].undo = nil
			}
			ran[k].rows = nil
		}
		pending = append(ran, pending[lost+1:]...)
	}
	start := time.Now()
	if err := d.sql("COMMIT"); err != nil {
		d.sql("ROLLBACK")
		d.stop(group, err)
		return
	}
	if d.onCommit != nil {
		d.onCommit(GroupStats{Units: len(group), Commit: time.Since(start)})
	}
}

// complete closes the done of the early units of group that ran: their
// callers go on before the COMMIT.
func complete(ran []*job) {
	for _, j := range ran {
		if j.u.Early && !j.sent {
			j.sent = true
			close(j.done)
		}
	}
}

// stop stops the database after err, failing every unit of group.
func (d *DB) stop(group []*job, err error) {
	d.broken = fmt.Errorf("sqlitedb: a COMMIT failed; the database refuses units until the server restarts: %w", err)
	for _, j := range group {
		if j.sent {
			continue // an early unit, already answered
		}
		if j.undo != nil {
			j.undo()
			j.undo = nil
		}
		j.rows, j.err = nil, d.broken
	}
}

// runUnit runs j inside a savepoint. ok reports that j's statements ran;
// txLost that j failed and SQLite rolled back the whole transaction.
func (d *DB) runUnit(j *job) (ok, txLost bool) {
	j.rows, j.err = nil, nil
	if err := d.sql("SAVEPOINT unit"); err != nil {
		j.err = fmt.Errorf("sqlitedb: opening a savepoint: %w", err)
		return false, false
	}
	err := d.stmts(j)
	if err == nil {
		if err = d.sql("RELEASE unit"); err == nil {
			return true, false
		}
	}
	if j.undo != nil {
		j.undo()
		j.undo = nil
	}
	j.rows, j.err = nil, classify(err)
	if rerr := d.sql("ROLLBACK TO unit"); rerr != nil {
		return false, true // no savepoint: the transaction is gone
	}
	d.sql("RELEASE unit")
	return false, false
}

// stmts runs j's statements, then its tail's.
func (d *DB) stmts(j *job) error {
	ctx := context.Background()
	for i, s := range j.u.Stmts {
		rs, err := d.query(ctx, s)
		if err != nil {
			return fmt.Errorf("sqlitedb: statement %d of a unit: %w", i+1, err)
		}
		j.rows = append(j.rows, rs)
	}
	if j.u.Tail == nil {
		return nil
	}
	s, undo, err := j.u.Tail.Next(ctx)
	if err != nil {
		return err
	}
	j.undo = undo
	rs, err := d.query(ctx, s)
	if err != nil {
		return fmt.Errorf("sqlitedb: last statement of a unit: %w", err)
	}
	j.rows = append(j.rows, rs)
	return nil
}

// classify turns a guard's error into its *sqlunit.Refusal, telling it by
// its result code (a trigger's RAISE is SQLITE_CONSTRAINT_TRIGGER) before
// reading the reason the migration's trigger put in the message.
func classify(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_TRIGGER {
		if r, ok := sqlunit.RefusalIn(e.Error()); ok {
			return r
		}
	}
	return err
}

// query runs s on the writer's connection, prepared once.
func (d *DB) query(ctx context.Context, s sqlunit.Stmt) (sqlunit.Rows, error) {
	st := d.wstmts[s.SQL]
	if st == nil {
		var err error
		if st, err = d.conn.PrepareContext(ctx, s.SQL); err != nil {
			return nil, err
		}
		d.wstmts[s.SQL] = st
	}
	rows, err := st.QueryContext(ctx, s.Args...)
	if err != nil {
		return nil, err
	}
	return sqlunit.Collect(rows)
}

// sql runs a statement of the writer's own (BEGIN, SAVEPOINT, COMMIT),
// prepared once: they run several times per group.
func (d *DB) sql(q string) error {
	ctx := context.Background()
	st := d.wstmts[q]
	if st == nil {
		var err error
		if st, err = d.conn.PrepareContext(ctx, q); err != nil {
			return err
		}
		d.wstmts[q] = st
	}
	_, err := st.ExecContext(ctx)
	return err
}
