package edge

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"time"

	"github.com/sealpay/sealpay/sdk/risk"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// LimitConfig overrides one limit of sdk/risk's default policy.
type LimitConfig struct {
	Window string  `json:"window"` // a Go duration, e.g. "1m"
	Slow   float64 `json:"slow"`   // above this many events, requests are delayed
	Block  float64 `json:"block"`  // above this many, refused; 0 disables
}

// Limits overrides parts of sdk/risk's DefaultPolicy; omitted limits keep
// their defaults.
type Limits struct {
	ClientRequests *LimitConfig `json:"client_requests,omitempty"`
	KeyRequests    *LimitConfig `json:"key_requests,omitempty"`
	ClientCards    *LimitConfig `json:"client_cards,omitempty"`
	ClientFailures *LimitConfig `json:"client_failures,omitempty"`
	KeyCards       *LimitConfig `json:"key_cards,omitempty"`
	KeyFailures    *LimitConfig `json:"key_failures,omitempty"`
}

// policy returns the risk policy for l.
func (l *Limits) policy() (risk.Policy, error) {
	p := risk.DefaultPolicy()
	if l == nil {
		return p, nil
	}
	for _, o := range []struct {
		name string
		c    *LimitConfig
		dst  *risk.Limit
	}{
		{"client_requests", l.ClientRequests, &p.ClientRequests},
		{"key_requests", l.KeyRequests, &p.KeyRequests},
		{"client_cards", l.ClientCards, &p.ClientCards},
		{"client_failures", l.ClientFailures, &p.ClientFailures},
		{"key_cards", l.KeyCards, &p.KeyCards},
		{"key_failures", l.KeyFailures, &p.KeyFailures},
	} {
		if o.c == nil {
			continue
		}
		w, err := time.ParseDuration(o.c.Window)
		if err != nil || w <= 0 || o.c.Slow < 0 || o.c.Block < 0 {
			return p, fmt.Errorf("edge: limits.%s: window must be a positive duration, slow and block not negative: %w", o.name, ErrConfig)
		}
		*o.dst = risk.Limit{Window: w, Slow: o.c.Slow, Block: o.c.Block}
	}
	return p, nil
}

// riskGuard applies sdk/risk: per-key and per-client request limits, and
// the card-testing defence (distinct cards and failures per client and
// key), with the counts in the vault's database.
type riskGuard struct {
	lim *risk.Limiter
	log *slog.Logger
}

func newRiskGuard(ex sqlunit.Executor, p risk.Policy, now func() time.Time, log *slog.Logger) *riskGuard {
	return &riskGuard{lim: risk.NewLimiter(risk.NewStore(ex), p, now), log: log}
}

// clientID is the risk package's client key for c's address.
func clientID(c *call) string {
	if a, err := netip.ParseAddr(c.client); err == nil {
		return risk.ClientID(a)
	}
	return c.client
}

// rateLimited is a refusal with its Retry-After.
type rateLimited struct {
	err   error
	after time.Duration
}

func (e *rateLimited) Error() string { return e.err.Error() }
func (e *rateLimited) Unwrap() error { return e.err }

// retryAfter is the Retry-After value in whole seconds, at least 1.
func (e *rateLimited) retryAfter() string {
	s := int64((e.after + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}

// allow counts the request and applies the decision: refuse, or, if
// hold, hold it for the decision's delay. A store failure lets the
// request through (and is logged): the limits protect against abuse, not
// against card theft, which the envelope and the vault do.
//
// It is called before a missing or unknown key is refused (c.key is then
// ""): such requests count on the client's limits, and a client over them
// is refused with rate_limited.
func (g *riskGuard) allow(ctx context.Context, c *call, hold bool) error {
	d, err := g.lim.Check(dbContext(ctx), c.key, clientID(c))
	if err != nil {
		g.log.Error("edge: risk store unavailable; allowing", "err", err.Error())
		return nil
	}
	if !d.Allow {
		c.risk, c.limit = RiskBlocked, d.Reason
		return &rateLimited{err: fmt.Errorf("edge: refused by limit %s: %w", d.Reason, d.Err()), after: d.Delay}
	}
	if d.Delay > 0 && hold {
		c.risk, c.limit = RiskSlowed, d.Reason
		t := time.NewTimer(d.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// dbContext is ctx without its cancellation, for database statements. A
// statement is short, and finishing a request's writes beats leaving them
// half done because the client hung up. It is also cheaper:
// modernc.org/sqlite and database/sql each start a goroutine per statement
// to watch a context that can be cancelled.
func dbContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// recordStmts are the statements that count a successful card attempt,
// for the unit that stores the card: it is counted if and only if stored.
func (g *riskGuard) recordStmts(c *call, fingerprint string) []sqlunit.Stmt {
	return g.lim.RecordStmts(c.key, clientID(c), risk.Attempt{Card: fingerprint})
}

// attempt records one card attempt: err nil with the card's fingerprint,
// or a card failure. Other errors (replays, bad JSON) are not card tests.
func (g *riskGuard) attempt(ctx context.Context, c *call, fingerprint string, err error) {
	a := risk.Attempt{Card: fingerprint}
	if err != nil {
		if !isCardFailure(err) {
			return
		}
		a = risk.Attempt{Failed: true}
	}
	if err := g.lim.Record(dbContext(ctx), c.key, clientID(c), a); err != nil {
		g.log.Error("edge: recording a card attempt failed", "err", err.Error())
	}
}
