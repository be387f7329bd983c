package edge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sealpay/sealpay/sdk/risk"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/token"
)

// PurgeConfig sets what the purge removes and when ("purge" in the
// configuration). Durations are Go durations ("10m"); omitted ones keep
// their defaults. See docs/edge-api.md, "Purge".
type PurgeConfig struct {
	// Interval is how often the native server purges ("1m" by default).
	// The Worker purges on its Cron Trigger (wrangler.toml [triggers]).
	Interval string `json:"interval,omitempty"`
	// CVCTTL is how long a CVC is held before it expires ("10m"; at most
	// "1h").
	CVCTTL string `json:"cvc_ttl,omitempty"`
	// CVCKeyWindow is how long one CVC key seals new CVCs ("5m"): a key,
	// and every CVC it sealed, is destroyed at most CVCKeyWindow + CVCTTL
	// after its window starts, plus one purge interval.
	CVCKeyWindow string `json:"cvc_key_window,omitempty"`
	// SingleUseTTL is the lifetime of a single-use token ("15m"; at most
	// "24h"). Tokens of the hosted-fields frame are single-use unless the
	// shopper saves the card, so this bounds how long such a token is
	// worth anything.
	SingleUseTTL string `json:"single_use_ttl,omitempty"`
	// RiskRetention keeps rate counters this long after they stop
	// counting ("0s": purged as soon as they expire).
	RiskRetention string `json:"risk_retention,omitempty"`
}

// purgeSettings are a PurgeConfig's durations, defaults filled in.
type purgeSettings struct {
	interval, cvcTTL, cvcWindow, singleUseTTL, riskRetention time.Duration
}

// DefaultPurgeInterval is how often the native server purges when the
// configuration does not say.
const DefaultPurgeInterval = time.Minute

// maxCVCTTL bounds cvc_ttl: a CVC is for one checkout, never kept.
const maxCVCTTL = time.Hour

// maxSingleUseTTL bounds single_use_ttl: a single-use token is for one
// payment.
const maxSingleUseTTL = 24 * time.Hour

func (p *PurgeConfig) settings() (purgeSettings, error) {
	s := purgeSettings{interval: DefaultPurgeInterval, cvcTTL: token.DefaultCVCTTL,
		cvcWindow: token.DefaultCVCKeyWindow, singleUseTTL: token.DefaultSingleUseTTL}
	if p == nil {
		return s, nil
	}
	for _, f := range []struct {
		name string
		v    string
		dst  *time.Duration
		min  time.Duration
	}{
		{"interval", p.Interval, &s.interval, time.Second},
		{"cvc_ttl", p.CVCTTL, &s.cvcTTL, time.Second},
		{"cvc_key_window", p.CVCKeyWindow, &s.cvcWindow, time.Second},
		{"single_use_ttl", p.SingleUseTTL, &s.singleUseTTL, time.Second},
		{"risk_retention", p.RiskRetention, &s.riskRetention, 0},
	} {
		if f.v == "" {
			continue
		}
		d, err := time.ParseDuration(f.v)
		if err != nil || d < f.min || d%time.Second != 0 {
			return s, fmt.Errorf("edge: purge.%s must be a duration of whole seconds, at least %v: %w", f.name, f.min, ErrConfig)
		}
		*f.dst = d
	}
	if s.cvcTTL > maxCVCTTL {
		return s, fmt.Errorf("edge: purge.cvc_ttl must be at most %v: %w", maxCVCTTL, ErrConfig)
	}
	if s.singleUseTTL > maxSingleUseTTL {
		return s, fmt.Errorf("edge: purge.single_use_ttl must be at most %v: %w", maxSingleUseTTL, ErrConfig)
	}
	return s, nil
}

// A PurgeJob is one kind of housekeeping the purge runs: it deletes what
// is due at now, as atomic units of the store, and says how many rows
// (or keys) went. [Handler.PurgeJobs] lists the edge's own; a home adds
// its own (the native server checkpoints the WAL last), and other stores
// can add theirs (an audit log's retention) to the list.
type PurgeJob struct {
	Name string
	Run  func(ctx context.Context, now time.Time) (int, error)
}

// PurgeResult is what one job did.
type PurgeResult struct {
	Name    string
	Deleted int
	Err     error
}

// RunPurge runs jobs in order at now. A job that fails does not stop the
// ones after it; the error returned joins every job's, each naming its
// job.
func RunPurge(ctx context.Context, jobs []PurgeJob, now time.Time) ([]PurgeResult, error) {
	out := make([]PurgeResult, len(jobs))
	var errs []error
	for i, j := range jobs {
		n, err := j.Run(ctx, now)
		out[i] = PurgeResult{Name: j.Name, Deleted: n, Err: err}
		if err != nil {
			errs = append(errs, fmt.Errorf("edge: purge job %s: %w", j.Name, err))
		}
	}
	return out, errors.Join(errs...)
}

// PurgeJobs returns the edge's purge jobs, in the order they run:
//
//   - "vault": expired CVCs, expired single-use tokens (used ones are
//     deleted when used) and expired jtis in one unit, then the CVC keys
//     whose CVCs have all expired (token.Vault.Purge);
//   - "risk": rate counters and card-testing members expired for longer
//     than purge.risk_retention, in one unit;
//   - "qr_nonces": nonces of expired QR codes, in one unit;
//   - "idempotency_keys": idempotency keys past their 24 hours, in one
//     unit;
//   - "events": delivered and failed events a week after they settled,
//     in one unit.
func (h *Handler) PurgeJobs() []PurgeJob {
	return []PurgeJob{
		{"vault", h.vault.Purge},
		{"risk", func(ctx context.Context, now time.Time) (int, error) {
			return risk.NewStore(h.store).Purge(ctx, now.Add(-h.purge.riskRetention))
		}},
		{"qr_nonces", func(ctx context.Context, now time.Time) (int, error) {
			rs, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
				`DELETE FROM qr_nonces WHERE expires_at < ? RETURNING 1`, now.Unix())}})
			if err != nil {
				return 0, err
			}
			return len(rs[0]), nil
		}},
		{"idempotency_keys", h.purgeIdem},
		{"events", h.purgeEvents},
	}
}

// PurgeInterval is how often the native server runs the purge
// (purge.interval).
func (h *Handler) PurgeInterval() time.Duration { return h.purge.interval }
