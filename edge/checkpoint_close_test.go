//go:build !js

package edge

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointerStopsWithTheDatabase: once the database has stopped (a
// failed COMMIT or fsync), no checkpoint runs, idle or asked for, so the
// WAL cannot start over on top of pages the kernel may have dropped.
func TestCheckpointerStopsWithTheDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.db")
	g := openCkptDB(t, path, SyncFull, ckptLimits{passiveFrames: 1 << 20, restartFrames: 1 << 21, maxFrames: 1 << 22, idle: 100 * time.Millisecond})
	defer g.db.Close()
	for k := range int64(20) {
		if err := insertPage(g, k+1); err != nil {
			t.Fatal(err)
		}
	}
	g.fail(errors.New("test: a failed fsync"))
	before := ckptStatsOf(g)
	wal := mustWALSize(t, path)
	if wal == 0 {
		t.Fatal("the WAL is empty before the wait; the test would prove nothing")
	}
	time.Sleep(6 * g.ckpt.idle)
	if got := ckptStatsOf(g); got != before {
		t.Errorf("checkpoints after the database stopped: %+v, before %+v; want none", got, before)
	}
	if n := mustWALSize(t, path); n != wal {
		t.Errorf("the WAL went from %d to %d bytes after the database stopped, want it left as it was", wal, n)
	}
	if err := g.ckpt.checkpoint("RESTART"); err == nil {
		t.Error("a RESTART checkpoint on a stopped database succeeded, want the database's error")
	}
}

// TestDatabaseHeldUntilLastConnection: closing the handle while a
// connection is still in use (a request that outlived shutdown) keeps the
// database locked, and the checkpointer running, until that connection
// closes; only then can another server open it.
func TestDatabaseHeldUntilLastConnection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "held.db")
	lim := defaultCkptLimits
	g, err := openServerDBWith(ctx, path, SyncNormal, &lim)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := g.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.db.Close(); err != nil {
		t.Fatal(err)
	}
	// In background mode SQLite's locking is normal: the server's lock
	// on the database is all that keeps a second server out.
	if g2, err := openServerDBWith(ctx, path, SyncNormal, &lim); !errors.Is(err, errDatabaseInUse) {
		if err == nil {
			g2.db.Close()
		}
		t.Errorf("a second server while the first's connection is in use: %v, want errDatabaseInUse", err)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE late (k INTEGER)`); err != nil {
		t.Errorf("the connection in use stopped working when the handle closed: %v", err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	g2, err := openServerDBWith(ctx, path, SyncNormal, &lim)
	if err != nil {
		t.Fatalf("a server after the last connection closed: %v, want it open", err)
	}
	var n int
	if err := g2.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'late'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the table the late connection created: count %d, %v; want 1", n, err)
	}
	g2.db.Close()
}
