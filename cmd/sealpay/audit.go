package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	edgeserver "github.com/sealpay/sealpay/edge/server"
)

func init() {
	register("audit", "verify the edge's hash-chained audit log", runAudit)
}

// runAudit implements `sealpay audit verify --config FILE | --db FILE`. It
// prints {"ok":true,"entries":N} or, for a broken chain,
// {"ok":false,"entries":N,"broken_at":SEQ,"reason":"..."} and exits 1.
func runAudit(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("%w: want `sealpay audit verify --config FILE` or `--db FILE`", errUsage)
	}
	fs := newFlags(env, "audit verify", "audit verify --config FILE | --db FILE")
	cfgPath := fs.String("config", "", "edge configuration `file`; its database is checked")
	dbPath := fs.String("db", "", "SQLite database `file` of the edge (instead of --config)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	path := *dbPath
	switch {
	case (*cfgPath == "") == (*dbPath == ""):
		return fmt.Errorf("%w: give exactly one of --config and --db", errUsage)
	case *cfgPath != "":
		cfg, err := edge.LoadConfig(*cfgPath)
		if err != nil {
			return err
		}
		path = cfg.Database
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("audit: database: %w", err)
	}
	ctx := context.Background()
	db, err := edgeserver.OpenSQLite(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := audit.Verify(ctx, db)
	out := map[string]any{"ok": err == nil, "entries": n}
	var broken *audit.BrokenLinkError
	switch {
	case errors.As(err, &broken):
		out["broken_at"] = broken.Seq
		out["reason"] = broken.Reason
	case err != nil:
		return err
	}
	b, _ := json.Marshal(out)
	fmt.Fprintf(env.Stdout, "%s\n", b)
	if err != nil {
		return errQuiet
	}
	return nil
}
