package token

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache prepares each of a vault's statements once and keeps it.
// modernc.org/sqlite otherwise parses and plans a statement on every call,
// which costs more than running it; D1's driver prepares every statement
// anyway, so the cache changes nothing there. The vault's statements are
// constants, so the cache stays small.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query text → *sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// queryRow is db.QueryRowContext with q prepared once.
func (c *stmtCache) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, q)
	if err != nil {
		// Let database/sql report the same failure through a *sql.Row.
		return c.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// exec is db.ExecContext with q prepared once.
func (c *stmtCache) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}
