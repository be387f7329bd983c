//go:build !js

package edge_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/edgetest"
)

// wranglerEnv returns the environment for running wrangler offline with
// the pinned Node 22 first on PATH, or fails t if the tools are missing.
func wranglerEnv(t testing.TB, xdg string) (wrangler string, env []string) {
	t.Helper()
	edgeDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	wrangler = filepath.Join(edgeDir, "node_modules", ".bin", "wrangler")
	nodeBin := filepath.Join(edgeDir, "node_modules", "node", "bin")
	for _, p := range []string{wrangler, filepath.Join(nodeBin, "node")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: run `make test` (it installs edge/node_modules with npm ci from edge/package-lock.json)", filepath.Base(p))
		}
	}
	env = append(os.Environ(),
		"PATH="+nodeBin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CLOUDFLARE_CF_FETCH_ENABLED=false", "WRANGLER_SEND_METRICS=false",
		"WRANGLER_SEND_ERROR_REPORTS=false", "DO_NOT_TRACK=1", "CI=true",
		"XDG_CONFIG_HOME="+xdg, "WRANGLER_LOG_PATH="+filepath.Join(xdg, "logs"),
	)
	return wrangler, env
}

// workerBuild says which Worker a test runs.
type workerBuild struct {
	// tags are Go build tags for app.wasm (sealpay_crashtest adds the
	// /__crash routes of edge/worker/crash_js.go).
	tags string
	// entry is "" for ours (edge/workerjs), or "floor" for a JS-only
	// Worker that answers every request with 200 "ok" (what wrangler and
	// workerd cost by themselves); for the benchmark, "record" is ours
	// wrapped by testdata/workerbench/record.mjs, and "d1replay" the
	// JS-only Worker that replays what it recorded (replay.mjs);
	// "metrics" is ours with the Analytics Engine binding SEALPAY_METRICS,
	// wrapped by testdata/workermetrics/spy.mjs (TestWorkerMetrics).
	entry string
	// analytics binds the Analytics Engine dataset SEALPAY_METRICS (as
	// "metrics" does) to our entry as it is.
	analytics bool
}

// buildWorker builds the Worker and returns the path of its entry module
// and, for our entry, of its static assets directory. The default build
// runs edge/build.sh into edge/build, as `make worker` does; the others
// build into a directory of their own. Our entry serves the browser assets
// in assets (a directory wasm/assets built; see edgetest.Fixture.Assets).
func buildWorker(t testing.TB, wb workerBuild, assets string) (main, static string) {
	t.Helper()
	run := func(env []string, name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	withAssets := []string{"SEALPAY_ASSETS=" + assets}
	if wb == (workerBuild{}) {
		run(withAssets, "bash", "build.sh")
		dir, _ := filepath.Abs("build")
		return filepath.Join(dir, "worker.mjs"), filepath.Join(dir, "assets")
	}
	dir := t.TempDir()
	var goflags []string
	if wb.tags != "" {
		goflags = []string{"GOFLAGS=-tags=" + wb.tags}
	}
	switch wb.entry {
	case "":
		run(append(goflags, withAssets...), "bash", "build.sh", dir)
		return filepath.Join(dir, "worker.mjs"), filepath.Join(dir, "assets")
	case "floor":
		js := "export default { fetch: () => new Response(\"ok\") };\n"
		if err := os.WriteFile(filepath.Join(dir, "worker.mjs"), []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
	case "record":
		run(append(goflags, withAssets...), "bash", "build.sh", dir)
		copyFile(t, filepath.Join("testdata", "workerbench", "record.mjs"), filepath.Join(dir, "record.mjs"))
		return filepath.Join(dir, "record.mjs"), filepath.Join(dir, "assets")
	case "metrics":
		run(append(goflags, withAssets...), "bash", "build.sh", dir)
		copyFile(t, filepath.Join("testdata", "workermetrics", "spy.mjs"), filepath.Join(dir, "spy.mjs"))
		return filepath.Join(dir, "spy.mjs"), filepath.Join(dir, "assets")
	case "d1replay":
		copyFile(t, filepath.Join("workerjs", "d1.mjs"), filepath.Join(dir, "d1.mjs"))
		copyFile(t, filepath.Join("testdata", "workerbench", "replay.mjs"), filepath.Join(dir, "worker.mjs"))
	default:
		t.Fatalf("unknown Worker entry %q", wb.entry)
	}
	return filepath.Join(dir, "worker.mjs"), ""
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// workerEdge is a running wrangler dev.
type workerEdge struct {
	URL    string
	State  string // --persist-to directory
	Output *syncBuffer
	pgid   int // wrangler's process group (wrangler, workerd)
	stop   func()
}

// startWorker builds the Worker, applies the D1 migrations locally and
// starts wrangler dev offline on loopback with fx's configuration.
func startWorker(t *testing.T, fx *edgetest.Fixture) *workerEdge {
	return startWorkerTB(t, fx, workerBuild{})
}

// startWorkerTB is startWorker for tests and benchmarks, building wb.
func startWorkerTB(t testing.TB, fx *edgetest.Fixture, wb workerBuild) *workerEdge {
	t.Helper()
	fx.Reencodes = true
	dir := t.TempDir()
	wrangler, env := wranglerEnv(t, filepath.Join(dir, "xdg"))
	var assets string
	if wb.entry == "" || wb.entry == "metrics" {
		assets = fx.Assets(t)
	}
	main, static := buildWorker(t, wb, assets)
	migrations, _ := filepath.Abs("migrations")
	toml := fmt.Sprintf(`name = "sealpay-edge-test"
main = %q
compatibility_date = "2026-11-01"

[[d1_databases]]
binding = "DB"
database_name = "sealpay"
database_id = "00000000-0000-0000-0000-000000000000"
migrations_dir = %q

[triggers]
crons = ["* * * * *"]
`, main, migrations)
	if wb.entry == "metrics" || wb.analytics {
		// As edge/wrangler.toml's commented-out dataset.
		toml += `
[[analytics_engine_datasets]]
binding = "SEALPAY_METRICS"
dataset = "sealpay_edge_test"
`
	}
	if static != "" {
		// As in edge/wrangler.toml.
		toml += fmt.Sprintf(`
[assets]
directory = %q
binding = "ASSETS"
run_worker_first = true
html_handling = "none"
not_found_handling = "none"
`, static)
	}
	cfgPath := filepath.Join(dir, "wrangler.toml")
	if err := os.WriteFile(cfgPath, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	vars, err := fx.DevVars()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".dev.vars"), vars, 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	mig := exec.Command(wrangler, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state, "-c", cfgPath)
	mig.Env, mig.Dir = env, dir
	if out, err := mig.CombinedOutput(); err != nil {
		t.Fatalf("wrangler d1 migrations apply: %v\n%s", err, out)
	}
	// freePort's port is free only until it is closed: another process can
	// take it before wrangler binds it. wrangler then exits, and it is
	// started again on another port; a wrangler that exits for another
	// reason fails the test at once instead of at the deadline.
	var w *workerEdge
	for attempt := 1; ; attempt++ {
		var exitErr error
		w, exitErr = runWranglerDev(t, wrangler, env, dir, cfgPath, state)
		if exitErr == nil {
			return w
		}
		// wrangler 4 says "Address already in use (127.0.0.1:PORT)" and exits 1.
		if inUse := bytes.Contains(bytes.ToLower(w.Output.Bytes()), []byte("address already in use")); !inUse || attempt == 3 {
			t.Fatalf("wrangler dev exited before answering /healthz (%v):\n%s", exitErr, redactTokens(w.Output.Bytes()))
		}
		t.Logf("wrangler dev lost its port to another process (attempt %d); trying another", attempt)
	}
}

// runWranglerDev starts wrangler dev on a free port and waits up to 90 s
// for /healthz. It returns the running edge, or the edge (for its output)
// and the error of a wrangler that exited first.
func runWranglerDev(t testing.TB, wrangler string, env []string, dir, cfgPath, state string) (*workerEdge, error) {
	t.Helper()
	port := freePort(t)
	out := &syncBuffer{}
	dev := exec.Command(wrangler, "dev", "-c", cfgPath, "--local", "--ip", "127.0.0.1", "--port", fmt.Sprint(port),
		"--persist-to", state, "--inspector-port", "0", "--show-interactive-dev-session=false",
		// GET /__scheduled?cron=… runs the scheduled handler (TestWorkerPurge).
		"--test-scheduled")
	dev.Env, dev.Dir = env, dir
	dev.Stdout, dev.Stderr = out, out
	dev.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = dev.Wait(); close(exited) }()
	w := &workerEdge{URL: fmt.Sprintf("http://127.0.0.1:%d", port), State: state, Output: out, pgid: dev.Process.Pid}
	var stopOnce sync.Once
	w.stop = func() {
		stopOnce.Do(func() {
			syscall.Kill(-dev.Process.Pid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				syscall.Kill(-dev.Process.Pid, syscall.SIGKILL)
				<-exited
			}
			syscall.Kill(-dev.Process.Pid, syscall.SIGKILL) // workerd, if it outlived wrangler
		})
	}
	// Cleanups run last first: stop wrangler, then show what it said (its
	// request log names paths with token ids: they are blanked).
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("wrangler output:\n%s", redactTokens(tail(out.Bytes(), 60000)))
		}
	})
	t.Cleanup(w.stop)
	// Each probe has its own timeout: whatever holds the port may accept
	// and never answer, and http.Get would wait for ever.
	probe := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-exited:
			if exitErr == nil {
				exitErr = errors.New("exit status 0")
			}
			return w, exitErr
		default:
		}
		resp, err := probe.Get(w.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("wrangler dev did not answer /healthz within 90 s:\n%s", redactTokens(out.Bytes()))
		}
		time.Sleep(250 * time.Millisecond)
	}
	return w, nil
}

// d1File finds the local D1 database file under the persist directory.
func d1File(t *testing.T, state string) string {
	t.Helper()
	var found []string
	filepath.Walk(state, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".sqlite") && strings.Contains(p, "D1DatabaseObject") && filepath.Base(p) != "metadata.sqlite" {
			found = append(found, p)
		}
		return nil
	})
	if len(found) != 1 {
		t.Fatalf("found %d D1 database files under the persist directory, want 1: %v", len(found), found)
	}
	return found[0]
}

// TestWorkerSuite runs the shared HTTP suite against the Worker under
// wrangler dev (workerd, local D1), offline on loopback. It fails, never
// skips, when wrangler is not installed.
func TestWorkerSuite(t *testing.T) {
	fx := edgetest.NewFixture(t)
	w := startWorker(t, fx)
	edgetest.Run(t, w.URL, fx)
	t.Run("card testing", func(t *testing.T) { edgetest.RunCardTesting(t, w.URL, fx, 40, 20) })
	t.Run("spoofed client address", func(t *testing.T) { edgetest.RunSpoofedCardTesting(t, w.URL, fx) })
	w.stop()

	path := d1File(t, w.State)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkStore(t, db, fx)
	edgetest.CheckFloodAudit(t, db, fx)
	fx.ScanForNumbers(t, "wrangler output", w.Output.Bytes())
	filepath.Walk(w.State, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if b, err := os.ReadFile(p); err == nil {
				fx.ScanForNumbers(t, "D1 file "+filepath.Base(p), b)
			}
		}
		return nil
	})
}

// TestWorkerJS runs the unit tests of the Worker's JS entry
// (edge/workerjs/*.test.mjs) with the pinned Node.
func TestWorkerJS(t *testing.T) {
	_, env := wranglerEnv(t, t.TempDir())
	node, _ := filepath.Abs(filepath.Join("node_modules", "node", "bin", "node"))
	files, _ := filepath.Glob(filepath.Join("workerjs", "*.test.mjs"))
	if len(files) < 2 {
		t.Fatalf("found %d test files in workerjs/, want pool.test.mjs and assets.test.mjs", len(files))
	}
	cmd := exec.Command(node, append([]string{"--test"}, files...)...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node --test %s: %v\n%s", strings.Join(files, " "), err, out)
	}
}

// TestWorkerConcurrency sends overlapping requests to one wrangler dev:
// tokenize (a request body and D1) and relay (an outbound fetch), 16 at a
// time, three rounds. workerd ties every I/O object to the request that
// made it, so each overlapping request must run in a Go instance of its
// own (edge/workerjs/pool.mjs); an instance shared between requests fails
// here. Every request must get the answer it gets alone, and the provider
// must receive each card number once.
func TestWorkerConcurrency(t *testing.T) {
	fx := edgetest.NewFixture(t)
	fx.Relax(t)
	w := startWorker(t, fx)
	tz := edgetest.NewTokenizer(t, w.URL, fx)
	const n, rounds = 16, 3
	var want []string
	for round := range rounds {
		numbers := make([]string, n)
		envs := make([]string, n)
		for i := range n {
			numbers[i] = tz.RandomCard()
			env, err := tz.Seal(numbers[i])
			if err != nil {
				t.Fatal(err)
			}
			envs[i] = env
		}
		want = append(want, numbers...)
		toks := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				tok, status, err := tz.Tokenize(envs[i])
				if err == nil && status != http.StatusCreated {
					err = fmt.Errorf("status %d, want 201", status)
				}
				toks[i], errs[i] = tok, err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: tokenize %d of %d: %v", round, i, n, err)
			}
		}
		for i := range n {
			wg.Go(func() { errs[i] = relay(tz.HTTP, w.URL, fx, toks[i]) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: relay %d of %d: %v", round, i, n, err)
			}
		}
	}
	var got []string
	for _, r := range fx.Provider.Requests() {
		var sent struct{ Number string }
		if err := json.Unmarshal(r.Body, &sent); err != nil {
			t.Fatalf("provider got a body that is not JSON (%d bytes)", len(r.Body))
		}
		got = append(got, sent.Number)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		// No card numbers in the message: counts only.
		t.Errorf("provider got %d card numbers (%d distinct), want the %d tokenized, each once", len(got), len(slices.Compact(slices.Clone(got))), len(want))
	}
}

// TestWorkerCrash ends the Go program in the middle of a request, by an
// unrecovered panic and by os.Exit (edge/worker/crash_js.go, built with the
// sealpay_crashtest tag): that request gets the edge's opaque 500, and the
// next requests are served by a new instance.
func TestWorkerCrash(t *testing.T) {
	fx := edgetest.NewFixture(t)
	w := startWorkerTB(t, fx, workerBuild{tags: "sealpay_crashtest"})
	get := func(path string) {
		t.Helper()
		resp, err := http.Get(w.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/__crash/panic", "/__crash/exit", "/__crash/panic"} {
		get("/v1/keys")
		resp, err := http.Post(w.URL+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got struct{ Error struct{ Code string } }
		json.Unmarshal(b, &got)
		if resp.StatusCode != http.StatusInternalServerError || got.Error.Code != "internal" {
			t.Errorf("POST %s = %d %q, want 500 \"internal\"", path, resp.StatusCode, got.Error.Code)
		}
		get("/healthz")
		get("/v1/keys")
	}
}

// TestWorkerUnitFault: on D1, a unit that fails with a real SQLite error
// (edge/worker/crash_js.go's /__fault/unit: a row, then a read of a table
// that does not exist) fails alone and leaves nothing behind, while
// concurrent tokenizes all succeed and the Worker keeps serving.
func TestWorkerUnitFault(t *testing.T) {
	fx := edgetest.NewFixture(t)
	fx.Relax(t)
	w := startWorkerTB(t, fx, workerBuild{tags: "sealpay_crashtest"})
	tz := edgetest.NewTokenizer(t, w.URL, fx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed, sqliteErrors, created, other int
	for range 4 {
		wg.Go(func() {
			for range 3 {
				resp, err := tz.HTTP.Post(w.URL+"/__fault/unit", "application/json", strings.NewReader("{}"))
				if err != nil {
					t.Error(err)
					return
				}
				var got map[string]bool
				json.NewDecoder(resp.Body).Decode(&got)
				resp.Body.Close()
				mu.Lock()
				if got["failed"] {
					failed++
				}
				if got["sqlite_error"] {
					sqliteErrors++
				}
				mu.Unlock()
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 5 {
				env, err := tz.Seal(tz.RandomCard())
				if err != nil {
					t.Error(err)
					return
				}
				_, status, err := tz.Tokenize(env)
				mu.Lock()
				if err == nil && status == http.StatusCreated {
					created++
				} else {
					other++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed != 12 || sqliteErrors != 12 {
		t.Errorf("faulty units: %d failed, %d with SQLITE_ERROR; want 12 and 12", failed, sqliteErrors)
	}
	if created != 20 || other != 0 {
		t.Errorf("concurrent tokenizes: %d created, %d not; want all 20 created", created, other)
	}
	resp, err := tz.HTTP.Get(w.URL + "/__fault/count")
	if err != nil {
		t.Fatal(err)
	}
	var count struct{ Rows int }
	json.NewDecoder(resp.Body).Decode(&count)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || count.Rows != 0 {
		t.Errorf("fault-test rows after the failed units = %d (status %d), want 0: a failed unit must leave nothing", count.Rows, resp.StatusCode)
	}
	env, _ := tz.Seal(tz.RandomCard())
	if _, status, err := tz.Tokenize(env); err != nil || status != http.StatusCreated {
		t.Errorf("tokenize after the faults = %d, %v; want 201", status, err)
	}
}

// relay asks the edge to send tok's number to the fixture's provider.
func relay(hc *http.Client, base string, fx *edgetest.Fixture, tok string) error {
	body, _ := json.Marshal(map[string]any{
		"url": fx.Provider.URL + "/v1/charges", "body": `{"number":"{{` + tok + `:number}}"}`})
	r, err := http.NewRequest("POST", base+"/v1/relay", bytes.NewReader(body))
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "Bearer "+fx.Shop.SK)
	r.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d, want 200", resp.StatusCode)
	}
	return nil
}

// tokenIDs matches token ids, which wrangler's request log shows in paths.
var tokenIDs = regexp.MustCompile(`tok_[0-9A-Za-z]+`)

// redactTokens blanks the token ids in wrangler's output for a failure
// message.
func redactTokens(b []byte) []byte { return tokenIDs.ReplaceAll(b, []byte("tok_…")) }

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// TestWorkerUpload checks edge/wrangler.toml as it would deploy, offline
// (wrangler deploy --dry-run): the build it names, the D1 and ASSETS
// bindings, and the browser assets as static assets. It logs the upload
// size (go test -v) and holds it, and each asset, under Cloudflare's
// limits: 64 MiB for the Worker (uncompressed, every plan) and 25 MiB per
// static asset file.
func TestWorkerUpload(t *testing.T) {
	fx := edgetest.NewFixture(t)
	dir := t.TempDir()
	wrangler, env := wranglerEnv(t, filepath.Join(dir, "xdg"))
	_, static := buildWorker(t, workerBuild{}, fx.Assets(t))
	cmd := exec.Command(wrangler, "deploy", "--dry-run", "--outdir", filepath.Join(dir, "out"))
	cmd.Env = env // in edge/, with edge/wrangler.toml
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wrangler deploy --dry-run: %v\n%s", err, out)
	}
	var raw, gzip float64
	for line := range strings.Lines(string(out)) {
		if _, err := fmt.Sscanf(strings.TrimSpace(line), "Total Upload: %f KiB / gzip: %f KiB", &raw, &gzip); err == nil {
			break
		}
	}
	if raw == 0 || gzip == 0 {
		t.Fatalf("wrangler deploy --dry-run printed no upload size:\n%s", out)
	}
	t.Logf("upload: %.2f KiB, gzip %.2f KiB", raw, gzip)
	if raw > 64<<10 {
		t.Errorf("upload is %.2f KiB, over the 64 MiB Worker size limit", raw)
	}
	for _, want := range []string{"env.DB (sealpay)", "env.ASSETS", "from the assets directory"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("wrangler deploy --dry-run did not print %q:\n%s", want, out)
		}
	}
	files, err := os.ReadDir(filepath.Join(static, "v1"))
	if err != nil {
		t.Fatal(err)
	}
	// Twelve files (frame.html three times: the card frame, mode=core and
	// mode=wallet; wallet.js; extra.js), each with its brotli and gzip copy.
	if len(files) != 36 {
		t.Errorf("build.sh wrote %d static assets, want 36", len(files))
	}
	for _, f := range files {
		info, err := f.Info()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("static asset %s: %d bytes", f.Name(), info.Size())
		if info.Size() > 25<<20 {
			t.Errorf("static asset %s is %d bytes, over the 25 MiB limit per file", f.Name(), info.Size())
		}
	}
}
