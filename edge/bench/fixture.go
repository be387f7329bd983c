package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
)

// clientHeader carries a distinct client address per request, as a
// trusted proxy would: a busy shop's shoppers come from many addresses.
const clientHeader = "X-Sealpay-Bench-Client"

// fixture is the server's configuration and what the clients need.
type fixture struct {
	dir, config string
	keys        *envelope.KeySet
	pub         *envelope.PublicKeySet
	merchant    string
	origin      string
	pk          string
}

// newFixture writes a key set, a KEK and a configuration with one merchant
// into dir. The rate limits still count every request and card but never
// slow or refuse: a load generator looks exactly like card testing.
func newFixture(dir, dbSync, checkpoint string) (*fixture, error) {
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		return nil, err
	}
	if err := envelope.WriteKeySetFile(filepath.Join(dir, "keys.json"), ks); err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	kek := "k1:" + base64.StdEncoding.EncodeToString(secret) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "kek.secret"), []byte(kek), 0o600); err != nil {
		return nil, err
	}
	rand.Read(secret)
	if err := os.WriteFile(filepath.Join(dir, "audit.secret"), []byte("a1:"+base64.StdEncoding.EncodeToString(secret)+"\n"), 0o600); err != nil {
		return nil, err
	}
	pk, sk := edge.NewAPIKeys()
	fx := &fixture{dir: dir, config: filepath.Join(dir, "config.json"), keys: ks, pub: ks.Public(),
		merchant: "m_bench", origin: "https://shop.example", pk: pk}
	counted := map[string]any{"window": "1m", "slow": 0, "block": 0}
	cfg := map[string]any{
		"database":         "sealpay.db",
		"keys_file":        "keys.json",
		"kek_file":         "kek.secret",
		"audit_key_file":   "audit.secret",
		"client_ip_header": clientHeader,
		"trusted_proxies":  []string{"127.0.0.0/8", "::1"},
		"limits": map[string]any{
			"client_requests": counted, "key_requests": counted, "client_cards": counted,
			"client_failures": counted, "key_cards": counted, "key_failures": counted,
		},
		"merchants": []map[string]any{{
			"id":               fx.merchant,
			"publishable_keys": []string{edge.HashAPIKey(pk)},
			"secret_keys":      []string{edge.HashAPIKey(sk)},
			"allowed_origins":  []string{fx.origin},
		}},
	}
	if dbSync != "" {
		cfg["database_sync"] = dbSync
	}
	if checkpoint != "" {
		cfg["database_checkpoint"] = checkpoint
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, err
	}
	return fx, os.WriteFile(fx.config, b, 0o600)
}

// sealMany seals n envelopes of distinct random test cards (Visa test
// range 400000…, Luhn-valid), on all CPUs. They live an hour.
func (fx *fixture) sealMany(n int) ([]string, error) {
	envs := make([]string, n)
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for i := w; i < n; i += len(errs) {
				c := card.Card{Number: randomCard(), ExpMonth: 12, ExpYear: time.Now().Year() + 3, CVC: "123"}
				env, err := envelope.Seal(fx.pub, c, envelope.SealOptions{MerchantID: fx.merchant, Origin: fx.origin, TTL: time.Hour})
				if err != nil {
					errs[w] = err
					return
				}
				envs[i] = env
			}
		})
	}
	wg.Wait()
	return envs, errors.Join(errs...)
}

// randomCard returns a random Luhn-valid 16-digit number in the Visa test
// range 400000.
func randomCard() string {
	b := []byte("400000")
	for range 9 {
		b = append(b, byte('0'+mrand.IntN(10)))
	}
	sum := 0
	for i := range b {
		d := int(b[len(b)-1-i] - '0')
		if i%2 == 0 { // the check digit will be rightmost: double every other digit from the payload's last
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return string(append(b, byte('0'+(10-sum%10)%10)))
}

// clientAddr is the i-th request's client address.
func clientAddr(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
}

// server is a running `sealpay serve`.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan error
	once sync.Once
	err  error
}

// startServe starts bin serve on a free loopback port and waits for
// /healthz.
func startServe(ctx context.Context, bin string, fx *fixture, logPath string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s := &server{url: "http://" + addr, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "--config", fx.config, "--addr", addr)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() { s.done <- s.cmd.Wait(); logf.Close() }()
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return s, nil
		}
		select {
		case err := <-s.done:
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("sealpay serve exited (%v):\n%s", err, log)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("sealpay serve did not answer /healthz within 30 s")
		}
	}
}

// cpu is the CPU time (user and system) the server has used so far, from
// /proc; 0 where there is no /proc.
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the parenthesised command name: utime and stime are
	// the 12th and 13th, in clock ticks (USER_HZ, 100 on Linux).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100
}

// stop ends the server gracefully (SIGTERM), or kills it after 15 s.
func (s *server) stop() error {
	s.once.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case s.err = <-s.done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
			s.err = errors.New("sealpay serve did not stop within 15 s of SIGTERM")
		}
	})
	return s.err
}

// enableMetrics sets metrics_addr in the configuration to a free loopback
// port and returns it.
func (fx *fixture) enableMetrics() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	b, err := os.ReadFile(fx.config)
	if err != nil {
		return "", err
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", err
	}
	cfg["metrics_addr"] = addr
	if b, err = json.MarshalIndent(cfg, "", "  "); err != nil {
		return "", err
	}
	return addr, os.WriteFile(fx.config, b, 0o600)
}

// scrapeTokenizes reads the tokenize counters from the server's
// /metrics: the line for POST /v1/tokens answered 201.
func scrapeTokenizes(addr string) (string, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return "", fmt.Errorf("scraping /metrics: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("scraping /metrics: status %d, %v", resp.StatusCode, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, `sealpay_http_requests_total{route="POST /v1/tokens",status="201"}`) {
			return line, nil
		}
	}
	return "no tokenize counted", nil
}
