package risk

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/netip"
	"time"
)

// Counter names one fixed-window counter: a name and the start of its
// window in Unix seconds.
type Counter struct {
	Name  string
	Start int64
}

// A Store keeps counters and sets where every process sees them. Each
// call must be atomic on its own, without transactions (Cloudflare D1 has
// none): [SQLStore] makes every call one statement, whatever the number of
// counters or members, so that a [Limiter.Check] or [Limiter.Record] costs
// two database round trips.
type Store interface {
	// Add adds each delta's N to its counter, creating it at 0 first, and
	// returns the new values in order. The counters must be distinct.
	Add(ctx context.Context, ds ...Delta) ([]int64, error)
	// AddMembers adds each member to its set and reports, in order, which
	// were new. The pairs of set and member must be distinct.
	AddMembers(ctx context.Context, ms ...Member) ([]bool, error)
	// Get returns the values of cs, in order; 0 for counters never added to.
	Get(ctx context.Context, cs []Counter) ([]int64, error)
	// AddGet is Add of ds and then Get of cs in one round trip to the
	// database; either may be empty.
	AddGet(ctx context.Context, ds []Delta, cs []Counter) (added, got []int64, err error)
}

// Delta is an addition to a counter for [Store.Add]. The store may forget
// the counter after Expires (Unix seconds).
type Delta struct {
	Counter Counter
	N       int64
	Expires int64
}

// Member is a member of the set named by a counter, for
// [Store.AddMembers]. The store may forget it after Expires (Unix seconds).
type Member struct {
	Counter Counter
	Member  string
	Expires int64
}

// A Limiter applies a [Policy] with counts kept in a [Store].
type Limiter struct {
	store  Store
	policy Policy
	now    func() time.Time
}

// NewLimiter returns a limiter. now is the clock; nil means time.Now.
func NewLimiter(store Store, policy Policy, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{store: store, policy: policy, now: now}
}

// Attempt is the outcome of one card attempt, for [Limiter.Record].
type Attempt struct {
	// Card identifies the card, normally its vault fingerprint; "" when
	// the attempt failed before there was one (an unreadable envelope, an
	// invalid number).
	Card string
	// Failed is true for an attempt that failed: invalid card data, a
	// failed decryption, a decline reported by the provider.
	Failed bool
}

// Check counts one request by client (see [ClientID]) with API key, and
// decides whether to serve it, given the requests and the card attempts
// recorded so far. An empty key or client is not counted. On a store
// error, Check returns the error and an allowing Decision: whether to fail
// open is the caller's choice.
//
// Check is two store calls: one [Store.Add] of the request counters and
// one [Store.Get] of everything else.
func (l *Limiter) Check(ctx context.Context, key, client string) (Decision, error) {
	now := l.now().Unix()
	p := l.policy
	var u Usage
	// Two request counters are counted; at most two read (their previous
	// windows) and five others (current and previous windows) are read.
	adds := make([]Delta, 0, 2)
	addInto := make([]*float64, 0, 2)
	get := make([]Counter, 0, 12)
	into := make([]*float64, 0, 12)
	weight := make([]float64, 0, 12)
	read := func(name string, lim Limit, dst *float64, withCurrent bool) {
		cur, prev, w := windows(name, lim, now)
		if withCurrent {
			get, into, weight = append(get, cur), append(into, dst), append(weight, 1)
		}
		get, into, weight = append(get, prev), append(into, dst), append(weight, w)
	}
	c, k := ident("c", client), ident("k", key)
	for _, r := range []struct {
		name string
		lim  Limit
		dst  *float64
	}{
		{c.name("req"), p.ClientRequests, &u.ClientRequests},
		{k.name("req"), p.KeyRequests, &u.KeyRequests},
	} {
		if r.name == "" || r.lim.Window < time.Second {
			continue
		}
		cur, _, _ := windows(r.name, r.lim, now)
		adds, addInto = append(adds, Delta{cur, 1, cur.Start + 2*window(r.lim)}), append(addInto, r.dst)
		read(r.name, r.lim, r.dst, false)
	}
	for _, r := range []struct {
		name string
		lim  Limit
		dst  *float64
	}{
		{c.name("cards"), p.ClientCards, &u.ClientCards},
		{c.name("fail"), p.ClientFailures, &u.ClientFailures},
		{k.name("cards"), p.KeyCards, &u.KeyCards},
		{k.name("fail"), p.KeyFailures, &u.KeyFailures},
		{k.name("att"), p.KeyFailures, &u.KeyAttempts},
	} {
		if r.name != "" && r.lim.Window >= time.Second {
			read(r.name, r.lim, r.dst, true)
		}
	}
	if len(adds) > 0 || len(get) > 0 {
		added, got, err := l.store.AddGet(ctx, adds, get)
		if err != nil {
			return Decision{Allow: true}, fmt.Errorf("risk: counting a request: %w", err)
		}
		for i, v := range added {
			*addInto[i] += float64(v)
		}
		for i, v := range got {
			*into[i] += weight[i] * float64(v)
		}
	}
	return p.Decide(u), nil
}

// plan returns what an attempt adds: card members (each new one also
// counts 1 on its counter) and counter deltas.
func (l *Limiter) plan(key, client string, a Attempt) (members []Member, adds []Delta) {
	now := l.now().Unix()
	p := l.policy
	add := func(name string, lim Limit) {
		cur, _, _ := windows(name, lim, now)
		adds = append(adds, Delta{cur, 1, cur.Start + 2*window(lim)})
	}
	for _, id := range []struct {
		id           identity
		cards, fails Limit
	}{
		{ident("c", client), p.ClientCards, p.ClientFailures},
		{ident("k", key), p.KeyCards, p.KeyFailures},
	} {
		if id.id == "" {
			continue
		}
		if a.Card != "" && id.cards.Window >= time.Second {
			cur, _, _ := windows(id.id.name("cards"), id.cards, now)
			members = append(members, Member{cur, member(a.Card), cur.Start + 2*window(id.cards)})
		}
		if id.fails.Window < time.Second {
			continue
		}
		if a.Failed {
			add(id.id.name("fail"), id.fails)
		}
		if id.id[0] == 'k' && p.KeyFailureRatio > 0 {
			add(id.id.name("att"), id.fails)
		}
	}
	return members, adds
}

// Record counts one card attempt by client with key; the next [Check]
// sees it. It is at most two store calls: one [Store.AddMembers] for the
// card, then one [Store.Add] of the counters.
func (l *Limiter) Record(ctx context.Context, key, client string, a Attempt) error {
	members, adds := l.plan(key, client, a)
	if len(members) > 0 {
		added, err := l.store.AddMembers(ctx, members...)
		if err != nil {
			return fmt.Errorf("risk: recording a card: %w", err)
		}
		for i, m := range members {
			if added[i] {
				adds = append(adds, Delta{m.Counter, 1, m.Expires})
			}
		}
	}
	if len(adds) > 0 {
		if _, err := l.store.Add(ctx, adds...); err != nil {
			return fmt.Errorf("risk: recording a card attempt: %w", err)
		}
	}
	return nil
}

func window(l Limit) int64 { return int64(l.Window / time.Second) }

// windows returns the current and previous fixed windows of a counter at
// now, and the weight of the previous one in the sliding estimate
// cur + prev·(1 − elapsed/window): the share of the sliding window that
// still overlaps the previous fixed one.
func windows(name string, l Limit, now int64) (cur, prev Counter, w float64) {
	size := window(l)
	start := now - mod(now, size)
	return Counter{name, start}, Counter{name, start - size}, 1 - float64(now-start)/float64(size)
}

func mod(a, b int64) int64 { return (a%b + b) % b }

// identity is a hashed client or key: the store never holds an address or
// an API key, only a digest of it.
type identity string

func ident(kind, s string) identity {
	if s == "" {
		return ""
	}
	h := sha256.Sum256([]byte("sealpay/risk/v1 " + kind + " " + s))
	return identity(kind + ":" + base64.RawURLEncoding.EncodeToString(h[:16]))
}

func (id identity) name(what string) string {
	if id == "" {
		return ""
	}
	return string(id) + "/" + what
}

// member shortens a card identity for the set tables.
func member(card string) string {
	h := sha256.Sum256([]byte("sealpay/risk/v1 card " + card))
	return base64.RawURLEncoding.EncodeToString(h[:12])
}

// ClientID returns the client key for an address: the address itself for
// IPv4, and the /64 prefix for IPv6, since one subscriber holds a whole
// /64 and could otherwise change address on every attempt.
func ClientID(addr netip.Addr) string {
	addr = addr.Unmap()
	if addr.Is4() || !addr.IsValid() {
		return addr.String()
	}
	p, _ := addr.WithZone("").Prefix(64)
	return p.String()
}
