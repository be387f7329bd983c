//go:build !js

package edge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

// Checkpoints for the native server, off the write path.
//
// In WAL mode SQLite appends each commit to the -wal file, and a
// checkpoint copies the pages back into the database file so that the WAL
// can start over from its beginning. By default SQLite runs one inside the
// COMMIT that takes the WAL past a number of pages, on the committing
// connection — here the one connection every request's statements go
// through. Under load such a COMMIT took 4 to 87 ms (median 14) instead of
// half a millisecond (some 4,000 pages copied, two fsyncs), every 450
// tokenizes or so, and every request in flight waited for it: 43% of the
// slowest 1% of requests had (docs/edge-api.md, "Checkpoints").
//
// So the server turns SQLite's automatic checkpoints off on its connection
// (all but a far backstop, ckptBackstopFrames) and checkpoints on a
// connection of its own:
//
//   - the group commit counts the pages each COMMIT writes to the WAL
//     (SQLITE_DBSTATUS_CACHE_WRITE). Every ckptPassiveFrames, a goroutine
//     runs a PASSIVE checkpoint: it copies what is committed into the
//     database file while requests go on writing, for it takes no lock a
//     writer needs;
//   - a WAL starts over only when a write transaction begins while every
//     frame in it has been copied. Under load that never happens by itself:
//     the next transaction begins right after each COMMIT. So once the WAL
//     has reached ckptRestartFrames and the pass that began there is done,
//     the group commit, right after its next COMMIT and before any
//     statement can begin another transaction, runs a RESTART checkpoint:
//     it copies what was committed during the pass (hundreds of pages, not
//     thousands), and the next transaction writes from the start of the
//     file. That short pause is the only checkpoint work left on the write
//     path. Should a pass fall behind, the COMMIT that takes the WAL past
//     ckptMaxFrames waits for it: the WAL stays bounded;
//   - after ckptIdle without a COMMIT, a TRUNCATE checkpoint empties the
//     WAL file, with statements held back meanwhile.
//
// Durability is unchanged: the checkpoint connection runs
// synchronous=NORMAL like the server's, so SQLite syncs the WAL before it
// copies, the database file after, and lets the WAL start over only then.
// A checkpoint that fails for any reason but a busy lock stops the database
// as a failed COMMIT does (groupCommit): after a failed fsync the kernel may
// have dropped the pages it could not write, and a later, successful
// checkpoint would let the WAL start over on top of them.
type checkpointer struct {
	db *sql.DB // one connection of its own
	g  *groupCommit

	passiveFrames int64         // WAL frames written between PASSIVE passes
	restartFrames int64         // WAL frames after which the WAL starts over, after a pass
	maxFrames     int64         // WAL frames at which a COMMIT waits for the pass
	idle          time.Duration // after this long without a COMMIT, the WAL file is emptied

	// Changed only by whoever holds the server's connection (the group
	// commit, or truncateIdle): the WAL cannot grow meanwhile.
	frames     atomic.Int64 // WAL frames written since the WAL last started over
	passFrames int64        // frames when the last pass was asked for
	lastCommit atomic.Int64 // Unix nanoseconds of the last COMMIT

	kick    chan struct{} // asks for a PASSIVE pass
	passing atomic.Bool   // a pass was asked for and has not been looked at since
	passed  atomic.Bool   // that pass is done

	mu    sync.Mutex // held during a checkpoint
	stats ckptStats  // guarded by mu

	started atomic.Bool // run was started: close waits for it to end
	stop    chan struct{}
	done    chan struct{}
}

// ckptLimits are a checkpointer's thresholds; the server uses
// defaultCkptLimits, tests smaller ones.
type ckptLimits struct {
	passiveFrames, restartFrames, maxFrames int64
	idle                                    time.Duration
}

var defaultCkptLimits = ckptLimits{
	passiveFrames: ckptPassiveFrames, restartFrames: ckptRestartFrames, maxFrames: ckptMaxFrames, idle: ckptIdle,
}

// ckptStats counts what the checkpointer did, for tests.
type ckptStats struct {
	passive, restarts, truncates int
}

const (
	// ckptPassiveFrames is how many frames (of one 4 KiB page each) the WAL
	// grows by between PASSIVE passes: the 4,000 pages the server's
	// checkpoints inside a COMMIT used to copy. At 3,000 tokenizes/s, about
	// three passes a second.
	ckptPassiveFrames = 4000
	// ckptRestartFrames is the WAL length (64 MiB) after which the WAL
	// starts over, once the pass that began there is done.
	ckptRestartFrames = 4 * ckptPassiveFrames
	// ckptMaxFrames is the WAL length at which a COMMIT waits for the pass
	// and starts the WAL over.
	ckptMaxFrames = 2 * ckptRestartFrames
	// ckptBackstopFrames is where SQLite's own checkpoint inside a COMMIT
	// takes over, should the checkpointer have stopped.
	ckptBackstopFrames = 2 * ckptMaxFrames
	// ckptIdle is how long without a COMMIT before the WAL file is emptied.
	ckptIdle = time.Second
	// ckptUncounted is the frames a COMMIT is taken to write when the
	// driver cannot count them.
	ckptUncounted = 100
)

// newCheckpointer opens a connection to the database with dsn for g's
// checkpoints. Call start once g commits in groups.
func newCheckpointer(dsn string, g *groupCommit, lim ckptLimits) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	c := &checkpointer{
		db: db, g: g,
		passiveFrames: lim.passiveFrames, restartFrames: lim.restartFrames, maxFrames: lim.maxFrames, idle: lim.idle,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	c.lastCommit.Store(time.Now().UnixNano())
	return c, nil
}

// start runs the checkpoints until close.
func (c *checkpointer) start() {
	c.started.Store(true)
	go c.run()
}

// close stops the checkpoints and closes the connection; the last
// connection to close checkpoints and removes the WAL.
func (c *checkpointer) close() error {
	select {
	case <-c.stop:
	default:
		close(c.stop)
		if c.started.Load() {
			<-c.done
		}
	}
	return c.db.Close()
}

func (c *checkpointer) run() {
	defer close(c.done)
	idle := time.NewTicker(c.idle / 4)
	defer idle.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
			c.mu.Lock()
			c.checkpoint("PASSIVE")
			c.passed.Store(true)
			c.mu.Unlock()
		case <-idle.C:
			if c.frames.Load() > 0 && time.Since(time.Unix(0, c.lastCommit.Load())) >= c.idle {
				c.truncateIdle()
			}
		}
	}
}

// committed is called by the group commit right after a COMMIT on conn,
// the server's connection, before any statement can begin a transaction.
// It counts the frames the COMMIT wrote, asks for a PASSIVE pass once the
// WAL is long, and starts the WAL over once the pass is done.
func (c *checkpointer) committed(conn any) error {
	n := int64(ckptUncounted)
	if st, ok := conn.(sqlite.DBStatus); ok {
		if w, _, err := st.Status(sqlite.DBStatusCacheWrite, true); err == nil {
			n = int64(w)
		}
	}
	frames := c.frames.Add(n)
	c.lastCommit.Store(time.Now().UnixNano())
	if frames >= c.maxFrames {
		c.mu.Lock() // waits for a pass still running
		defer c.mu.Unlock()
		return c.checkpoint("RESTART")
	}
	if c.passed.Load() {
		c.passing.Store(false)
		c.passed.Store(false)
		if c.passFrames >= c.restartFrames {
			// The pass copied all but what was committed since it began.
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.checkpoint("RESTART")
		}
	}
	if !c.passing.Load() && frames-c.passFrames >= c.passiveFrames {
		c.passing.Store(true)
		c.passFrames = frames
		select {
		case c.kick <- struct{}{}:
		default: // a pass is already asked for
		}
	}
	return nil
}

// truncateIdle empties the WAL file while no transaction is open, holding
// back statements meanwhile.
func (c *checkpointer) truncateIdle() {
	conn, err := c.g.db.Conn(context.Background())
	if err != nil {
		return // closed
	}
	defer conn.Close()
	conn.Raw(func(dc any) error {
		if dc.(*gcConn).inTx {
			return nil // not idle after all
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.checkpoint("TRUNCATE")
	})
}

// checkpoint runs one checkpoint in mode, with c.mu held. RESTART and
// TRUNCATE must run while the server's connection has no transaction open:
// they copy every frame, and the WAL starts over.
func (c *checkpointer) checkpoint(mode string) error {
	if err := c.g.err(); err != nil {
		// The database has stopped: after a failed COMMIT or fsync, a
		// checkpoint could let the WAL start over on top of pages the
		// kernel dropped. It stays as it is until the server restarts.
		return err
	}
	var busy int
	var frames, copied int64
	err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &copied)
	if err != nil {
		if isBusy(err) {
			return nil // the next COMMIT tries again
		}
		return c.g.fail(fmt.Errorf("edge: checkpoint (%s): %w", mode, err))
	}
	if mode == "PASSIVE" {
		c.stats.passive++
		return nil
	}
	if busy != 0 {
		return nil // the next COMMIT tries again
	}
	// Every frame is in the database file and no reader needs the WAL:
	// the next COMMIT writes from its start (TRUNCATE emptied it already).
	c.frames.Store(0)
	c.passFrames = 0
	c.passing.Store(false)
	c.passed.Store(false)
	if mode == "TRUNCATE" {
		c.stats.truncates++
	} else {
		c.stats.restarts++
	}
	return nil
}

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED: a lock held
// a moment; the next try will do.
func isBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code() & 0xff
	return code == 5 || code == 6
}
