package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	edgeserver "github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

func init() {
	register("audit", "verify or prune the edge's keyed audit log", runAudit)
}

const auditUsage = "audit verify --config FILE | --db FILE --key-file FILE [--expect-head SEQ:HASH]\n" +
	"       sealpay audit prune --config FILE"

// runAudit implements `sealpay audit verify` and `sealpay audit prune`.
//
// verify prints {"ok":true,"entries":N,"legacy":L,"head":"SEQ:HASH"} (and
// "checkpoint" when retention cut the log) or, for a broken chain,
// {"ok":false,"entries":N,"broken_at":SEQ,"reason":"..."} and exits 1.
//
// prune cuts entries older than audit_retention, appending them to the
// audit_archive file first, and prints what it did; the server must be
// stopped (a running one prunes itself).
func runAudit(env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "prune") {
		return fmt.Errorf("%w: want `sealpay %s`", errUsage, auditUsage)
	}
	verb := args[0]
	fs := newFlags(env, "audit "+verb, auditUsage)
	cfgPath := fs.String("config", "", "edge configuration `file`; its database and audit_key_file are used")
	dbPath := fs.String("db", "", "SQLite database `file` of the edge (instead of --config)")
	keyPath := fs.String("key-file", "", "audit key `file` (with --db)")
	expect := fs.String("expect-head", "", "head recorded earlier, `SEQ:HASH`: fail if the chain no longer holds it (a cut-off tail)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	var opts audit.VerifyOptions
	if *expect != "" {
		h, err := audit.ParseHead(*expect)
		if err != nil {
			return fmt.Errorf("%w: --expect-head: %v", errUsage, err)
		}
		opts.ExpectHead = &h
	}
	var cfg *edge.Config
	path, keyFile := *dbPath, *keyPath
	switch {
	case (*cfgPath == "") == (*dbPath == ""):
		return fmt.Errorf("%w: give exactly one of --config and --db", errUsage)
	case *cfgPath != "":
		if *keyPath != "" {
			return fmt.Errorf("%w: --key-file goes with --db; --config names its audit_key_file", errUsage)
		}
		var err error
		if cfg, err = edge.LoadConfig(*cfgPath); err != nil {
			return err
		}
		path, keyFile = cfg.Database, cfg.AuditKeyFile
	case verb == "prune":
		return fmt.Errorf("%w: prune needs --config (its audit_retention and audit_archive)", errUsage)
	case *keyPath == "":
		return fmt.Errorf("%w: --db needs --key-file", errUsage)
	}
	keys, err := edgeserver.ReadAuditKeys(&edge.Config{AuditKeyFile: keyFile})
	if err != nil {
		return err
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
	if verb == "prune" {
		return runAuditPrune(ctx, env, cfg, sqlunit.OnSQL(db), keys)
	}
	res, err := audit.Verify(ctx, sqlunit.OnSQL(db), keys, opts)
	out := map[string]any{"ok": err == nil, "entries": res.Entries, "legacy": res.Legacy}
	if res.Checkpoint.Seq > 0 {
		out["checkpoint"] = res.Checkpoint.String()
	}
	var broken *audit.BrokenLinkError
	switch {
	case errors.As(err, &broken):
		out["broken_at"] = broken.Seq
		out["reason"] = broken.Reason
	case err != nil:
		return err
	default:
		out["head"] = res.Head.String()
	}
	b, _ := json.Marshal(out)
	fmt.Fprintf(env.Stdout, "%s\n", b)
	if err != nil {
		return errQuiet
	}
	return nil
}

func runAuditPrune(ctx context.Context, env *Env, cfg *edge.Config, ex sqlunit.Executor, keys *audit.Keys) error {
	keep, err := cfg.AuditRetentionPeriod()
	if err != nil {
		return err
	}
	if keep == 0 || cfg.AuditArchive == "" {
		return fmt.Errorf("audit: prune needs audit_retention and audit_archive in the configuration: %w", edge.ErrConfig)
	}
	f, err := os.OpenFile(cfg.AuditArchive, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit: opening audit_archive: %w", err)
	}
	defer f.Close()
	res, err := audit.Prune(ctx, ex, keys, audit.PruneOptions{Before: time.Now().Add(-keep), Archive: f})
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("audit: closing audit_archive: %w", err)
	}
	out := map[string]any{"ok": true, "entries": res.Entries, "refusals": res.Refusals}
	if res.Checkpoint.Seq > 0 {
		out["checkpoint"] = res.Checkpoint.String()
	}
	b, _ := json.Marshal(out)
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return nil
}
