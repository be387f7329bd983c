package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/edgetest"
)

// TestServeMetrics runs `sealpay serve` as a process: with metrics_addr
// it listens on exactly two TCP addresses, the API's (which answers 404
// on /metrics) and the metrics' (which counts the tokenizes it was sent);
// without metrics_addr, on the API's alone.
func TestServeMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs sealpay serve; run without -short")
	}
	bin := buildSealpay(t)
	fx := edgetest.NewFixture(t)
	metricsAddr := freeAddr(t)
	setConfig(t, fx.ConfigPath, "metrics_addr", metricsAddr)
	srv := startServe(t, bin, fx.ConfigPath)
	apiAddr := strings.TrimPrefix(srv.url, "http://")
	if got, want := listening(t, srv.cmd.Process.Pid), []string{apiAddr, metricsAddr}; !sameSet(got, want) {
		t.Errorf("with metrics_addr, sealpay serve listens on %v, want %v", got, want)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	if resp, err := hc.Get(srv.url + "/metrics"); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Errorf("API listener: GET /metrics = %d, want 404", resp.StatusCode)
	}
	tz := edgetest.NewTokenizer(t, srv.url, fx)
	const n = 5
	for range n {
		env, err := tz.Seal(tz.RandomCard())
		if err != nil {
			t.Fatal(err)
		}
		if _, status, err := tz.Tokenize(env); err != nil || status != http.StatusCreated {
			t.Fatalf("tokenize = %d, %v; want 201", status, err)
		}
	}
	resp, err := hc.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics listener: GET /metrics = %d, want 200", resp.StatusCode)
	}
	for _, want := range []string{
		fmt.Sprintf(`sealpay_http_requests_total{route="POST /v1/tokens",status="201"} %d`, n),
		fmt.Sprintf(`sealpay_vault_rows{table="vault_tokens"} %d`, n),
		// serve wires the events outbox's backlog; no merchant has events.
		`sealpay_events_backlog 0`,
	} {
		if !strings.Contains(string(b), want+"\n") {
			t.Errorf("metrics lack the line %q", want)
		}
	}
	fx.ScanForNumbers(t, "metrics", b)
	srv.cmd.Process.Kill()
	<-srv.done

	// The API's address is not the metrics'.
	out, err := exec.Command(bin, "serve", "--config", fx.ConfigPath, "--addr", metricsAddr).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "address of their own") {
		t.Errorf("serve --addr = metrics_addr: err %v, output %q; want a refusal", err, out)
	}

	setConfig(t, fx.ConfigPath, "metrics_addr", nil)
	srv = startServe(t, bin, fx.ConfigPath)
	apiAddr = strings.TrimPrefix(srv.url, "http://")
	if got, want := listening(t, srv.cmd.Process.Pid), []string{apiAddr}; !sameSet(got, want) {
		t.Errorf("without metrics_addr, sealpay serve listens on %v, want only the API's %v", got, want)
	}
}

// setConfig sets (or, with nil, removes) a top-level field of the
// configuration file at path.
func setConfig(t *testing.T, path, key string, value any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if value == nil {
		delete(cfg, key)
	} else {
		cfg[key] = value
	}
	b, _ = json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// listening returns the addresses of the TCP sockets process pid listens
// on: its file descriptors' socket inodes, looked up in /proc/net/tcp
// and tcp6 (state 0A is LISTEN).
func listening(t *testing.T, pid int) []string {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var out []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] {
				continue
			}
			out = append(out, procAddr(t, f[1]))
		}
	}
	return out
}

// procAddr turns /proc/net/tcp's "0100007F:1F90" into "127.0.0.1:8080".
func procAddr(t *testing.T, s string) string {
	hexIP, hexPort, _ := strings.Cut(s, ":")
	raw, err := hex.DecodeString(hexIP)
	port, perr := strconv.ParseUint(hexPort, 16, 16)
	if err != nil || perr != nil || (len(raw) != 4 && len(raw) != 16) {
		t.Fatalf("cannot read the /proc/net/tcp address %q", s)
	}
	// The address is in 32-bit words of host (little-endian) order.
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	return net.JoinHostPort(net.IP(raw).String(), strconv.FormatUint(port, 10))
}
