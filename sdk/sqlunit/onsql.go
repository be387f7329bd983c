package sqlunit

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// OnSQL returns an Executor on a database/sql handle of SQLite: each unit
// is one transaction, run one at a time. It is for tools and tests; the
// native server uses edge/sqlitedb, which groups units, and the Worker
// uses D1's batch(). Durability is the handle's (its synchronous pragma).
func OnSQL(db *sql.DB) Executor { return &onSQL{db: db} }

type onSQL struct {
	db *sql.DB
	mu sync.Mutex
}

func (o *onSQL) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	rows, err := o.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows)
}

func (o *onSQL) Exec(ctx context.Context, u Unit) (out []Rows, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	// The tail is built before the transaction begins: it may read (the
	// audit log's head), and a handle on one connection has none to spare
	// while the transaction holds it. Units run one at a time here, so
	// nothing of this executor's comes in between.
	var last *Stmt
	var undo func()
	if u.Tail != nil {
		s, un, err := u.Tail.Next(ctx)
		if err != nil {
			return nil, err
		}
		last, undo = &s, un
	}
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		if undo != nil {
			undo()
		}
		return nil, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			if undo != nil {
				undo()
			}
		}
	}()
	run := func(s Stmt) error {
		rows, err := tx.QueryContext(ctx, s.SQL, s.Args...)
		if err != nil {
			return Classify(err)
		}
		rs, err := Collect(rows)
		if err != nil {
			return Classify(err)
		}
		out = append(out, rs)
		return nil
	}
	for i, s := range u.Stmts {
		if err := run(s); err != nil {
			return nil, fmt.Errorf("sqlunit: statement %d: %w", i+1, err)
		}
	}
	if last != nil {
		if err := run(*last); err != nil {
			return nil, fmt.Errorf("sqlunit: last statement: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return out, nil
}

// Collect reads and closes rows.
func Collect(rows *sql.Rows) (Rows, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out Rows
	for rows.Next() {
		r := make(Row, len(cols))
		ptrs := make([]any, len(cols))
		for i := range r {
			ptrs[i] = &r[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}

// Classify returns the *[Refusal] a guard's error carries, or err.
func Classify(err error) error {
	if r, ok := RefusalIn(err.Error()); ok {
		return r
	}
	return err
}
