// Command bench measures tokenize on the native edge: it starts a real
// `sealpay serve` on a loopback address with a fresh SQLite vault, seals
// envelopes beforehand (each is single-use), drives POST /v1/tokens with a
// Go load generator and, if installed, with wrk, and prints throughput and
// latency side by side with the crypto-only bound (envelope open plus seal
// at rest, on all CPUs) measured in the same run.
//
//	go run ./edge/bench -n 20000 -c 32
//
// The budget (DESIGN.md): at least 3,000 requests/s on 2 cores over
// loopback with a p99 of at most 20 ms. The load generator shares the
// machine with the server, as wrk does; quote medians of several runs with
// the load average the tool prints.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	n, c, warmup int
	sync         string
	checkpoint   string
	wrk          string
	wrkThreads   int
	crypto       time.Duration
	timeout      time.Duration
	bin          string
	keep         bool
	benchLines   string
	metrics      bool
}

func run(args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.n, "n", 20000, "tokenize requests per load generator (1,000 to 200,000)")
	fs.IntVar(&o.c, "c", 32, "concurrent connections (1 to 256)")
	fs.IntVar(&o.warmup, "warmup", 1000, "requests sent before measuring (not counted)")
	fs.StringVar(&o.sync, "sync", "full", "the server's database_sync: full, normal, or \"\" for the server's default (see docs/edge-api.md)")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "database_checkpoint for a -sealpay binary built before edge/sqlitedb (background or commit), to compare with; \"\" sets none")
	fs.StringVar(&o.wrk, "wrk", "wrk", "wrk `binary`; \"\" or \"none\" skips the wrk run")
	fs.IntVar(&o.wrkThreads, "wrk-threads", 2, "wrk threads")
	fs.DurationVar(&o.crypto, "crypto", 2*time.Second, "how long to measure the crypto-only bound")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	fs.StringVar(&o.bin, "sealpay", "", "sealpay `binary` to serve (default: go build ./cmd/sealpay)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (configuration, database, server log)")
	fs.StringVar(&o.benchLines, "bench-lines", "", "also write the figures as Go benchmark lines to `file` (for scripts/bench.sh and benchstat)")
	fs.BoolVar(&o.metrics, "metrics", false, "serve with metrics_addr set (GET /metrics on a loopback port of its own), to measure what the metrics cost")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.n < 1000 || o.n > 200000:
		return errors.New("-n must be 1,000 to 200,000")
	case o.c < 1 || o.c > 256:
		return errors.New("-c must be 1 to 256")
	case o.warmup < 0 || o.warmup > o.n:
		return errors.New("-warmup must be 0 to n")
	case o.sync != "full" && o.sync != "normal" && o.sync != "":
		return errors.New("-sync must be full, normal or \"\"")
	case o.checkpoint != "background" && o.checkpoint != "commit" && o.checkpoint != "":
		return errors.New("-checkpoint must be background, commit or \"\"")
	case o.wrkThreads < 1 || o.wrkThreads > o.c:
		return errors.New("-wrk-threads must be 1 to c")
	}
	if o.wrk == "none" {
		o.wrk = ""
	}
	if o.wrk != "" {
		if p, err := exec.LookPath(o.wrk); err != nil {
			fmt.Fprintf(stdout, "wrk not found (%v): skipping the wrk run; install it with apt-get install wrk\n", err)
			o.wrk = ""
		} else {
			o.wrk = p
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	dir, err := os.MkdirTemp("", "sealpay-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(stdout, "keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if o.bin == "" {
		if o.bin, err = buildSealpay(ctx, dir); err != nil {
			return err
		}
	}
	fx, err := newFixture(dir, o.sync, o.checkpoint)
	if err != nil {
		return err
	}
	metricsAddr := ""
	if o.metrics {
		if metricsAddr, err = fx.enableMetrics(); err != nil {
			return err
		}
	}
	srv, err := startServe(ctx, o.bin, fx, filepath.Join(dir, "serve.log"))
	if err != nil {
		return err
	}
	defer srv.stop()

	// Seal every envelope of the Go run before measuring anything.
	envs, err := fx.sealMany(o.warmup + o.n)
	if err != nil {
		return err
	}
	load0 := loadAverage()
	bound, err := cryptoBound(fx, envs[:min(len(envs), 512)], o.crypto)
	if err != nil {
		return err
	}
	rows := []row{{name: "crypto-only bound", rps: bound, ratio: 1}}

	if o.warmup > 0 {
		if _, err := goLoad(ctx, srv.url, fx, envs[:o.warmup], o.c); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	cpu0, self0 := srv.cpu(), selfCPU()
	g, err := goLoad(ctx, srv.url, fx, envs[o.warmup:], o.c)
	if err != nil {
		return err
	}
	g.cpu = (srv.cpu() - cpu0) / time.Duration(g.requests)
	g.clientCPU = (selfCPU() - self0) / time.Duration(g.requests)
	g.name = fmt.Sprintf("Go load generator (c=%d)", o.c)
	g.ratio = g.rps / bound
	rows = append(rows, g)

	if o.wrk != "" {
		// wrk runs for a duration, not a count: give it as long as the Go
		// run took and twice the envelopes it could need at that pace.
		d := max(time.Duration(float64(o.n)/g.rps*float64(time.Second)), 2*time.Second)
		wenvs, err := fx.sealMany(int(g.rps*d.Seconds()*2) + 1000)
		if err != nil {
			return err
		}
		cpu0 := srv.cpu()
		w, err := wrkLoad(ctx, o.wrk, srv.url, fx, wenvs, o.wrkThreads, o.c, d, dir)
		if err != nil {
			return err
		}
		w.cpu = (srv.cpu() - cpu0) / time.Duration(w.requests)
		w.name = fmt.Sprintf("wrk (t=%d, c=%d)", o.wrkThreads, o.c)
		w.ratio = w.rps / bound
		rows = append(rows, w)
	}
	load1 := loadAverage()
	var counted string
	if metricsAddr != "" {
		if counted, err = scrapeTokenizes(metricsAddr); err != nil {
			return err
		}
	}
	if err := srv.stop(); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "\nPOST /v1/tokens on sealpay serve (127.0.0.1, SQLite vault, database_sync=%s, database_checkpoint=%q), %d CPUs\n", o.sync, o.checkpoint, runtime.NumCPU())
	fmt.Fprintf(stdout, "load average before: %s, after: %s\n", load0, load1)
	if metricsAddr != "" {
		fmt.Fprintf(stdout, "metrics on (metrics_addr %s): %s\n", metricsAddr, counted)
	} else {
		fmt.Fprintln(stdout, "metrics off (no metrics_addr)")
	}
	fmt.Fprintln(stdout)
	printTable(stdout, rows)
	fmt.Fprintln(stdout)
	if o.benchLines != "" {
		if err := writeBenchLines(o.benchLines, rows); err != nil {
			return err
		}
	}
	for _, r := range rows[1:] {
		if r.cpu > 0 && r.clientCPU > 0 {
			fmt.Fprintf(stdout, "%s: server and client CPU per request would let %d idle CPUs serve at most %.0f req/s\n",
				r.name, runtime.NumCPU(), float64(runtime.NumCPU())*float64(time.Second)/float64(r.cpu+r.clientCPU))
		}
	}
	for _, r := range rows[1:] {
		verdict := "meets"
		if r.rps < 3000 || r.p99 > 20*time.Millisecond {
			verdict = "misses"
		}
		fmt.Fprintf(stdout, "%s %s the budget (>= 3000 req/s, p99 <= 20 ms)\n", r.name, verdict)
	}
	return nil
}

// row is one line of the result table.
type row struct {
	name          string
	requests      int
	errors        int
	rps           float64
	p50, p90, p99 time.Duration
	p999          time.Duration // 0 where the tool does not report it
	ratio         float64
	cpu           time.Duration // server CPU time (user + system) per request
	clientCPU     time.Duration // the load generator's CPU time per request
}

func printTable(w io.Writer, rows []row) {
	fmt.Fprintf(w, "%-28s %9s %7s %9s %8s %8s %8s %8s %8s %11s %11s\n", "", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "ratio", "server CPU", "client CPU")
	ms := func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
	}
	for _, r := range rows {
		req, errs := "-", "-"
		if r.requests > 0 {
			req, errs = fmt.Sprint(r.requests), fmt.Sprint(r.errors)
		}
		us := func(d time.Duration) string {
			if d <= 0 {
				return "-"
			}
			return fmt.Sprintf("%d µs/req", d.Microseconds())
		}
		fmt.Fprintf(w, "%-28s %9s %7s %9.0f %8s %8s %8s %8s %8.3f %11s %11s\n", r.name, req, errs, r.rps, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.p999), r.ratio, us(r.cpu), us(r.clientCPU))
	}
}

// writeBenchLines writes rows as Go benchmark lines, one per row, with
// throughput, latency percentiles, the ratio to the crypto-only bound and
// CPU per request as units.
func writeBenchLines(path string, rows []row) error {
	var b strings.Builder
	b.WriteString("pkg: github.com/sealpay/sealpay/edge/bench\n")
	for _, r := range rows {
		name := "TokenizeNative/" + strings.NewReplacer(" ", "-", "(", "", ")", "", ",", "").Replace(r.name)
		fmt.Fprintf(&b, "Benchmark%s 1 %.0f req/s", name, r.rps)
		if r.p50 > 0 {
			fmt.Fprintf(&b, " %.2f p50-ms %.2f p99-ms", float64(r.p50)/float64(time.Millisecond), float64(r.p99)/float64(time.Millisecond))
		}
		if r.p999 > 0 {
			fmt.Fprintf(&b, " %.2f p99.9-ms", float64(r.p999)/float64(time.Millisecond))
		}
		fmt.Fprintf(&b, " %.3f ratio-to-crypto", r.ratio)
		if r.cpu > 0 {
			fmt.Fprintf(&b, " %d server-µs/req", r.cpu.Microseconds())
		}
		b.WriteString("\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// selfCPU is the CPU time (user and system) this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the first three fields of /proc/loadavg, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// buildSealpay builds ./cmd/sealpay of this module into dir.
func buildSealpay(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		return "", errors.New("run bench from inside the sealpay module (go run ./edge/bench)")
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(dir, "sealpay")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/sealpay")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/sealpay: %v\n%s", err, out)
	}
	return bin, nil
}
