//go:build !js

package edge_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/edgetest"
)

// aePoint is a Workers Analytics Engine data point as the entry writes it
// (edge/workerjs/metrics.mjs).
type aePoint struct {
	Indexes []string  `json:"indexes"`
	Blobs   []string  `json:"blobs"`
	Doubles []float64 `json:"doubles"`
}

// TestWorkerMetrics runs our entry with an Analytics Engine dataset
// binding under wrangler dev and sends it a mix of requests: each
// request Go answered is one data point, with its route pattern, status,
// error code and duration, passed to the real local binding (which keeps
// nothing: testdata/workermetrics/spy.mjs remembers them for the test);
// no point names a path, a key, a token, a merchant or a client.
func TestWorkerMetrics(t *testing.T) {
	fx := edgetest.NewFixture(t)
	w := startWorkerTB(t, fx, workerBuild{entry: "metrics"})
	hc := &http.Client{Timeout: 30 * time.Second}
	want := map[string]int{} // "route status code"
	send := func(route, method, path, key, body string) (int, []byte) {
		t.Helper()
		r, _ := http.NewRequest(method, w.URL+path, strings.NewReader(body))
		if key != "" {
			r.Header.Set("Authorization", "Bearer "+key)
			r.Header.Set("Origin", fx.Shop.Origin)
		}
		resp, err := hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var e struct{ Error struct{ Code string } }
		if resp.StatusCode >= 400 {
			json.Unmarshal(b, &e)
		}
		want[fmt.Sprintf("%s %d %s", route, resp.StatusCode, e.Error.Code)]++
		return resp.StatusCode, b
	}
	before := len(points(t, hc, w.URL))
	tz := edgetest.NewTokenizer(t, w.URL, fx)
	want["GET /v1/keys 200 "]++ // NewTokenizer's
	for range 2 {
		env, err := tz.Seal(tz.RandomCard())
		if err != nil {
			t.Fatal(err)
		}
		status, b := send("POST /v1/tokens", "POST", "/v1/tokens", fx.Shop.PK, `{"envelope":"`+env+`"}`)
		if status != http.StatusCreated {
			t.Fatalf("tokenize = %d, want 201", status)
		}
		var got struct{ Token string }
		json.Unmarshal(b, &got)
		send("GET /v1/tokens/{token}", "GET", "/v1/tokens/"+got.Token, fx.Shop.SK, "")
	}
	send("GET /v1/keys", "GET", "/v1/keys", "", "")
	send("POST /v1/tokens", "POST", "/v1/tokens", "pk_not_a_key", `{"envelope":"sp1.x"}`)
	send("POST /v1/tokens", "POST", "/v1/tokens", fx.Shop.PK, `{"envelope":"sp1.AAAA.BBBB.CCCC"}`)
	send("/", "GET", "/v1/nothing-here/tok_abcdefghijklmnopqrstuv", "", "")

	var got map[string]int
	var pts []aePoint
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		pts = points(t, hc, w.URL)[before:]
		got = map[string]int{}
		for _, p := range pts {
			if len(p.Indexes) != 1 || len(p.Blobs) != 5 || len(p.Doubles) != 2 || p.Indexes[0] != p.Blobs[0] || fmt.Sprint(p.Doubles[1]) != p.Blobs[1] || p.Doubles[0] < 0 {
				t.Fatalf("data point not in the documented layout: %d indexes, %d blobs, %d doubles", len(p.Indexes), len(p.Blobs), len(p.Doubles))
			}
			if p.Blobs[0] == "GET /healthz" {
				continue // the test harness's probes
			}
			got[strings.Join(p.Blobs[:3], " ")]++
		}
		if maps.Equal(got, want) || time.Now().After(deadline) {
			break
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("data points {%s}: %d, want %d (what the requests were answered)", k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("data points {%s}: %d, want none", k, got[k])
		}
	}
	b, _ := json.Marshal(pts)
	if m := regexp.MustCompile(`(^|[^A-Za-z0-9])(tok|pk|sk|whsec|fp)_`).Find(b); m != nil {
		t.Errorf("a data point holds a %q value", bytes.TrimLeft(m, `"[{, `))
	}
	for _, s := range []string{fx.Shop.ID, fx.Other.ID, "sha256:", "127.0.0.1", "sp1."} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("a data point holds %q", s)
		}
	}
	fx.ScanForNumbers(t, "data points", b)
}

// points returns the data points the spy has seen.
func points(t *testing.T, hc *http.Client, base string) []aePoint {
	t.Helper()
	resp, err := hc.Get(base + "/__points")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pts []aePoint
	if err := json.NewDecoder(resp.Body).Decode(&pts); err != nil {
		t.Fatalf("GET /__points: %v", err)
	}
	return pts
}

// BenchmarkWorkerMetricsCPU is what the Analytics Engine data point costs
// the Worker: our entry without the SEALPAY_METRICS binding and with it,
// alternating, N sequential requests of each kind, reporting the CPU
// time of workerd's runtime process per request (as
// BenchmarkWorkerRequestCPU does).
//
//	go test -run '^$' -bench WorkerMetricsCPU -benchtime 100x -count 3 ./edge/
func BenchmarkWorkerMetricsCPU(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("binding=%v", on), func(b *testing.B) {
			fx := edgetest.NewFixture(b)
			fx.Relax(b)
			w := startWorkerTB(b, fx, workerBuild{analytics: on})
			tz := edgetest.NewTokenizer(b, w.URL, fx)
			envs := make([]string, b.N)
			for i := range envs {
				var err error
				if envs[i], err = tz.Seal(tz.RandomCard()); err != nil {
					b.Fatal(err)
				}
			}
			measure := func(name string, fn func(i int)) {
				rt0 := groupCPU(b, w.pgid, workerdRuntime)
				for i := range b.N {
					fn(i)
				}
				rt := groupCPU(b, w.pgid, workerdRuntime) - rt0
				b.ReportMetric(float64(rt.Microseconds())/1000/float64(b.N), name+"-runtime-cpu-ms/req")
			}
			b.ResetTimer()
			measure("healthz", func(int) {
				resp, err := tz.HTTP.Get(w.URL + "/healthz")
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
			measure("tokenize", func(i int) {
				if _, status, err := tz.Tokenize(envs[i]); err != nil || status != http.StatusCreated {
					b.Fatalf("tokenize = %d, %v", status, err)
				}
			})
		})
	}
}
