package risk

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// SQLStore is a [Store] on the vault's database: SQLite (modernc.org/sqlite)
// or Cloudflare D1, with the tables of migration 0002_risk.sql. Every call
// is one statement, atomic without a transaction.
type SQLStore struct {
	db *sql.DB
}

// NewSQLStore returns a store on db, which must be migrated.
func NewSQLStore(db *sql.DB) *SQLStore { return &SQLStore{db: db} }

// Add implements [Store]: one INSERT … ON CONFLICT DO UPDATE … RETURNING.
func (s *SQLStore) Add(ctx context.Context, c Counter, n int64, expires int64) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx,
		`INSERT INTO risk_counters (name, win, n, expires_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (name, win) DO UPDATE SET n = n + excluded.n RETURNING n`,
		c.Name, c.Start, n, expires).Scan(&v)
	return v, err
}

// AddMember implements [Store]: INSERT … ON CONFLICT DO NOTHING RETURNING
// gives a row back only when the member is new.
func (s *SQLStore) AddMember(ctx context.Context, c Counter, member string, expires int64) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx,
		`INSERT INTO risk_members (name, win, member, expires_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (name, win, member) DO NOTHING RETURNING 1`,
		c.Name, c.Start, member, expires).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// maxGet keeps Get's statement under D1's 100 bound parameters.
const maxGet = 48

// Get implements [Store] with one SELECT.
func (s *SQLStore) Get(ctx context.Context, cs []Counter) ([]int64, error) {
	out := make([]int64, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	if len(cs) > maxGet {
		return nil, errors.New("risk: too many counters in one Get")
	}
	var q strings.Builder
	q.WriteString(`SELECT name, win, n FROM risk_counters WHERE `)
	args := make([]any, 0, 2*len(cs))
	for i, c := range cs {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString("(name = ? AND win = ?)")
		args = append(args, c.Name, c.Start)
	}
	rows, err := s.db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Counter
		var n int64
		if err := rows.Scan(&c.Name, &c.Start, &n); err != nil {
			return nil, err
		}
		for i := range cs {
			if cs[i] == c {
				out[i] = n
			}
		}
	}
	return out, rows.Err()
}

// Purge deletes counters and members that expired at now, and returns how
// many rows went. Run it from a timer or a cron trigger.
func (s *SQLStore) Purge(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for _, q := range []string{
		`DELETE FROM risk_counters WHERE expires_at <= ?`,
		`DELETE FROM risk_members WHERE expires_at <= ?`,
	} {
		res, err := s.db.ExecContext(ctx, q, now.Unix())
		if err != nil {
			return n, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, err
		}
		n += int(k)
	}
	return n, nil
}
