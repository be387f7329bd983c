package risk

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// SQLStore is a [Store] on the vault's database: SQLite (modernc.org/sqlite)
// or Cloudflare D1, with the tables of migration 0002_risk.sql. Every call
// that writes is one unit of one statement, however many counters or
// members it names.
type SQLStore struct {
	ex sqlunit.Executor
}

// NewSQLStore returns a store on db, which must be migrated, one
// transaction per call ([sqlunit.OnSQL]).
func NewSQLStore(db *sql.DB) *SQLStore { return &SQLStore{ex: sqlunit.OnSQL(db)} }

// NewStore returns a store whose units run on ex.
func NewStore(ex sqlunit.Executor) *SQLStore { return &SQLStore{ex: ex} }

// maxBatch keeps every statement under D1's 100 bound parameters (four
// per counter or member, two per counter read).
const maxBatch = 24

// maxGet keeps Get's statement under D1's 100 bound parameters.
const maxGet = 48

var errBatch = errors.New("risk: too many counters or members in one call")

// Add implements [Store] with one multi-row INSERT … ON CONFLICT DO UPDATE
// … RETURNING.
func (s *SQLStore) Add(ctx context.Context, ds ...Delta) ([]int64, error) {
	added, _, err := s.AddGet(ctx, ds, nil)
	return added, err
}

// AddGet implements [Store]: Add's statement and Get's in one unit, run
// early (see [sqlunit.Unit]): on D1 one batch, one round trip.
func (s *SQLStore) AddGet(ctx context.Context, ds []Delta, cs []Counter) (added, got []int64, err error) {
	var stmts []sqlunit.Stmt
	if len(ds) > 0 {
		st, err := addStmt(ds)
		if err != nil {
			return nil, nil, err
		}
		stmts = append(stmts, st)
	}
	if len(cs) > 0 {
		st, err := getStmt(cs)
		if err != nil {
			return nil, nil, err
		}
		stmts = append(stmts, st)
	}
	if len(stmts) == 0 {
		return []int64{}, []int64{}, nil
	}
	rs, err := s.ex.Exec(ctx, sqlunit.Unit{Stmts: stmts, Early: true})
	if err != nil {
		return nil, nil, err
	}
	added = make([]int64, len(ds))
	if len(ds) > 0 {
		if added, err = addedValues(rs[0], ds); err != nil {
			return nil, nil, err
		}
		rs = rs[1:]
	}
	got = make([]int64, len(cs))
	if len(cs) > 0 {
		got = gotValues(rs[0], cs)
	}
	return added, got, nil
}

func addStmt(ds []Delta) (sqlunit.Stmt, error) {
	if len(ds) > maxBatch || !distinct(len(ds), func(i int) Counter { return ds[i].Counter }) {
		return sqlunit.Stmt{}, errBatch
	}
	args := make([]any, 0, 4*len(ds))
	for _, d := range ds {
		args = append(args, d.Counter.Name, d.Counter.Start, d.N, d.Expires)
	}
	return sqlunit.Stmt{SQL: addQueries[len(ds)], Args: args}, nil
}

// addedValues reads the new values of ds from the rows addStmt returned.
func addedValues(rows sqlunit.Rows, ds []Delta) ([]int64, error) {
	out := make([]int64, len(ds))
	got := make([]bool, len(ds))
	for _, row := range rows {
		c, n := Counter{row.String(0), row.Int(1)}, row.Int(2)
		for i := range ds {
			if ds[i].Counter == c {
				out[i], got[i] = n, true
			}
		}
	}
	for _, ok := range got {
		if !ok {
			return nil, errors.New("risk: a counter update returned no row")
		}
	}
	return out, nil
}

func getStmt(cs []Counter) (sqlunit.Stmt, error) {
	if len(cs) > maxGet {
		return sqlunit.Stmt{}, errors.New("risk: too many counters in one Get")
	}
	args := make([]any, 0, 2*len(cs))
	for _, c := range cs {
		args = append(args, c.Name, c.Start)
	}
	return sqlunit.Stmt{SQL: getQueries[len(cs)], Args: args}, nil
}

// gotValues reads the values of cs from the rows getStmt returned; 0 for
// a counter with no row.
func gotValues(rows sqlunit.Rows, cs []Counter) []int64 {
	out := make([]int64, len(cs))
	for _, row := range rows {
		c, n := Counter{row.String(0), row.Int(1)}, row.Int(2)
		for i := range cs {
			if cs[i] == c {
				out[i] = n
			}
		}
	}
	return out
}

// AddMembers implements [Store]: one multi-row INSERT … ON CONFLICT DO
// NOTHING RETURNING gives a row back for each member that is new.
func (s *SQLStore) AddMembers(ctx context.Context, ms ...Member) ([]bool, error) {
	out := make([]bool, len(ms))
	if len(ms) == 0 {
		return out, nil
	}
	type key struct {
		c Counter
		m string
	}
	if len(ms) > maxBatch || !distinct(len(ms), func(i int) key { return key{ms[i].Counter, ms[i].Member} }) {
		return nil, errBatch
	}
	args := make([]any, 0, 4*len(ms))
	for _, m := range ms {
		args = append(args, m.Counter.Name, m.Counter.Start, m.Member, m.Expires)
	}
	err := s.write(ctx, memberQueries[len(ms)], args, func(row sqlunit.Row) error {
		k := key{Counter{row.String(0), row.Int(1)}, row.String(2)}
		for i := range ms {
			if ms[i].Counter == k.c && ms[i].Member == k.m {
				out[i] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Get implements [Store] with one SELECT.
func (s *SQLStore) Get(ctx context.Context, cs []Counter) ([]int64, error) {
	if len(cs) == 0 {
		return []int64{}, nil
	}
	st, err := getStmt(cs)
	if err != nil {
		return nil, err
	}
	rows, err := s.ex.Query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, err
	}
	return gotValues(rows, cs), nil
}

// write runs q as a unit of its own and calls row for each row it returns.
func (s *SQLStore) write(ctx context.Context, q string, args []any, row func(sqlunit.Row) error) error {
	rs, err := s.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{{SQL: q, Args: args}}, Early: true})
	if err != nil {
		return err
	}
	for _, r := range rs[0] {
		if err := row(r); err != nil {
			return err
		}
	}
	return nil
}

// The statements by batch size, built once: building them on every call
// allocated about a kilobyte per tokenize (measured under edge/bench).
var (
	addQueries = queries(maxBatch, func(n int) string {
		return `INSERT INTO risk_counters (name, win, n, expires_at) VALUES ` + repeat("(?, ?, ?, ?)", n) +
			` ON CONFLICT (name, win) DO UPDATE SET n = n + excluded.n RETURNING name, win, n`
	})
	memberQueries = queries(maxBatch, func(n int) string {
		return `INSERT INTO risk_members (name, win, member, expires_at) VALUES ` + repeat("(?, ?, ?, ?)", n) +
			` ON CONFLICT (name, win, member) DO NOTHING RETURNING name, win, member`
	})
	getQueries = queries(maxGet, func(n int) string {
		return `SELECT name, win, n FROM risk_counters WHERE ` + repeatSep("(name = ? AND win = ?)", " OR ", n)
	})
)

// queries returns q(n) for n from 1 to most, indexed by n.
func queries(most int, q func(n int) string) []string {
	out := make([]string, most+1)
	for n := 1; n <= most; n++ {
		out[n] = q(n)
	}
	return out
}

func repeat(s string, n int) string { return repeatSep(s, ", ", n) }

func repeatSep(s, sep string, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	return b.String()
}

// distinct reports whether the n keys are pairwise different.
func distinct[K comparable](n int, key func(int) K) bool {
	seen := make(map[K]bool, n)
	for i := range n {
		k := key(i)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// Purge deletes counters and members that expired at now, and returns how
// many rows went. Run it from a timer or a cron trigger.
func (s *SQLStore) Purge(ctx context.Context, now time.Time) (int, error) {
	rs, err := s.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{
		sqlunit.S(`DELETE FROM risk_counters WHERE expires_at <= ? RETURNING 1`, now.Unix()),
		sqlunit.S(`DELETE FROM risk_members WHERE expires_at <= ? RETURNING 1`, now.Unix()),
	}})
	if err != nil {
		return 0, err
	}
	return len(rs[0]) + len(rs[1]), nil
}
