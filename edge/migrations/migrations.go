// Package migrations holds the schema of the edge's database: the vault's
// tables (package token), the risk counters (package risk), the QR nonces
// and the audit log, one file per version.
//
// The files are named the way wrangler names D1 migrations (NNNN_name.sql),
// so the Worker's wrangler.toml points its migrations_dir at this folder and
// `wrangler d1 migrations apply` runs the same files on D1 that [Apply] runs
// on the native server's SQLite.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed *.sql
var files embed.FS

// FS holds the migration files, by name.
func FS() fs.FS { return files }

// Names lists the migration files in the order they apply.
func Names() []string {
	names, _ := fs.Glob(files, "*.sql") // the pattern is valid
	sort.Strings(names)
	return names
}

// createD1Migrations is wrangler's own bookkeeping table, created exactly as
// wrangler creates it, so that a database migrated by [Apply] and one
// migrated by wrangler agree on what has been applied.
const createD1Migrations = `CREATE TABLE IF NOT EXISTS d1_migrations(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`

// Apply brings a SQLite database up to the current schema. It records each
// applied file in the d1_migrations table, as wrangler does, and applies each
// file in its own IMMEDIATE transaction, so that processes calling Apply
// concurrently at start-up apply each file once. Files already recorded are
// skipped; recorded names it does not know (a newer binary's) are left alone.
// Errors wrap the database's, so a caller can classify them.
//
// On Cloudflare D1, do not call Apply: run `wrangler d1 migrations apply`.
func Apply(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, createD1Migrations); err != nil {
		return fmt.Errorf("migrations: creating d1_migrations: %w", err)
	}
	for _, name := range Names() {
		body, err := files.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		if err := apply(ctx, conn, name, string(body)); err != nil {
			return fmt.Errorf("migrations: %s: %w", name, err)
		}
	}
	return nil
}

func apply(ctx context.Context, conn *sql.Conn, name, body string) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// A fresh context: the caller's may be why we failed, and the
			// connection must not go back to the pool inside a transaction.
			conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var applied int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM d1_migrations WHERE name = ?`, name).Scan(&applied); err != nil {
		return err
	}
	if applied == 0 {
		if _, err := conn.ExecContext(ctx, body); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO d1_migrations (name) VALUES (?)`, name); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}
