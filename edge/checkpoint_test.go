//go:build !js

package edge

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// walFrameSize is the size of one WAL frame with SQLite's default 4 KiB
// pages: a 24-byte header and the page.
const walFrameSize = 24 + 4096

// walSize is the size of the database's -wal file, 0 if there is none.
func walSize(path string) (int64, error) {
	fi, err := os.Stat(path + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// mustWALSize is walSize for the test goroutine.
func mustWALSize(t *testing.T, path string) int64 {
	t.Helper()
	n, err := walSize(path)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// openPagesDB opens a server database with the given checkpoint limits and
// a table of one-page rows.
func openPagesDB(path, sync string, lim ckptLimits) (*groupCommit, error) {
	g, err := openServerDBWith(context.Background(), path, sync, &lim)
	if err != nil {
		return nil, err
	}
	if _, err := g.db.Exec(`CREATE TABLE IF NOT EXISTS pages (k INTEGER PRIMARY KEY, v BLOB NOT NULL)`); err != nil {
		g.db.Close()
		return nil, err
	}
	if err := g.wait(context.Background()); err != nil {
		g.db.Close()
		return nil, err
	}
	return g, nil
}

// openCkptDB is openPagesDB for a test.
func openCkptDB(t *testing.T, path, sync string, lim ckptLimits) *groupCommit {
	t.Helper()
	g, err := openPagesDB(path, sync, lim)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// insertPage inserts row k, about one WAL page, and waits for its COMMIT as
// a request does before it answers.
func insertPage(g *groupCommit, k int64) error {
	if _, err := g.db.Exec(`INSERT INTO pages (k, v) VALUES (?, randomblob(3000))`, k); err != nil {
		return err
	}
	return g.wait(context.Background())
}

// ckptStatsOf reads the checkpointer's counts.
func ckptStatsOf(g *groupCommit) ckptStats {
	g.ckpt.mu.Lock()
	defer g.ckpt.mu.Unlock()
	return g.ckpt.stats
}

// TestCheckpointsBoundTheWAL writes well past the 4,000 pages at which
// SQLite used to checkpoint inside a COMMIT, from concurrent writers that
// each wait for their COMMIT: the WAL starts over again and again and never
// grows past the checkpointer's limit (plus the frames of the COMMITs that
// cross it), the server's own connection never checkpoints, and every row
// is there afterwards.
func TestCheckpointsBoundTheWAL(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sync     string
		lim      ckptLimits
		rows     int64
		restarts int
	}{
		{"server limits, normal", SyncNormal, defaultCkptLimits, ckptRestartFrames + ckptPassiveFrames, 1},
		{"small limits, full", SyncFull, ckptLimits{passiveFrames: 64, restartFrames: 128, maxFrames: 384, idle: time.Hour}, 3000, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.lim == defaultCkptLimits {
				t.Skip("writes 80 MB; run without -short")
			}
			path := filepath.Join(t.TempDir(), "c.db")
			g := openCkptDB(t, path, tc.sync, tc.lim)
			const writers = 8
			// A COMMIT crossing the limit holds at most every writer's row,
			// a page of the table's interior and the database header.
			bound := (tc.lim.maxFrames+writers+8)*walFrameSize + 32
			var next, maxWAL atomic.Int64
			var wg sync.WaitGroup
			for range writers {
				wg.Go(func() {
					for {
						k := next.Add(1)
						if k > tc.rows {
							return
						}
						if err := insertPage(g, k); err != nil {
							t.Error(err)
							return
						}
						if k%16 == 0 {
							n, err := walSize(path)
							if err != nil {
								t.Error(err)
								return
							}
							for m := maxWAL.Load(); n > m && !maxWAL.CompareAndSwap(m, n); m = maxWAL.Load() {
							}
						}
					}
				})
			}
			wg.Wait()
			st := ckptStatsOf(g)
			if got := maxWAL.Load(); got > bound {
				t.Errorf("the WAL grew to %d bytes (%d frames), want at most %d (%d frames)", got, got/walFrameSize, bound, bound/walFrameSize)
			}
			if st.restarts < tc.restarts {
				t.Errorf("the WAL started over %d times for %d one-page rows, want at least %d", st.restarts, tc.rows, tc.restarts)
			}
			// The copying is done by PASSIVE passes, next to the writers:
			// what a restart copies is only what came in during the last one.
			if want := st.restarts * int(tc.lim.restartFrames/tc.lim.passiveFrames); st.passive < want {
				t.Errorf("%d PASSIVE passes for %d restarts, want at least %d", st.passive, st.restarts, want)
			}
			if err := g.db.Close(); err != nil {
				t.Fatal(err)
			}
			if n := mustWALSize(t, path); n != 0 {
				t.Errorf("after Close the WAL holds %d bytes, want none", n)
			}
			checkPages(t, path, nil, tc.rows)
		})
	}
}

// checkPages reopens the closed database at path, checks its integrity and
// that it holds every row in acked, and at least n rows.
func checkPages(t *testing.T, path string, acked []int64, n int64) {
	t.Helper()
	db, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check = %q, %v; want ok", ok, err)
	}
	var count int64
	if err := db.QueryRow(`SELECT count(*) FROM pages`).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count < n {
		t.Errorf("%d rows after reopening, want at least %d", count, n)
	}
	missing := 0
	for _, k := range acked {
		var one int
		if err := db.QueryRow(`SELECT 1 FROM pages WHERE k = ?`, k).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			missing++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged rows are missing after the restart, want none", missing, len(acked))
	}
}

// TestCheckpointCrashLosesNothing kills a process that writes through
// group commit, with the WAL starting over every couple of hundred pages,
// at an arbitrary moment (SIGKILL: a crash of the process, which both
// database_sync settings promise to survive), then checks that every row
// whose COMMIT it had waited for is there and the database is intact.
func TestCheckpointCrashLosesNothing(t *testing.T) {
	if path := os.Getenv("SEALPAY_CKPT_CRASH_DB"); path != "" {
		crashChild(path, os.Getenv("SEALPAY_CKPT_CRASH_SYNC"))
		return
	}
	for _, mode := range []string{SyncFull, SyncNormal} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "crash.db")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointCrashLosesNothing$")
			cmd.Env = append(os.Environ(), "SEALPAY_CKPT_CRASH_DB="+path, "SEALPAY_CKPT_CRASH_SYNC="+mode)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			killed := false
			defer func() {
				if !killed {
					cmd.Process.Kill()
					cmd.Wait()
				}
			}()
			// Kill it once it has acknowledged 1,500 rows: past several
			// restarts of the WAL, at whatever it is doing then.
			const killAfter = 1500
			var acked []int64
			restarts := 0
			sc := bufio.NewScanner(out)
			deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
			defer deadline.Stop()
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) != 2 {
					continue
				}
				n, err := strconv.ParseInt(f[1], 10, 64)
				if err != nil {
					t.Fatalf("child printed %q", sc.Text())
				}
				switch f[0] {
				case "ack":
					acked = append(acked, n)
				case "restarts":
					restarts = int(n)
				}
				if len(acked) >= killAfter {
					break
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			cmd.Wait()
			if len(acked) < killAfter {
				t.Fatalf("the writer acknowledged %d rows before it stopped, want %d", len(acked), killAfter)
			}
			if restarts < 2 {
				t.Errorf("the WAL started over %d times before the kill, want at least 2 (the test would not cover it)", restarts)
			}
			checkPages(t, path, acked, int64(len(acked)))
		})
	}
}

// crashChild writes rows from four goroutines until it is killed, printing
// "ack K" once row K's COMMIT is done and how often the WAL started over.
func crashChild(path, mode string) {
	g, err := openPagesDB(path, mode, ckptLimits{passiveFrames: 64, restartFrames: 128, maxFrames: 384, idle: time.Hour})
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(90 * time.Second) // never outlive the parent's deadline by much
	for range 4 {
		wg.Go(func() {
			for time.Now().Before(stop) {
				k := next.Add(1)
				if err := insertPage(g, k); err != nil {
					fmt.Fprintln(os.Stderr, "crash child:", err)
					os.Exit(2)
				}
				st := ckptStatsOf(g)
				mu.Lock()
				_, err := fmt.Fprintf(os.Stdout, "ack %d\nrestarts %d\n", k, st.restarts)
				mu.Unlock()
				if err != nil {
					os.Exit(3) // the parent is gone
				}
			}
		})
	}
	wg.Wait()
	os.Exit(0)
}

// TestCheckpointIdleTruncates: after a while without a COMMIT the WAL file
// is emptied, and writing goes on normally afterwards.
func TestCheckpointIdleTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idle.db")
	// The idle time is long enough that a stalled CI machine does not empty
	// the WAL between the inserts and the first size check.
	g := openCkptDB(t, path, SyncFull, ckptLimits{passiveFrames: 1 << 20, restartFrames: 1 << 21, maxFrames: 1 << 22, idle: 2 * time.Second})
	defer g.db.Close()
	for k := range int64(50) {
		if err := insertPage(g, k+1); err != nil {
			t.Fatal(err)
		}
	}
	if n := mustWALSize(t, path); n < 50*walFrameSize {
		t.Fatalf("after 50 one-page rows the WAL holds %d bytes, want at least %d", n, 50*walFrameSize)
	}
	deadline := time.Now().Add(30 * time.Second)
	for mustWALSize(t, path) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := mustWALSize(t, path); n != 0 {
		t.Errorf("the WAL still holds %d bytes after 30 s idle, want it emptied after %v", n, g.ckpt.idle)
	}
	if got := ckptStatsOf(g).truncates; got < 1 {
		t.Errorf("%d idle truncations, want at least 1", got)
	}
	if err := insertPage(g, 51); err != nil {
		t.Fatal(err)
	}
	var count int64
	if err := g.db.QueryRow(`SELECT count(*) FROM pages`).Scan(&count); err != nil || count != 51 {
		t.Errorf("count after the truncation = %d, %v; want 51", count, err)
	}
}

// TestDatabaseHeldExclusively: while a server holds its database, neither a
// second server nor OpenSQLite (sealpay audit) can open it; once it is
// closed, they can.
func TestDatabaseHeldExclusively(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "held.db")
	lim := defaultCkptLimits
	g, err := openServerDBWith(ctx, path, SyncNormal, &lim)
	if err != nil {
		t.Fatal(err)
	}
	if g2, err := openServerDB(ctx, path, SyncNormal); !errors.Is(err, errDatabaseInUse) {
		if err == nil {
			g2.db.Close()
		}
		t.Errorf("a second server on the same database: %v, want errDatabaseInUse", err)
	}
	if db, err := OpenSQLite(ctx, path); !errors.Is(err, errDatabaseInUse) {
		if err == nil {
			db.Close()
		}
		t.Errorf("OpenSQLite while a server holds the database: %v, want errDatabaseInUse", err)
	}
	if err := g.db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("OpenSQLite after the server closed: %v, want it open", err)
	}
	if g2, err := openServerDB(ctx, path, SyncNormal); !errors.Is(err, errDatabaseInUse) {
		if err == nil {
			g2.db.Close()
		}
		t.Errorf("a server while OpenSQLite holds the database: %v, want errDatabaseInUse", err)
	}
	db.Close()
}
