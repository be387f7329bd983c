//go:build !js

package edge

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
)

// TestGroupSync: every waiter is released by a flush that started after it
// wrote, and concurrent waiters share flushes.
func TestGroupSync(t *testing.T) {
	var written, flushedUpTo, flushes atomic.Int64
	g := &groupSync{flush: func() error {
		upTo := written.Load() // everything written so far is covered by this flush
		flushes.Add(1)
		time.Sleep(2 * time.Millisecond)
		flushedUpTo.Store(upTo)
		return nil
	}}
	const waiters = 200
	var wg sync.WaitGroup
	for range waiters {
		wg.Go(func() {
			mine := written.Add(1)
			if err := g.wait(context.Background()); err != nil {
				t.Error(err)
				return
			}
			if got := flushedUpTo.Load(); got < mine {
				t.Errorf("released by a flush covering writes 1..%d, want one covering write %d", got, mine)
			}
		})
	}
	wg.Wait()
	if n := flushes.Load(); n < 1 || n >= waiters/2 {
		t.Errorf("%d flushes for %d concurrent waiters, want at least 1 and far fewer than waiters", n, waiters)
	}
	// A cancelled wait returns at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g2 := &groupSync{flush: func() error { time.Sleep(time.Second); return nil }}
	if err := g2.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("wait with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestGroupSyncGathers: a flush waits for the expected callers, and no
// longer than gather for callers that do not come.
func TestGroupSyncGathers(t *testing.T) {
	for _, tc := range []struct {
		name            string
		expect, callers int64
		gather          time.Duration
		flushes         int64
		min, max        time.Duration
	}{
		{"all expected callers come", 8, 8, 10 * time.Second, 1, 0, 5 * time.Second},
		{"some never come", 12, 8, 500 * time.Millisecond, 1, 500 * time.Millisecond, 5 * time.Second},
		{"no gathering", 12, 1, 0, 1, 0, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var flushes atomic.Int64
			g := &groupSync{
				flush:  func() error { flushes.Add(1); return nil },
				gather: tc.gather,
				expect: func() int64 { return tc.expect },
			}
			start := time.Now()
			var wg sync.WaitGroup
			for range tc.callers {
				wg.Go(func() {
					if err := g.wait(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			took := time.Since(start)
			if took < tc.min || took > tc.max {
				t.Errorf("%d callers released after %v, want %v to %v", tc.callers, took, tc.min, tc.max)
			}
			if got := flushes.Load(); got != tc.flushes {
				t.Errorf("%d flushes, want %d", got, tc.flushes)
			}
		})
	}
}

// openTestGroupCommit opens a grouped-commit database in a fresh directory.
func openTestGroupCommit(t *testing.T, sync string) (*groupCommit, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "g.db")
	g, err := openServerDB(context.Background(), path, sync)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.db.Close() })
	if _, err := g.db.Exec(`CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if err := g.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	return g, path
}

// inTx reports whether the connection holds an open shared transaction.
func inTx(t *testing.T, db *sql.DB) bool {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var open bool
	conn.Raw(func(dc any) error { open = dc.(*gcConn).inTx; return nil })
	return open
}

// rows reopens the closed database at path without grouping and returns
// the keys of t.
func rows(t *testing.T, path string) string {
	t.Helper()
	db, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(`SELECT k FROM t ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var keys []string
	for rs.Next() {
		var k string
		rs.Scan(&k)
		keys = append(keys, k)
	}
	return strings.Join(keys, ",")
}

func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{SyncFull, SyncNormal} {
		t.Run(mode, func(t *testing.T) {
			g, path := openTestGroupCommit(t, mode)
			ins, err := g.db.Prepare(`INSERT INTO t (k, v) VALUES (?, 'x')`)
			if err != nil {
				t.Fatal(err)
			}
			// Writes nobody waits for stay in the shared transaction for
			// lazyCommit after the first of them. Three inserts take far
			// less, but a loaded machine can stall the test longer, and the
			// lazy commit armed by the set-up's CREATE TABLE may still be
			// pending: start once it has run, and try again when the
			// inserts took lazyCommit or more. (A lazyCommit the test could
			// set would make this exact.)
			grouped := func() (open bool, took time.Duration) {
				time.Sleep(2 * lazyCommit)
				for end := time.Now().Add(5 * time.Second); g.timer.Load() && time.Now().Before(end); {
					time.Sleep(time.Millisecond)
				}
				if err := g.wait(ctx); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				for k := 1; k <= 3; k++ {
					if _, err := ins.Exec(k); err != nil {
						t.Fatal(err)
					}
				}
				open = inTx(t, g.db)
				return open, time.Since(start)
			}
			open, took := grouped()
			for try := 1; !open && took >= lazyCommit && try < 10; try++ {
				t.Logf("three inserts took %v, lazyCommit is %v: again", took, lazyCommit)
				if _, err := g.db.Exec(`DELETE FROM t`); err != nil {
					t.Fatal(err)
				}
				open, took = grouped()
			}
			if !open {
				t.Errorf("after three inserts in %v: no open transaction, want them grouped in one (lazyCommit %v)", took, lazyCommit)
			}
			// A constraint violation undoes its statement only.
			_, err = ins.Exec(2)
			if !isConstraint(err) {
				t.Errorf("duplicate key: %v, want a constraint error", err)
			}
			if err := g.wait(ctx); err != nil {
				t.Fatalf("wait after a constraint error = %v, want nil", err)
			}
			if inTx(t, g.db) {
				t.Error("after wait: a transaction is still open, want it committed")
			}
			// Writes nobody waits for are committed soon anyway.
			if _, err := g.db.Exec(`INSERT INTO t (k, v) VALUES (4, 'x')`); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for inTx(t, g.db) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if inTx(t, g.db) {
				t.Errorf("a write nobody waited for is still uncommitted after 5 s, want a commit within %v", lazyCommit)
			}
			// Explicit transactions cannot nest in the shared one.
			if _, err := g.db.Begin(); !errors.Is(err, errBatchTx) {
				t.Errorf("Begin = %v, want errBatchTx", err)
			}
			// Close commits what is pending.
			if _, err := g.db.Exec(`INSERT INTO t (k, v) VALUES (5, 'x')`); err != nil {
				t.Fatal(err)
			}
			ins.Close()
			if err := g.db.Close(); err != nil {
				t.Fatal(err)
			}
			if got, want := rows(t, path), "1,2,3,4,5"; got != want {
				t.Errorf("rows after close = %s, want %s", got, want)
			}
		})
	}
}

// TestGroupCommitFailsClosed: a statement that fails inside the shared
// transaction for a reason other than a constraint undoes the whole group,
// and the database then refuses every statement and every wait.
func TestGroupCommitFailsClosed(t *testing.T) {
	ctx := context.Background()
	g, path := openTestGroupCommit(t, SyncNormal)
	if _, err := g.db.Exec(`INSERT INTO t (k, v) VALUES (1, 'committed')`); err != nil {
		t.Fatal(err)
	}
	if err := g.wait(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := g.db.Exec(`INSERT INTO t (k, v) VALUES (2, 'pending')`); err != nil {
		t.Fatal(err)
	}
	var n int64
	err := g.db.QueryRow(`SELECT abs(-9223372036854775808)`).Scan(&n) // "integer overflow" while running
	if err == nil || isConstraint(err) {
		t.Fatalf("integer overflow: %v, want a run-time error", err)
	}
	if err := g.wait(ctx); err == nil {
		t.Error("wait after a failed group = nil, want the failure")
	}
	if _, err := g.db.Exec(`INSERT INTO t (k, v) VALUES (3, 'later')`); err == nil {
		t.Error("a statement after a failed group succeeded, want it refused")
	}
	g.db.Close()
	if got, want := rows(t, path), "1"; got != want {
		t.Errorf("rows after the failure = %s, want %s (the failed group undone, nothing after it)", got, want)
	}
}

// TestAnswersFollowCommits: a tokenize is answered, and a relay sends the
// card out, only once the writes before it are committed.
func TestAnswersFollowCommits(t *testing.T) {
	var providerSawTx atomic.Bool
	var g *groupCommit
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		providerSawTx.Store(inTx(t, g.db))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	defer provider.Close()
	pu, _ := url.Parse(provider.URL)

	pk, sk := NewAPIKeys()
	cfg, err := ParseConfig([]byte(`{"merchants":[{"id":"m_shop",
		"publishable_keys":["` + HashAPIKey(pk) + `"], "secret_keys":["` + HashAPIKey(sk) + `"],
		"allowed_origins":["https://shop.example"], "relay_hosts":["` + pu.Host + `"], "allow_loopback_http":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	keks, err := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))))
	if err != nil {
		t.Fatal(err)
	}
	g, err = openServerDB(context.Background(), filepath.Join(t.TempDir(), "v.db"), SyncFull)
	if err != nil {
		t.Fatal(err)
	}
	defer g.db.Close()
	h, err := New(Options{Config: cfg, Keys: ks, KEKs: keks, DB: g.db})
	if err != nil {
		t.Fatal(err)
	}
	h.durable = g.wait

	env, err := envelope.Seal(ks.Public(), card.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVC: "123"},
		envelope.SealOptions{MerchantID: "m_shop", Origin: "https://shop.example"})
	if err != nil {
		t.Fatal(err)
	}
	do := func(key, path string, body any) *httptest.ResponseRecorder {
		b, _ := json.Marshal(body)
		r := httptest.NewRequest("POST", path, bytes.NewReader(b))
		r.Header.Set("Authorization", "Bearer "+key)
		r.Header.Set("Origin", "https://shop.example")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := do(pk, "/v1/tokens", map[string]any{"envelope": env})
	if w.Code != http.StatusCreated {
		t.Fatalf("tokenize = %d (%d bytes), want 201", w.Code, w.Body.Len())
	}
	if inTx(t, g.db) {
		t.Error("tokenize answered while its writes were uncommitted")
	}
	var tok struct{ Token string }
	json.Unmarshal(w.Body.Bytes(), &tok)
	w = do(sk, "/v1/relay", map[string]any{"url": provider.URL + "/charge", "body": `{"n":"{{` + tok.Token + `:number}}","c":"{{` + tok.Token + `:cvc}}"}`})
	if w.Code != http.StatusOK {
		t.Fatalf("relay = %d (%d bytes), want 200", w.Code, w.Body.Len()) // a relay answer can echo the card
	}
	if providerSawTx.Load() {
		t.Error("the relay reached the provider while taking the CVC was uncommitted")
	}
}

// TestWALSyncer: no WAL is nothing to sync; a WAL is synced, and one
// created anew is told apart from the old one (whose directory entry is
// then synced again).
func TestWALSyncer(t *testing.T) {
	dir := t.TempDir()
	s := newWALSyncer(filepath.Join(dir, "v.db"))
	defer s.close()
	if err := s.flush(); err != nil || s.f != nil {
		t.Fatalf("flush without a WAL = %v (holding %v), want nil and nothing held", err, s.f)
	}
	if err := os.WriteFile(s.wal, []byte("frames"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.flush(); err != nil || s.f == nil {
		t.Fatalf("flush of a WAL = %v (holding %v), want nil and the WAL held", err, s.f)
	}
	first, _ := s.f.Stat()
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.f.Stat(); !os.SameFile(first, again) {
		t.Error("the same WAL was opened again")
	}
	os.Remove(s.wal)
	if err := os.WriteFile(s.wal, []byte("new frames"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	if now, _ := s.f.Stat(); os.SameFile(first, now) {
		t.Error("a recreated WAL was taken for the old one")
	}
	os.Remove(s.wal)
	if err := s.flush(); err != nil || s.f != nil {
		t.Errorf("flush after the WAL went = %v (holding %v), want nil and nothing held", err, s.f)
	}
}
