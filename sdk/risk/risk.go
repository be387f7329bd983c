// Package risk slows and then refuses clients and keys that send too many
// requests, or that test cards: many distinct cards or many card failures
// in a short window.
//
// For most uses, make a [Limiter] with [NewLimiter] over a [SQLStore] (the
// vault's database; the schema is migration 0002_risk.sql) and
// [DefaultPolicy]. Call [Limiter.Check] when a request arrives and honour
// its [Decision]; call [Limiter.Record] after each card attempt.
//
// Counting is fixed windows in the database, read as a sliding-window
// estimate, so limits hold across processes and Worker instances. The
// decision itself is [Policy.Decide], a pure function of the counts.
package risk

import (
	"fmt"
	"math"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// ErrRateLimited is the error of a refused [Decision].
var ErrRateLimited = errcode.New(errcode.RateLimited, "risk: too many requests, retry later")

// Decision is the verdict on one request.
type Decision struct {
	// Allow is false when the request must be refused with Code.
	Allow bool
	// Delay is how long to hold an allowed request before serving it (zero
	// for most), or, when refused, how long the caller should wait before
	// retrying (for a Retry-After header).
	Delay time.Duration
	// Code is errcode.RateLimited when refused, "" otherwise.
	Code errcode.Code
	// Reason names the limit that slowed or refused the request, one of
	// the Reason constants; "" when nothing did.
	Reason string
}

// Reasons, for logs and the audit trail. They name the limit, never the
// client or the key.
const (
	ReasonClientRequests = "client_requests"
	ReasonKeyRequests    = "key_requests"
	ReasonClientCards    = "client_cards"
	ReasonClientFailures = "client_failures"
	ReasonKeyCards       = "key_cards"
	ReasonKeyFailures    = "key_failures"
)

// Err returns nil for an allowed request and an error wrapping
// [ErrRateLimited] for a refused one.
func (d Decision) Err() error {
	if d.Allow {
		return nil
	}
	return fmt.Errorf("risk: %s over limit: %w", d.Reason, ErrRateLimited)
}

// Limit bounds one count over a sliding window. Above Slow events,
// requests are delayed; above Block, refused. Zero disables either.
type Limit struct {
	Window time.Duration
	Slow   float64
	Block  float64
}

// Policy holds every limit and the delay curve.
type Policy struct {
	ClientRequests Limit // requests per client address
	KeyRequests    Limit // requests per API key
	ClientCards    Limit // distinct cards per client
	ClientFailures Limit // failed card attempts per client
	KeyCards       Limit // distinct cards per key
	KeyFailures    Limit // failed card attempts per key

	// KeyFailureRatio, if not zero, makes KeyFailures apply only while
	// failures are at least this share of the key's card attempts. A busy
	// merchant's shoppers fail often in absolute numbers (typos, declines)
	// but at a modest rate; card testing fails at a high one.
	KeyFailureRatio float64

	// The delay for a count n above Slow is BaseDelay·2^(n−Slow−1), at
	// most MaxDelay.
	BaseDelay time.Duration
	MaxDelay  time.Duration
}

// DefaultPolicy returns limits for a checkout: a shopper tries a card or
// two, mistypes a few times and is never slowed; a script trying cards is
// slowed after a handful and refused soon after. Key limits are far higher:
// a key is shared by every shopper of a merchant, and refusing it would
// refuse them all, so card testing spread over many addresses is slowed for
// a long while before it is refused.
func DefaultPolicy() Policy {
	return Policy{
		ClientRequests: Limit{Window: time.Minute, Slow: 60, Block: 120},
		KeyRequests:    Limit{Window: time.Minute, Slow: 3000, Block: 6000},
		ClientCards:    Limit{Window: 10 * time.Minute, Slow: 3, Block: 6},
		ClientFailures: Limit{Window: 10 * time.Minute, Slow: 4, Block: 8},
		KeyCards:       Limit{Window: 10 * time.Minute, Slow: 1000, Block: 5000},
		KeyFailures:    Limit{Window: 10 * time.Minute, Slow: 50, Block: 500},

		KeyFailureRatio: 0.6,
		BaseDelay:       250 * time.Millisecond,
		MaxDelay:        4 * time.Second,
	}
}

// Usage is what a [Limiter] counted, as sliding-window estimates over
// each limit's window; request counts include the request being decided.
type Usage struct {
	ClientRequests, KeyRequests float64
	ClientCards, ClientFailures float64
	KeyCards, KeyFailures       float64
	KeyAttempts                 float64 // card attempts on the key, failed or not
}

// Decide turns usage into a decision. Refusal beats delay; among refusals
// the first in the order of the Reason constants wins; an allowed request
// gets the longest delay any limit asks for.
func (p Policy) Decide(u Usage) Decision {
	checks := []struct {
		reason string
		limit  Limit
		n      float64
	}{
		{ReasonClientCards, p.ClientCards, u.ClientCards},
		{ReasonClientFailures, p.ClientFailures, u.ClientFailures},
		{ReasonClientRequests, p.ClientRequests, u.ClientRequests},
		{ReasonKeyCards, p.KeyCards, u.KeyCards},
		{ReasonKeyFailures, p.KeyFailures, u.KeyFailures},
		{ReasonKeyRequests, p.KeyRequests, u.KeyRequests},
	}
	if p.KeyFailureRatio > 0 && !(u.KeyAttempts > 0 && u.KeyFailures/u.KeyAttempts >= p.KeyFailureRatio) {
		checks[4].limit = Limit{}
	}
	d := Decision{Allow: true}
	for _, c := range checks {
		if c.limit.Block > 0 && c.n > c.limit.Block {
			return Decision{Allow: false, Code: errcode.RateLimited, Reason: c.reason, Delay: c.limit.Window}
		}
		if c.limit.Slow > 0 && c.n > c.limit.Slow {
			if delay := p.delay(c.n - c.limit.Slow); delay > d.Delay {
				d.Delay, d.Reason = delay, c.reason
			}
		}
	}
	return d
}

// delay is BaseDelay·2^(over−1), capped at MaxDelay, for over > 0 events
// above the slow threshold.
func (p Policy) delay(over float64) time.Duration {
	e := math.Ceil(over) - 1
	if e > 30 {
		e = 30
	}
	d := time.Duration(float64(p.BaseDelay) * math.Exp2(e))
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d
}
