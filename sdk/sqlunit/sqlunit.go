// Package sqlunit is the seam between Sealpay's stores (the vault, the risk
// counters, the audit log) and a SQL database: every operation that writes
// is one [Unit], a list of statements that runs all-or-nothing and returns
// once durable, with each statement's RETURNING rows. Reads that need no
// unit go through [Executor.Query].
//
// The same units run on the native server's SQLite (edge/sqlitedb: one
// writer, one savepoint per unit, one fsync per group of units), on
// Cloudflare D1 (edge/worker: one batch() per unit) and, for tools and
// tests, on any database/sql handle of SQLite ([OnSQL]: one transaction
// per unit). docs/vault.md states the rules the statements follow.
package sqlunit

import (
	"context"
	"errors"
	"strings"
)

// Stmt is one SQL statement and its arguments (int64, string, []byte or
// nil).
type Stmt struct {
	SQL  string
	Args []any
}

// S returns the statement q with args.
func S(q string, args ...any) Stmt { return Stmt{SQL: q, Args: args} }

// A Row is one row a statement returned, its values in column order:
// int64 (D1 gives float64; [Row.Int] reads both), string, []byte or nil.
type Row []any

// Rows are a statement's rows.
type Rows []Row

// Int returns column i as an integer; 0 for NULL.
func (r Row) Int(i int) int64 {
	switch v := r[i].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	case int:
		return int64(v)
	}
	return 0
}

// String returns column i as a string; "" for NULL.
func (r Row) String(i int) string {
	switch v := r[i].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// Bytes returns column i as bytes; nil for NULL.
func (r Row) Bytes(i int) []byte {
	switch v := r[i].(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

// Null reports whether column i is NULL.
func (r Row) Null(i int) bool { return r[i] == nil }

// A Tail builds a unit's last statement when the unit runs, from state
// that the units before it changed: the audit entry, chained to the head
// of the log at that moment. An executor calls Next once per attempt, with
// its units in the order they run (the native writer is one goroutine; a
// Worker instance runs one request at a time), and calls undo if the
// statement does not stay (its unit failed or was rolled back), in the
// reverse order of the Next calls.
type Tail interface {
	Next(ctx context.Context) (s Stmt, undo func(), err error)
	// Stale is asked after a unit with this tail failed for a reason
	// other than a [Refusal]: it reports whether the tail was built on
	// state another process had changed (another Worker appended to the
	// audit log first), after refreshing it; [Exec] then runs the unit
	// again.
	Stale(ctx context.Context, q Querier) (bool, error)
}

// A Unit is a list of statements that runs all-or-nothing, then Tail's
// statement if Tail is set.
type Unit struct {
	Stmts []Stmt
	Tail  Tail
	// Early lets an executor complete the unit once it has run, before
	// it is durable: for state whose loss in a crash costs nothing (rate
	// counters). It is still atomic, and still lost only with the rest of
	// its group.
	Early bool
}

// A Querier runs reads.
type Querier interface {
	// Query runs one read-only statement and returns its rows. It sees
	// every unit that completed before it was called.
	Query(ctx context.Context, q string, args ...any) (Rows, error)
}

// An Executor runs units and reads.
type Executor interface {
	Querier
	// Exec runs u atomically and returns once it is durable, with the
	// rows of each statement (Tail's last). If it fails, none of u's
	// statements took effect; a failed guard (see [Refuse]) is a
	// *[Refusal]. Other errors keep their cause, for the operator's log.
	Exec(ctx context.Context, u Unit) ([]Rows, error)
}

// maxStale bounds how often [Exec] rebuilds a unit whose tail was stale.
const maxStale = 16

// Exec runs u on ex, running it again while it fails because its tail
// was built on stale state (see [Tail.Stale]).
func Exec(ctx context.Context, ex Executor, u Unit) ([]Rows, error) {
	for try := 0; ; try++ {
		rows, err := ex.Exec(ctx, u)
		if err == nil || u.Tail == nil || try == maxStale {
			return rows, err
		}
		var r *Refusal
		if errors.As(err, &r) {
			return nil, err
		}
		stale, serr := u.Tail.Stale(ctx, ex)
		if serr != nil || !stale {
			return nil, err
		}
	}
}

// Refusal is the error of a unit that a guard stopped: the state was not
// what the operation needs (the jti was used, the token is gone), and
// nothing was written.
type Refusal struct {
	Reason string // one of the Refused* reasons
}

func (r *Refusal) Error() string { return "sqlunit: unit refused: " + r.Reason }

// The reasons a guard can give; the trigger of migration 0100_units.sql
// knows exactly these.
const (
	RefusedReplayed = "replayed"  // a jti or nonce was already recorded
	RefusedNotFound = "not_found" // a row the operation needs is missing
	RefusedNoCVC    = "no_cvc"    // the CVC the operation needs is gone
	// RefusedNoCryptogram: the wallet cryptogram the operation needs is
	// gone (migration 0140_wallet.sql teaches the trigger this reason).
	RefusedNoCryptogram = "no_cryptogram"
)

// refusalMark starts the message of a guard's error, as the trigger
// raises it: "sealpay_refused:" and the reason.
const refusalMark = "sealpay_refused:"

// Refuse returns a guard: a statement that fails its unit with a
// *[Refusal] for reason if the query exists returns a row. Guards are
// how a unit says "only if": D1's batch() cannot branch, so the condition
// is checked by the database, inside the unit.
func Refuse(reason, exists string, args ...any) Stmt {
	return Stmt{
		SQL:  "INSERT INTO unit_refusals (reason) SELECT ? WHERE EXISTS (" + exists + ")",
		Args: append([]any{reason}, args...),
	}
}

// RefuseUnless is [Refuse] for a query that must return a row.
func RefuseUnless(reason, exists string, args ...any) Stmt {
	return Stmt{
		SQL:  "INSERT INTO unit_refusals (reason) SELECT ? WHERE NOT EXISTS (" + exists + ")",
		Args: append([]any{reason}, args...),
	}
}

// RefusalIn returns the refusal that a guard's error message carries, for
// executors to classify a failed unit. The message is the one the
// migration's trigger raises, not a driver's wording.
func RefusalIn(msg string) (*Refusal, bool) {
	_, rest, ok := strings.Cut(msg, refusalMark)
	if !ok {
		return nil, false
	}
	end := 0
	for end < len(rest) && (rest[end] == '_' || 'a' <= rest[end] && rest[end] <= 'z') {
		end++
	}
	switch r := rest[:end]; r {
	case RefusedReplayed, RefusedNotFound, RefusedNoCVC, RefusedNoCryptogram:
		return &Refusal{Reason: r}, true
	}
	return nil, false
}
