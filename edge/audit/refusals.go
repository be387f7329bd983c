package audit

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/sealpay/sealpay/sdk/risk"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// refusalWindow is the length of a refusal counter's window, in seconds.
const refusalWindow = 60

// RefusalCount is one counter of the audit_refusals table: how many
// refusals with Code a client got from Merchant ("" when it did not
// authenticate) in the minute starting at Window. Client is the client
// as the rate limits count it ([risk.ClientID]): an IPv4 address, or an
// IPv6 client's /64, since a host given a /64 can send each request from
// another address of it.
type RefusalCount struct {
	Window   time.Time `json:"window"`
	Client   string    `json:"client"`
	Merchant string    `json:"merchant"`
	Code     string    `json:"code"`
	N        int64     `json:"n"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
}

// Refusal records a refusal that is counted rather than logged one by
// one: of a caller that did not authenticate, or over a rate limit. It
// adds 1 to the counter of e's client, merchant and code for the minute of
// e.Time; the first refusal of each counter is also appended as e, in
// the same unit as the counter's creation, and logged reports it. The
// others cost one counter update that completes before it is durable
// (sqlunit.Unit.Early), not an audit entry each: a flood of bad keys
// fills neither the log nor the disk's fsync queue. The entry names
// e.Client; the counter its [RefusalCount.Client].
//
// extra statements (an event to the merchant) run in whichever unit
// records the refusal; with any, that unit completes only once durable.
func (l *Log) Refusal(ctx context.Context, ex sqlunit.Executor, e Entry, extra ...sqlunit.Stmt) (logged bool, err error) {
	at := e.Time.UnixMilli()
	win := e.Time.Unix()
	win -= (win%refusalWindow + refusalWindow) % refusalWindow
	id := []any{win, counterClient(e.Client), e.Merchant, e.Code}
	bump := func() (bool, error) {
		rs, err := ex.Exec(ctx, sqlunit.Unit{Early: len(extra) == 0, Stmts: append([]sqlunit.Stmt{sqlunit.S(
			`UPDATE audit_refusals SET n = n + 1, last_at = max(last_at, ?)
			WHERE win = ? AND client = ? AND merchant = ? AND code = ? RETURNING n`, append([]any{at}, id...)...)}, extra...)})
		if err != nil {
			return false, fmt.Errorf("audit: counting a refusal: %w", err)
		}
		return len(rs[0]) > 0, nil
	}
	if ok, err := bump(); ok || err != nil {
		return false, err
	}
	// The first of the minute: the counter and the entry, together.
	_, err = sqlunit.Exec(ctx, ex, sqlunit.Unit{
		Stmts: append([]sqlunit.Stmt{
			sqlunit.Refuse(sqlunit.RefusedReplayed, `SELECT 1 FROM audit_refusals WHERE win = ? AND client = ? AND merchant = ? AND code = ?`, id...),
			sqlunit.S(`INSERT INTO audit_refusals (win, client, merchant, code, n, first_at, last_at) VALUES (?, ?, ?, ?, 1, ?, ?)`,
				append(id, at, at)...),
		}, extra...),
		Tail: l.Tail(e),
	})
	var r *sqlunit.Refusal
	if errors.As(err, &r) && r.Reason == sqlunit.RefusedReplayed {
		// Another request created the counter first.
		ok, err := bump()
		if err == nil && !ok {
			err = errors.New("audit: a refusal counter vanished")
		}
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("audit: appending a refusal: %w", err)
	}
	return true, nil
}

// counterClient is the refusal counters' client for an entry's client
// address: [risk.ClientID] of it, or the value itself if it is not an
// address.
func counterClient(client string) string {
	if a, err := netip.ParseAddr(client); err == nil {
		return risk.ClientID(a)
	}
	return client
}
