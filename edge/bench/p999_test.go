package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestP999: the wrk script's p999_us is read when present and optional
// otherwise; the table and the benchmark lines carry p99.9.
func TestP999(t *testing.T) {
	v, err := wrkFigures("BENCH requests=100 duration_us=5000000 errors=0 status=0 p50_us=900 p90_us=1500 p99_us=2500 p999_us=7100 exhausted=0\n")
	if err != nil {
		t.Fatal(err)
	}
	if v["p999_us"] != 7100 {
		t.Errorf("wrkFigures p999_us = %d, want 7100", v["p999_us"])
	}
	if !strings.Contains(wrkScript, "latency:percentile(99.9)") {
		t.Error("the wrk script does not print the 99.9th percentile")
	}
	rows := []row{
		{name: "crypto-only bound", rps: 20000, ratio: 1},
		{name: "Go load generator (c=32)", requests: 1000, rps: 3000, p50: 9 * time.Millisecond, p90: 12 * time.Millisecond,
			p99: 18500 * time.Microsecond, p999: 31250 * time.Microsecond, ratio: 0.15},
		{name: "wrk (t=2, c=32)", requests: 1000, rps: 2900, p50: 9 * time.Millisecond, p90: 12 * time.Millisecond, p99: 19 * time.Millisecond, ratio: 0.145},
	}
	var b strings.Builder
	printTable(&b, rows)
	for _, want := range []string{"p99.9 ms", "31.25"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	path := filepath.Join(t.TempDir(), "lines.txt")
	if err := writeBenchLines(path, rows); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want a pkg line and 3 benchmark lines:\n%s", len(lines), got)
	}
	for i, want := range []bool{false, true, false} {
		if has := strings.Contains(lines[i+1], "p99.9-ms"); has != want {
			t.Errorf("line %d (%s): p99.9-ms present = %v, want %v", i+1, lines[i+1], has, want)
		}
	}
	if !strings.Contains(lines[2], " 31.25 p99.9-ms") {
		t.Errorf("line %q lacks 31.25 p99.9-ms", lines[2])
	}
}
