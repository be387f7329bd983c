package risk_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/risk"
)

// TestLimiterCardTesting walks one client through the default policy with
// a fake clock: cards 1–3 pass, 4–6 are slowed, the 7th distinct card is
// refused; the same card again does not count; the block lifts as the
// sliding window moves on.
func TestLimiterCardTesting(t *testing.T) {
	for _, store := range []struct {
		name string
		new  func(t *testing.T) risk.Store
	}{
		{"memory", func(t *testing.T) risk.Store { return newMemStore() }},
		{"sqlite", func(t *testing.T) risk.Store { s, _ := openStore(t); return s }},
	} {
		t.Run(store.name, func(t *testing.T) {
			clk := newClock()
			l := risk.NewLimiter(store.new(t), risk.DefaultPolicy(), clk.Now)
			attempt := func(card string) risk.Decision {
				t.Helper()
				d, err := l.Check(ctx, "pk_test", "203.0.113.9")
				if err != nil {
					t.Fatal(err)
				}
				if d.Allow {
					if err := l.Record(ctx, "pk_test", "203.0.113.9", risk.Attempt{Card: card}); err != nil {
						t.Fatal(err)
					}
				}
				clk.Add(time.Second)
				return d
			}
			for i, want := range []risk.Decision{
				{Allow: true}, {Allow: true}, {Allow: true}, {Allow: true}, // cards 1–4 are checked before they count
				{Allow: true, Delay: 250 * time.Millisecond, Reason: risk.ReasonClientCards},
				{Allow: true, Delay: 500 * time.Millisecond, Reason: risk.ReasonClientCards},
				{Allow: true, Delay: time.Second, Reason: risk.ReasonClientCards},
				{Code: "rate_limited", Delay: 10 * time.Minute, Reason: risk.ReasonClientCards},
			} {
				if got := attempt(fmt.Sprint("fp_", i)); got != want {
					t.Errorf("attempt %d: %+v, want %+v", i+1, got, want)
				}
			}
			// The same client with a card it already tried is still refused: the
			// block is on the client, not the card.
			if got := attempt("fp_0"); got.Allow {
				t.Errorf("a blocked client retrying a known card: %+v, want refused", got)
			}
			// Another client is unaffected.
			if d, _ := l.Check(ctx, "pk_test", "203.0.113.10"); d != (risk.Decision{Allow: true}) {
				t.Errorf("another client: %+v, want allowed without delay", d)
			}
			// The estimate decays with the window: 7 cards in window w, then
			// at 3/4 of window w+1 the estimate is 7·1/4 < 3: no delay.
			clk.Set(time.Unix(clk.Now().Unix()-clk.Now().Unix()%600+600+450, 0))
			if d, _ := l.Check(ctx, "pk_test", "203.0.113.9"); d != (risk.Decision{Allow: true}) {
				t.Errorf("a window later: %+v, want allowed without delay", d)
			}
		})
	}
}

func TestLimiterRepeatedCardCountsOnce(t *testing.T) {
	clk := newClock()
	store, _ := openStore(t)
	l := risk.NewLimiter(store, risk.DefaultPolicy(), clk.Now)
	for range 20 {
		if err := l.Record(ctx, "pk", "192.0.2.1", risk.Attempt{Card: "fp_same"}); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := l.Check(ctx, "pk", "192.0.2.1"); err != nil || d != (risk.Decision{Allow: true}) {
		t.Errorf("after 20 attempts with one card: %+v, %v; want allowed without delay", d, err)
	}
}

func TestLimiterFailuresAndRate(t *testing.T) {
	clk := newClock()
	l := risk.NewLimiter(newMemStore(), risk.DefaultPolicy(), clk.Now)
	for range 9 {
		l.Record(ctx, "pk", "192.0.2.2", risk.Attempt{Failed: true})
	}
	if d, _ := l.Check(ctx, "pk", "192.0.2.2"); d.Allow || d.Reason != risk.ReasonClientFailures {
		t.Errorf("after 9 failures: %+v, want refused for client_failures", d)
	}
	var last risk.Decision
	for range 121 {
		last, _ = l.Check(ctx, "pk", "192.0.2.3")
	}
	if last.Allow || last.Reason != risk.ReasonClientRequests || last.Delay != time.Minute {
		t.Errorf("121st request in a minute: %+v, want refused for client_requests, retry after a minute", last)
	}
	// Requests without a client (server-to-server) are limited by key only.
	if d, err := l.Check(ctx, "pk", ""); err != nil || !d.Allow {
		t.Errorf("request without a client: %+v, %v", d, err)
	}
}

// TestSQLStoreAtomic: concurrent Adds and AddMembers from several
// goroutines (standing in for Worker instances) lose nothing.
func TestSQLStoreAtomic(t *testing.T) {
	store, _ := openStore(t)
	c := risk.Counter{Name: "c:x/req", Start: 1_900_000_000}
	var wg sync.WaitGroup
	var mu sync.Mutex
	added := 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				if _, err := store.Add(ctx, risk.Delta{Counter: c, N: 2, Expires: c.Start + 120}); err != nil {
					t.Error(err)
					return
				}
				ok, err := store.AddMembers(ctx, risk.Member{Counter: c, Member: fmt.Sprint("m", (g*25+i)%100), Expires: c.Start + 120})
				if err != nil {
					t.Error(err)
					return
				}
				if ok[0] {
					mu.Lock()
					added++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	got, err := store.Get(ctx, []risk.Counter{c, {Name: "c:x/req", Start: c.Start - 60}, {Name: "other", Start: c.Start}})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[400 0 0]" {
		t.Errorf("Get = %v, want [400 0 0]", got)
	}
	if added != 100 {
		t.Errorf("AddMember reported %d new members of 100 distinct, want 100", added)
	}
	n, err := store.Purge(ctx, time.Unix(c.Start+119, 0))
	if err != nil || n != 0 {
		t.Errorf("Purge before expiry = %d, %v; want 0", n, err)
	}
	n, err = store.Purge(ctx, time.Unix(c.Start+120, 0))
	if err != nil || n != 101 {
		t.Errorf("Purge at expiry = %d, %v; want 101 (1 counter, 100 members)", n, err)
	}
}

func TestSQLStoreStoresNoIdentities(t *testing.T) {
	store, db := openStore(t)
	l := risk.NewLimiter(store, risk.DefaultPolicy(), newClock().Now)
	l.Check(ctx, "sk_live_secret123", "198.51.100.77")
	l.Record(ctx, "sk_live_secret123", "198.51.100.77", risk.Attempt{Card: "fp_cardprint", Failed: true})
	rows, err := db.Query(`SELECT name FROM risk_counters UNION ALL SELECT name || member FROM risk_members`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var s string
		rows.Scan(&s)
		n++
		for _, secret := range []string{"secret123", "198.51.100", "cardprint"} {
			if strings.Contains(s, secret) {
				t.Errorf("a stored name holds %q", secret)
			}
		}
	}
	if n < 5 {
		t.Errorf("%d rows stored, want at least 5", n)
	}
}

func TestClientID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"203.0.113.9", "203.0.113.9"},
		{"::ffff:203.0.113.9", "203.0.113.9"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	} {
		if got := risk.ClientID(netip.MustParseAddr(tc.in)); got != tc.want {
			t.Errorf("ClientID(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSQLStoreBatch: one Add or AddMembers call with several counters or
// members answers each in order, whatever order the database returns its
// rows in, and refuses a batch naming one counter twice.
func TestSQLStoreBatch(t *testing.T) {
	store, _ := openStore(t)
	a := risk.Counter{Name: "c:a/req", Start: 1_900_000_000}
	b := risk.Counter{Name: "k:b/req", Start: 1_900_000_000}
	c := risk.Counter{Name: "c:a/req", Start: 1_900_000_060}
	d := func(c risk.Counter, n int64) risk.Delta { return risk.Delta{Counter: c, N: n, Expires: c.Start + 120} }
	for i, tc := range []struct {
		ds   []risk.Delta
		want string
	}{
		{[]risk.Delta{d(a, 1), d(b, 5)}, "[1 5]"},
		{[]risk.Delta{d(b, 1), d(a, 2), d(c, 7)}, "[6 3 7]"},
		{[]risk.Delta{d(c, 0)}, "[7]"},
	} {
		got, err := store.Add(ctx, tc.ds...)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("Add #%d = %v, want %s", i+1, got, tc.want)
		}
	}
	if _, err := store.Add(ctx, d(a, 1), d(a, 1)); err == nil {
		t.Error("Add with one counter twice: no error, want one")
	}
	if got, err := store.Get(ctx, []risk.Counter{c, a, b}); err != nil || fmt.Sprint(got) != "[7 3 6]" {
		t.Errorf("Get = %v, %v; want [7 3 6] (the refused batch must add nothing)", got, err)
	}

	m := func(c risk.Counter, s string) risk.Member {
		return risk.Member{Counter: c, Member: s, Expires: c.Start + 120}
	}
	for i, tc := range []struct {
		ms   []risk.Member
		want string
	}{
		{[]risk.Member{m(a, "x"), m(b, "x")}, "[true true]"},
		{[]risk.Member{m(b, "y"), m(a, "x"), m(b, "x"), m(c, "x")}, "[true false false true]"},
	} {
		got, err := store.AddMembers(ctx, tc.ms...)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("AddMembers #%d = %v, want %s", i+1, got, tc.want)
		}
	}
	if _, err := store.AddMembers(ctx, m(a, "z"), m(a, "z")); err == nil {
		t.Error("AddMembers with one member twice: no error, want one")
	}
	if got, _ := store.AddMembers(ctx, m(a, "z")); fmt.Sprint(got) != "[true]" {
		t.Errorf("AddMembers after a refused batch = %v, want [true] (the refused batch must add nothing)", got)
	}
}

// countingStore counts calls to a Store.
type countingStore struct {
	risk.Store
	adds, members, gets, addGets int
}

func (s *countingStore) AddGet(ctx context.Context, ds []risk.Delta, cs []risk.Counter) ([]int64, []int64, error) {
	s.addGets++
	return s.Store.AddGet(ctx, ds, cs)
}

func (s *countingStore) Add(ctx context.Context, ds ...risk.Delta) ([]int64, error) {
	s.adds++
	return s.Store.Add(ctx, ds...)
}

func (s *countingStore) AddMembers(ctx context.Context, ms ...risk.Member) ([]bool, error) {
	s.members++
	return s.Store.AddMembers(ctx, ms...)
}

func (s *countingStore) Get(ctx context.Context, cs []risk.Counter) ([]int64, error) {
	s.gets++
	return s.Store.Get(ctx, cs)
}

// TestLimiterStoreCalls pins the cost of the limiter: each store call is
// one round trip to the database, and a tokenize pays for one Check (one
// AddGet: the request counts and the other counters read in one unit) and
// one Record.
func TestLimiterStoreCalls(t *testing.T) {
	for _, tc := range []struct {
		name                         string
		do                           func(l *risk.Limiter) error
		adds, members, gets, addGets int
	}{
		{"check", func(l *risk.Limiter) error { _, err := l.Check(ctx, "pk", "192.0.2.9"); return err }, 0, 0, 0, 1},
		{"check without client", func(l *risk.Limiter) error { _, err := l.Check(ctx, "pk", ""); return err }, 0, 0, 0, 1},
		{"record a card", func(l *risk.Limiter) error { return l.Record(ctx, "pk", "192.0.2.9", risk.Attempt{Card: "fp_1"}) }, 1, 1, 0, 0},
		{"record a failure", func(l *risk.Limiter) error { return l.Record(ctx, "pk", "192.0.2.9", risk.Attempt{Failed: true}) }, 1, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &countingStore{Store: newMemStore()}
			if err := tc.do(risk.NewLimiter(s, risk.DefaultPolicy(), newClock().Now)); err != nil {
				t.Fatal(err)
			}
			if s.adds != tc.adds || s.members != tc.members || s.gets != tc.gets || s.addGets != tc.addGets {
				t.Errorf("store calls: %d Add, %d AddMembers, %d Get, %d AddGet; want %d, %d, %d, %d",
					s.adds, s.members, s.gets, s.addGets, tc.adds, tc.members, tc.gets, tc.addGets)
			}
		})
	}
}

// TestSQLStoreAddGet: the read sees the unit's own additions, and either
// half may be empty.
func TestSQLStoreAddGet(t *testing.T) {
	store, _ := openStore(t)
	a := risk.Counter{Name: "c:a/req", Start: 1_900_000_000}
	b := risk.Counter{Name: "c:a/cards", Start: 1_900_000_000}
	d := func(c risk.Counter, n int64) risk.Delta { return risk.Delta{Counter: c, N: n, Expires: c.Start + 120} }
	for i, tc := range []struct {
		ds         []risk.Delta
		cs         []risk.Counter
		added, got string
	}{
		{[]risk.Delta{d(a, 2)}, []risk.Counter{a, b}, "[2]", "[2 0]"},
		{nil, []risk.Counter{b, a}, "[]", "[0 2]"},
		{[]risk.Delta{d(b, 3), d(a, 1)}, nil, "[3 3]", "[]"},
		{nil, nil, "[]", "[]"},
	} {
		added, got, err := store.AddGet(ctx, tc.ds, tc.cs)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(added) != tc.added || fmt.Sprint(got) != tc.got {
			t.Errorf("AddGet #%d = %v, %v; want %s, %s", i+1, added, got, tc.added, tc.got)
		}
	}
}
