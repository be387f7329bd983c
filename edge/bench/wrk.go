package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkScript walks a file of pre-sealed envelopes, one "envelope client"
// line each: thread k of n sends lines k, k+n, k+2n, … once each, since an
// envelope opens once. A thread that runs out stops and says so; done
// prints one line of exact figures for bench to parse.
const wrkScript = `
local counter, threads = 0, {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path, n = args[1], tonumber(args[2])
  envs, clients, pos, exhausted = {}, {}, 1, 0
  local i = 0
  for line in io.lines(path) do
    if i % n == id then
      local env, client = line:match("^(%S+) (%S+)$")
      table.insert(envs, env)
      table.insert(clients, client)
    end
    i = i + 1
  end
  headers = {
    ["Authorization"] = "Bearer " .. args[3],
    ["Origin"] = args[4],
    ["Content-Type"] = "application/json",
  }
  clientHeader = args[5]
end

function request()
  if pos > #envs then
    exhausted = 1
    wrk.thread:stop()
    pos = 1 -- the stopping thread may still send this one: a replay, counted as an error
  end
  headers[clientHeader] = clients[pos]
  local body = '{"envelope":"' .. envs[pos] .. '"}'
  pos = pos + 1
  return wrk.format("POST", "/v1/tokens", headers, body)
end

function done(summary, latency, requests)
  local exhausted = 0
  for _, t in ipairs(threads) do exhausted = exhausted + (t:get("exhausted") or 0) end
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d status=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d exhausted=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), exhausted))
end
`

// wrkLoad runs wrk against POST /v1/tokens for d with the given envelopes,
// which must outnumber what the server can take in d.
func wrkLoad(ctx context.Context, bin, base string, fx *fixture, envs []string, threads, conns int, d time.Duration, dir string) (row, error) {
	envPath := filepath.Join(dir, "wrk-envelopes.txt")
	f, err := os.Create(envPath)
	if err != nil {
		return row{}, err
	}
	w := bufio.NewWriter(f)
	for i, env := range envs {
		fmt.Fprintf(w, "%s %s\n", env, clientAddr(1<<23+i))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return row{}, err
	}
	if err := f.Close(); err != nil {
		return row{}, err
	}
	script := filepath.Join(dir, "tokenize.lua")
	if err := os.WriteFile(script, []byte(wrkScript), 0o600); err != nil {
		return row{}, err
	}
	secs := int((d + time.Second - 1) / time.Second)
	cmd := exec.CommandContext(ctx, bin, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", strconv.Itoa(secs)+"s", "--timeout", "30s", "-s", script, base+"/v1/tokens",
		"--", envPath, strconv.Itoa(threads), fx.pk, fx.origin, clientHeader)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return row{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	v, err := wrkFigures(string(out))
	if err != nil {
		return row{}, err
	}
	if v["exhausted"] > 0 {
		return row{}, fmt.Errorf("wrk ran out of envelopes (%d sealed): the server was faster than the Go run suggested; run again", len(envs))
	}
	if v["errors"] > 0 || v["status"] > 0 {
		return row{}, fmt.Errorf("wrk: %d socket errors and %d answers other than 2xx in %d requests", v["errors"], v["status"], v["requests"])
	}
	us := func(k string) time.Duration { return time.Duration(v[k]) * time.Microsecond }
	r := row{
		requests: int(v["requests"]),
		rps:      float64(v["requests"]) / us("duration_us").Seconds(),
		p50:      us("p50_us"), p90: us("p90_us"), p99: us("p99_us"), p999: us("p999_us"),
	}
	if ps := cmd.ProcessState; ps != nil && r.requests > 0 {
		r.clientCPU = (ps.UserTime() + ps.SystemTime()) / time.Duration(r.requests)
	}
	return r, nil
}

// wrkFigures reads the "BENCH k=v …" line the script's done prints
// (p999_us may be missing: 0).
func wrkFigures(out string) (map[string]int64, error) {
	var line string
	for l := range strings.Lines(out) {
		if strings.HasPrefix(l, "BENCH ") {
			line = strings.TrimSpace(l)
		}
	}
	if line == "" {
		return nil, fmt.Errorf("wrk printed no figures:\n%s", out)
	}
	v := map[string]int64{}
	for _, kv := range strings.Fields(line)[1:] {
		k, s, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseInt(s, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("wrk figures %q: %q is not key=integer", line, kv)
		}
		v[k] = n
	}
	for _, k := range []string{"requests", "duration_us", "errors", "status", "p50_us", "p90_us", "p99_us", "exhausted"} {
		if _, ok := v[k]; !ok {
			return nil, fmt.Errorf("wrk figures %q: no %s", line, k)
		}
	}
	return v, nil
}
