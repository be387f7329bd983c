package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
)

func TestRandomCard(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := randomCard()
		if len(n) != 16 || !strings.HasPrefix(n, "400000") || !card.Luhn(n) {
			t.Fatalf("randomCard() = %d digits, prefix %q, Luhn %v; want 16 digits, 400000, Luhn-valid", len(n), n[:min(6, len(n))], card.Luhn(n))
		}
		if b := card.DetectBrand(n); b == nil || b.ID() != "visa" {
			t.Fatalf("randomCard() brand = %v, want visa", b)
		}
		seen[n] = true
	}
	if len(seen) < 990 {
		t.Errorf("1000 random cards hold %d distinct numbers, want nearly 1000", len(seen))
	}
}

func TestClientAddr(t *testing.T) {
	for _, tc := range []struct {
		i    int
		want string
	}{{0, "10.0.0.0"}, {1, "10.0.0.1"}, {256, "10.0.1.0"}, {1<<23 + 5, "10.128.0.5"}} {
		if got := clientAddr(tc.i); got != tc.want {
			t.Errorf("clientAddr(%d) = %q, want %q", tc.i, got, tc.want)
		}
	}
}

func TestWrkFigures(t *testing.T) {
	good := "Running 5s test\n  2 threads\nBENCH requests=100 duration_us=5000000 errors=0 status=0 p50_us=900 p90_us=1500 p99_us=2500 exhausted=0\n"
	v, err := wrkFigures(good)
	if err != nil {
		t.Fatal(err)
	}
	if v["requests"] != 100 || v["p99_us"] != 2500 || v["duration_us"] != 5000000 {
		t.Errorf("wrkFigures = %v, want requests 100, p99_us 2500, duration_us 5000000", v)
	}
	for _, bad := range []string{
		"Running 5s test\n",
		"BENCH requests=100 duration_us=x errors=0 status=0 p50_us=1 p90_us=1 p99_us=1 exhausted=0\n",
		"BENCH requests=100 duration_us=5 errors=0 status=0 p50_us=1 p90_us=1 exhausted=0\n",
		"BENCH requests=100 duration_us=5 errors=0 status=0 p50_us=1 p90_us=1 p99_us=1 exhausted\n",
	} {
		if _, err := wrkFigures(bad); err == nil {
			t.Errorf("wrkFigures(%q) = nil error, want one", bad)
		}
	}
}

func TestPrintTable(t *testing.T) {
	var b bytes.Buffer
	printTable(&b, []row{
		{name: "crypto-only bound", rps: 20000, ratio: 1},
		{name: "Go load generator (c=32)", requests: 1000, rps: 3000, p50: 9 * time.Millisecond, p90: 12 * time.Millisecond, p99: 18500 * time.Microsecond, ratio: 0.15, cpu: 350 * time.Microsecond, clientCPU: 50 * time.Microsecond},
	})
	out := b.String()
	for _, want := range []string{"req/s", "p99 ms", "ratio", "20000", "3000", "18.50", "0.150", "350 µs/req", "50 µs/req"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines != 3 {
		t.Errorf("table has %d lines, want 3 (header and two rows)", lines)
	}
}
