//go:build !js

package edge_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/chacha20poly1305"
)

// cryptoBound measures, for d, how many cards per second the machine can
// open from envelopes and seal at rest (XChaCha20-Poly1305 of the number
// plus a keyed BLAKE2b-256 fingerprint) on all CPUs: the bound a tokenize
// can at best approach.
func cryptoBound(tb testing.TB, ks *envelope.KeySet, envs []string, mid, origin string, d time.Duration) float64 {
	key := make([]byte, 32)
	rand.Read(key)
	var done atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			aead, _ := chacha20poly1305.NewX(key)
			nonce := make([]byte, aead.NonceSize())
			for i := w; time.Now().Before(deadline); i++ {
				op, err := envelope.Open(ks, envs[i%len(envs)], envelope.OpenOptions{MerchantID: mid, Origin: origin})
				if err != nil {
					tb.Error(err)
					return
				}
				rand.Read(nonce)
				aead.Seal(nil, nonce, []byte(op.Card.Number), []byte("tok_0000000000000000000000|"+mid))
				h, _ := blake2b.New256(key)
				h.Write([]byte(op.Card.Number))
				h.Sum(nil)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(done.Load()) / d.Seconds()
}

// BenchmarkTokenizeNative drives POST /v1/tokens on the native handler
// (SQLite vault, audit log and risk counters on, limits relaxed) with a Go
// load generator over loopback — 32 concurrent clients, envelopes sealed
// beforehand — and reports requests/s, p50 and p99 latency, and the ratio
// to the crypto-only bound measured in the same run.
//
//	go test -run '^$' -bench TokenizeNative -benchtime 4000x ./edge/
func BenchmarkTokenizeNative(b *testing.B) {
	ctx := context.Background()
	fx := edgetest.NewFixture(b)
	fx.Relax(b)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		b.Fatal(err)
	}
	h, db, err := server.Open(ctx, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	tz := edgetest.NewTokenizer(b, srv.URL, fx)
	envs := make([]string, b.N)
	for i := range envs {
		if envs[i], err = tz.Seal(tz.RandomCard()); err != nil {
			b.Fatal(err)
		}
	}
	const clients = 32
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(envs) {
					return
				}
				t0 := time.Now()
				_, status, err := tz.Tokenize(envs[i])
				lat[i] = time.Since(t0)
				if err != nil || status != 201 {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d tokenize requests failed", n, b.N)
	}
	slices.Sort(lat)
	rps := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")

	ks, err := envelope.ReadKeySetFile(filepath.Join(fx.Dir, "keys.json"))
	if err != nil {
		b.Fatal(err)
	}
	bound := cryptoBound(b, ks, envs[:min(len(envs), 256)], fx.Shop.ID, fx.Shop.Origin, time.Second)
	b.ReportMetric(bound, "crypto-ops/s")
	b.ReportMetric(rps/bound, "ratio")
}

// BenchmarkCryptoBound is the crypto-only bound on its own: envelope open
// plus seal at rest, per operation, in parallel on all CPUs.
func BenchmarkCryptoBound(b *testing.B) {
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		b.Fatal(err)
	}
	pub := ks.Public()
	envs := make([]string, 256)
	for i := range envs {
		c := edgetest.Cards()[i%len(edgetest.Cards())]
		env, err := envelope.Seal(pub, cardFor(c.Number), envelope.SealOptions{MerchantID: "m_shop", Origin: "https://shop.example"})
		if err != nil {
			b.Fatal(err)
		}
		envs[i] = env
	}
	key := make([]byte, 32)
	rand.Read(key)
	b.ReportAllocs()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		aead, _ := chacha20poly1305.NewX(key)
		nonce := make([]byte, aead.NonceSize())
		for pb.Next() {
			i := n.Add(1)
			op, err := envelope.Open(ks, envs[i%int64(len(envs))], envelope.OpenOptions{MerchantID: "m_shop"})
			if err != nil {
				b.Error(err)
				return
			}
			rand.Read(nonce)
			aead.Seal(nil, nonce, []byte(op.Card.Number), nil)
			h, _ := blake2b.New256(key)
			h.Write([]byte(op.Card.Number))
			h.Sum(nil)
		}
	})
}

// BenchmarkWorkerRequestCPU starts the Worker under wrangler dev and sends
// N sequential requests of each kind, measuring wall time and the CPU time
// that the whole wrangler/workerd process group, and workerd alone, used
// (from /proc), per request: all of it, workerd's two processes, and the
// runtime process alone (our isolate, the local D1, workerd's request
// handling; not wrangler's proxy). It runs three Workers:
//
//	entry=pool      ours (edge/workerjs): Go instances live between requests
//	entry=d1replay  JS only: the D1 calls pool's tokenizes made, replayed
//	                through the same d1.mjs on a fresh database
//	entry=floor     JS only, 200 "ok": what wrangler dev and workerd cost alone
//
// GET /healthz is almost only the per-request overhead; POST /v1/tokens
// adds HPKE, the vault and D1 (workerd runs the local D1 too). Our
// isolate's own CPU per tokenize, which is what Cloudflare's limit counts,
// is about pool's runtime CPU less d1replay's (which also holds d1.mjs's
// JSON work, ours, so the difference is a little low).
//
//	go test -run '^$' -bench WorkerRequestCPU -benchtime 100x ./edge/
func BenchmarkWorkerRequestCPU(b *testing.B) {
	var rec d1Recording
	for _, entry := range []string{"pool", "d1replay", "floor"} {
		b.Run("entry="+entry, func(b *testing.B) { benchmarkWorker(b, entry, &rec) })
	}
}

// d1Recording is what record.mjs recorded: the number of requests before
// the measured tokenizes, and every D1 call as [request, op, json].
type d1Recording struct {
	Mark  int
	Calls [][3]any
}

func benchmarkWorker(b *testing.B, entry string, rec *d1Recording) {
	fx := edgetest.NewFixture(b)
	fx.Relax(b)
	wb := workerBuild{entry: entry}
	switch entry {
	case "pool":
		wb.entry = "record"
	case "d1replay":
		if rec.Calls == nil {
			b.Skip("entry=pool recorded no D1 calls")
		}
	}
	w := startWorkerTB(b, fx, wb)
	hc := &http.Client{Timeout: 30 * time.Second}
	measure := func(name string, fn func(i int)) {
		cpu0, wd0, rt0 := groupCPU(b, w.pgid, anyProcess), groupCPU(b, w.pgid, workerdProcess), groupCPU(b, w.pgid, workerdRuntime)
		t0 := time.Now()
		for i := range b.N {
			fn(i)
		}
		wall := time.Since(t0)
		cpu := groupCPU(b, w.pgid, anyProcess) - cpu0
		wd := groupCPU(b, w.pgid, workerdProcess) - wd0
		rt := groupCPU(b, w.pgid, workerdRuntime) - rt0
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
		b.ReportMetric(per(wall), name+"-wall-ms/req")
		b.ReportMetric(per(cpu), name+"-cpu-ms/req")
		b.ReportMetric(per(wd), name+"-workerd-cpu-ms/req")
		b.ReportMetric(per(rt), name+"-runtime-cpu-ms/req")
	}
	var tz *edgetest.Tokenizer
	var envs []string
	var replayCalls float64
	if entry == "d1replay" {
		replayCalls = loadReplay(b, hc, w.URL, rec, b.N)
	}
	if entry == "pool" {
		tz = edgetest.NewTokenizer(b, w.URL, fx)
		hc = tz.HTTP
		envs = make([]string, b.N)
		for i := range envs {
			var err error
			if envs[i], err = tz.Seal(tz.RandomCard()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	measure("healthz", func(int) {
		resp, err := hc.Get(w.URL + "/healthz")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /healthz = %d, want 200", resp.StatusCode)
		}
	})
	if entry == "d1replay" {
		measure("tokenize", func(int) {
			resp, err := hc.Post(w.URL+"/v1/tokens", "application/json", strings.NewReader("{}"))
			if err != nil || resp.StatusCode != 201 || resp.Header.Get("X-Failed") != "0" {
				b.Fatalf("replayed tokenize: %v %v", resp, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
		b.ReportMetric(replayCalls, "d1-calls/tokenize")
		return
	}
	if tz == nil {
		return
	}
	var mark int
	if entry == "pool" {
		mark = fetchRecording(b, hc, w.URL).Mark
	}
	measure("tokenize", func(i int) {
		if _, status, err := tz.Tokenize(envs[i]); err != nil || status != 201 {
			b.Fatalf("tokenize = %d, %v", status, err)
		}
	})
	if entry == "pool" {
		*rec = fetchRecording(b, hc, w.URL)
		rec.Mark = mark
	}
}

// fetchRecording reads what record.mjs has recorded so far.
func fetchRecording(b *testing.B, hc *http.Client, base string) d1Recording {
	resp, err := hc.Get(base + "/__d1calls")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Requests int
		Calls    [][3]any
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		b.Fatal(err)
	}
	return d1Recording{Mark: got.Requests, Calls: got.Calls}
}

// loadReplay hands replay.mjs the calls made before the measured tokenizes
// (replayed at once) and one group per measured tokenize.
// It returns the number of calls per tokenize.
func loadReplay(b *testing.B, hc *http.Client, base string, rec *d1Recording, n int) float64 {
	type call = [2]any
	prefix := []call{}
	groups := make([][]call, n)
	for _, c := range rec.Calls {
		req := int(c[0].(float64))
		switch i := req - rec.Mark - 1; {
		case i < 0:
			prefix = append(prefix, call{c[1], c[2]})
		case i < n:
			groups[i] = append(groups[i], call{c[1], c[2]})
		}
	}
	body, _ := json.Marshal(map[string]any{"prefix": prefix, "groups": groups})
	resp, err := hc.Post(base+"/__load", "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("X-Failed") != "0" {
		b.Fatalf("loading the replay: %v %v", resp, err)
	}
	resp.Body.Close()
	var calls int
	for _, g := range groups {
		calls += len(g)
	}
	return float64(calls) / float64(n)
}

// The processes the Worker benchmark measures. wrangler dev starts two
// workerd processes: its own proxy in front, and the runtime (started with
// --inspector-addr) that runs our isolate, the local D1 and the HTTP
// handling of each request.
var (
	anyProcess     = func(comm, cmdline string) bool { return true }
	workerdProcess = func(comm, cmdline string) bool { return comm == "workerd" }
	workerdRuntime = func(comm, cmdline string) bool {
		return comm == "workerd" && strings.Contains(cmdline, "--inspector-addr")
	}
)

// groupCPU sums user+system CPU time of every process in process group
// pgid that match accepts, given its command name and command line.
func groupCPU(tb testing.TB, pgid int, match func(comm, cmdline string) bool) time.Duration {
	entries, _ := os.ReadDir("/proc")
	var ticks int64
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name is in parentheses; the fields follow it.
		s := string(b)
		end := strings.LastIndexByte(s, ')')
		comm := s[strings.IndexByte(s, '(')+1 : end]
		f := strings.Fields(s[end+2:])
		if len(f) < 13 {
			continue
		}
		if pg, _ := strconv.Atoi(f[2]); pg != pgid {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if !match(comm, string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))) {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += ut + st
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

func cardFor(number string) card.Card {
	cvc := "123"
	if strings.HasPrefix(number, "34") || strings.HasPrefix(number, "37") {
		cvc = "1234"
	}
	return card.Card{Number: number, ExpMonth: 12, ExpYear: time.Now().Year() + 3, CVC: cvc}
}
