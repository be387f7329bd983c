package token

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

// The schema of the vault (and of package risk), one file per version named
// the way wrangler names D1 migrations, so that wrangler.toml's
// migrations_dir can point at the same folder.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// createD1Migrations is wrangler's own bookkeeping table, created exactly as
// wrangler creates it, so that a database migrated by [Migrate] and one
// migrated by wrangler agree on what has been applied.
const createD1Migrations = `CREATE TABLE IF NOT EXISTS d1_migrations(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`

// Migrate brings a SQLite database (modernc.org/sqlite) up to the current
// schema. It records each applied file in the d1_migrations table, as
// wrangler does, and applies each file in its own IMMEDIATE transaction, so
// that concurrent processes calling Migrate at start-up apply it once.
// Migrations already recorded are skipped; unknown recorded names (a newer
// binary's) are left alone.
//
// On Cloudflare D1, do not call Migrate: apply the same files with
// `wrangler d1 migrations apply`.
func Migrate(ctx context.Context, db *sql.DB) error {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("token: listing migrations: %w", errInternal)
	}
	sort.Strings(names)
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("token: migrating: %v: %w", err, errInternal)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, createD1Migrations); err != nil {
		return fmt.Errorf("token: creating d1_migrations: %v: %w", err, errInternal)
	}
	for _, path := range names {
		body, err := migrationFiles.ReadFile(path)
		if err != nil {
			return fmt.Errorf("token: reading migration: %w", errInternal)
		}
		if err := applyMigration(ctx, conn, path[len("migrations/"):], string(body)); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, name, body string) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("token: migration %s: %v: %w", name, err, errInternal)
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
		return fmt.Errorf("token: migration %s: %v: %w", name, err, errInternal)
	}
	if applied == 0 {
		if _, err := conn.ExecContext(ctx, body); err != nil {
			return fmt.Errorf("token: migration %s: %v: %w", name, err, errInternal)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO d1_migrations (name) VALUES (?)`, name); err != nil {
			return fmt.Errorf("token: migration %s: %v: %w", name, err, errInternal)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("token: migration %s: %v: %w", name, err, errInternal)
	}
	return nil
}
