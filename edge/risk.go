package edge

import (
	"context"
	"database/sql"
	"time"
)

// riskGuard applies sdk/risk's limits. (Wired to sdk/risk when it lands.)
type riskGuard struct {
	db  *sql.DB
	now func() time.Time
}

func newRiskGuard(db *sql.DB, now func() time.Time) *riskGuard {
	return &riskGuard{db: db, now: now}
}

// allow applies the per-key and per-client request limits.
func (g *riskGuard) allow(ctx context.Context, c *call) error { return nil }

// allowCards refuses clients (and keys) that card testing has blocked.
func (g *riskGuard) allowCards(ctx context.Context, c *call) error { return nil }

// cardFailure counts a failed card for c's client and key.
func (g *riskGuard) cardFailure(ctx context.Context, c *call, err error) {}
