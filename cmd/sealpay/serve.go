package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/sealpay/sealpay/edge"
	edgeserver "github.com/sealpay/sealpay/edge/server"
)

func init() {
	register("serve", "run the edge token service on this machine (SQLite vault)", runServe)
}

// runServe runs the edge natively until SIGINT or SIGTERM, then shuts down
// gracefully. With --dev-vars it prints the .dev.vars file for running the
// same configuration under wrangler dev instead.
func runServe(env *Env, args []string) error {
	fs := newFlags(env, "serve", "serve --config FILE [--addr 127.0.0.1:8787] [--dev-vars]")
	cfgPath := fs.String("config", "", "edge configuration `file` (see docs/edge-api.md)")
	addr := fs.String("addr", "127.0.0.1:8787", "address to listen on")
	devVars := fs.Bool("dev-vars", false, "print the Worker's .dev.vars for this configuration (secrets!) and exit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return fmt.Errorf("%w: --config is required", errUsage)
	}
	if *devVars {
		b, err := edgeserver.DevVars(*cfgPath)
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(b)
		return err
	}
	cfg, err := edge.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	// One JSON line per request: method, route pattern, status, code and
	// duration. Paths (which hold token ids), bodies and keys are never logged.
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.MetricsAddr != "" && cfg.MetricsAddr == *addr {
		return fmt.Errorf("%w: metrics_addr %s is the API's --addr: the metrics need an address of their own", errUsage, *addr)
	}
	ln, err := edgeserver.Listen(*addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	defer ln.Close()
	// metrics_addr: GET /metrics on a listener of its own, never on the
	// API's (docs/edge-api.md, "Metrics").
	var mln net.Listener
	if cfg.MetricsAddr != "" {
		if mln, err = edgeserver.Listen(cfg.MetricsAddr); err != nil {
			return fmt.Errorf("metrics_addr: %w", err)
		}
		defer mln.Close()
	}
	h, db, m, err := edgeserver.OpenMetrics(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if m != nil {
		mctx, stopMetrics := context.WithCancel(ctx)
		metricsDone := make(chan error, 1)
		go func() { metricsDone <- edgeserver.Serve(mctx, mln, m.Handler(), log) }()
		defer func() {
			stopMetrics()
			if err := <-metricsDone; err != nil {
				log.Error("sealpay serve: metrics listener", "err", err.Error())
			}
		}()
		log.Info("sealpay serve: metrics", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	purgeCtx, stopPurge := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		edgeserver.RunPurge(purgeCtx, edgeserver.PurgeJobs(h, db, cfg), h.PurgeInterval(), log)
	}()
	defer func() { stopPurge(); <-purged }()
	delivering := make(chan struct{})
	go func() {
		defer close(delivering)
		edgeserver.RunEvents(purgeCtx, h, log)
	}()
	defer func() { stopPurge(); <-delivering }()
	log.Info("sealpay serve: listening", "url", "http://"+ln.Addr().String(), "merchants", len(cfg.Merchants))
	if err := edgeserver.Serve(ctx, ln, h, log); err != nil {
		return err
	}
	log.Info("sealpay serve: stopped")
	return nil
}
