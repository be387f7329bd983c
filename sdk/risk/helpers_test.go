package risk_test

import (
	"context"
	"database/sql"
	"github.com/sealpay/sealpay/edge/migrations"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sealpay/sealpay/sdk/risk"
)

var ctx = context.Background()

// openStore returns a SQLStore on a migrated SQLite file, as the native
// server runs it.
func openStore(t testing.TB) (*risk.SQLStore, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "risk.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
	return risk.NewSQLStore(db), db
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 15, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// memStore is a Store in memory, for policy tests that need no database.
type memStore struct {
	mu      sync.Mutex
	n       map[risk.Counter]int64
	members map[risk.Counter]map[string]bool
}

func newMemStore() *memStore {
	return &memStore{n: map[risk.Counter]int64{}, members: map[risk.Counter]map[string]bool{}}
}

func (m *memStore) Add(_ context.Context, ds ...risk.Delta) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]int64, len(ds))
	for i, d := range ds {
		m.n[d.Counter] += d.N
		out[i] = m.n[d.Counter]
	}
	return out, nil
}

func (m *memStore) AddMembers(_ context.Context, ms ...risk.Member) ([]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]bool, len(ms))
	for i, mb := range ms {
		if m.members[mb.Counter] == nil {
			m.members[mb.Counter] = map[string]bool{}
		}
		out[i] = !m.members[mb.Counter][mb.Member]
		m.members[mb.Counter][mb.Member] = true
	}
	return out, nil
}

func (m *memStore) Get(_ context.Context, cs []risk.Counter) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = m.n[c]
	}
	return out, nil
}

func (m *memStore) AddGet(ctx context.Context, ds []risk.Delta, cs []risk.Counter) ([]int64, []int64, error) {
	added, _ := m.Add(ctx, ds...)
	got, _ := m.Get(ctx, cs)
	return added, got, nil
}
