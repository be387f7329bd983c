//go:build !js

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/sqlitedb"
)

// buildSealpay builds this command into a temporary directory.
func buildSealpay(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sealpay")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects a subprocess's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b.Bytes()...)
}

type server struct {
	cmd  *exec.Cmd
	url  string
	logs *lockedBuffer
	done chan error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe starts `sealpay serve` on a free loopback address and waits
// for /healthz. freeAddr's address is free only until it is closed:
// another process can take it first, and then serve exits saying so and
// is started again on another address. A serve that exits for another
// reason fails the test at once.
func startServe(t *testing.T, bin, config string) *server {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s, err := launchServe(t, bin, config, freeAddr(t))
		if err == nil {
			return s
		}
		if !strings.Contains(string(s.logs.Bytes()), "already in use") || attempt == 3 {
			t.Fatalf("sealpay serve exited before answering /healthz (%v):\n%s", err, s.logs.Bytes())
		}
		t.Logf("sealpay serve lost its address to another process (attempt %d); trying another", attempt)
	}
}

// launchServe starts `sealpay serve` on addr and waits up to 20 s for
// /healthz. It returns the server, with the error of a serve that exited
// first.
func launchServe(t *testing.T, bin, config, addr string) (*server, error) {
	t.Helper()
	s := &server{url: "http://" + addr, logs: &lockedBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "--config", config, "--addr", addr)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { err := s.cmd.Wait(); exited <- err; s.done <- err }()
	t.Cleanup(func() { s.cmd.Process.Kill() })
	// Each probe has its own timeout: whatever holds the address may
	// accept and never answer, and http.Get would wait for ever.
	probe := &http.Client{Timeout: 5 * time.Second}
	for deadline := time.Now().Add(20 * time.Second); ; {
		select {
		case err := <-exited:
			if err == nil {
				err = errors.New("exit status 0")
			}
			return s, err
		default:
		}
		if resp, err := probe.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			t.Fatalf("sealpay serve did not come up within 20 s:\n%s", s.logs.Bytes())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeCrashSafety puts a real `sealpay serve` under a tokenize load,
// kills it with SIGKILL, restarts it on the same database and checks that
// every token acknowledged with 201 still relays its own card number, and
// that the audit chain verifies. It also checks the graceful stop, the
// port-in-use message and that no card number reached the logs.
func TestServeCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs sealpay serve; run without -short")
	}
	bin := buildSealpay(t)
	fx := edgetest.NewFixture(t)
	fx.Relax(t)
	srv := startServe(t, bin, fx.ConfigPath)
	addr := strings.TrimPrefix(srv.url, "http://")

	t.Run("port in use", func(t *testing.T) {
		out, err := exec.Command(bin, "serve", "--config", fx.ConfigPath, "--addr", addr).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "already in use") {
			t.Errorf("second serve on %s: err %v, output %q; want a failure saying the address is in use", addr, err, out)
		}
	})

	tz := edgetest.NewTokenizer(t, srv.url, fx)
	type acked struct{ tok, number string }
	var (
		mu    sync.Mutex
		acks  []acked
		taken []string // tokens whose CVC an acknowledged relay took
		wg    sync.WaitGroup
		stopc = make(chan struct{})
	)
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stopc:
					return
				default:
				}
				number := tz.RandomCard()
				env, err := tz.Seal(number)
				if err != nil {
					t.Error(err)
					return
				}
				tok, status, err := tz.Tokenize(env)
				if err != nil {
					return // the server died mid-request: not acknowledged
				}
				if status != http.StatusCreated {
					continue
				}
				mu.Lock()
				acks = append(acks, acked{tok, number})
				mu.Unlock()
				if tok[len(tok)-1]%4 == 0 { // about a quarter of the tokens, by their random ids
					if status, err := tz.TakeCVC(tok); err == nil && status == http.StatusOK {
						mu.Lock()
						taken = append(taken, tok)
						mu.Unlock()
					}
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	close(stopc)
	wg.Wait()
	if len(acks) < 50 {
		t.Fatalf("only %d tokens acknowledged before the kill; want a real load", len(acks))
	}
	t.Logf("%d tokens acknowledged before kill -9", len(acks))

	srv2 := startServe(t, bin, fx.ConfigPath) // the same database; any address
	tz2 := edgetest.NewTokenizer(t, srv2.url, fx)
	lost := 0
	for _, a := range acks {
		status, got := tz2.Relay(t, a.tok)
		if status != http.StatusOK || got != a.number {
			lost++
		}
	}
	if lost != 0 {
		t.Errorf("%d of %d acknowledged tokens do not relay their card after the crash, want 0", lost, len(acks))
	}
	// A CVC that an acknowledged relay took stays taken.
	t.Logf("%d CVCs taken by acknowledged relays before kill -9", len(taken))
	back := 0
	for _, tok := range taken {
		if status, err := tz2.TakeCVC(tok); err != nil || status != http.StatusNotFound {
			back++
		}
	}
	if len(taken) == 0 || back != 0 {
		t.Errorf("%d of %d CVCs taken by acknowledged relays are back after the crash (want 0 of more than 0)", back, len(taken))
	}

	// Graceful stop.
	srv2.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-srv2.done:
		if err != nil {
			t.Errorf("sealpay serve after SIGTERM: %v, want exit 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("sealpay serve did not stop within 15 s of SIGTERM")
	}
	if !strings.Contains(string(srv2.logs.Bytes()), "stopped") {
		t.Error("no graceful stop in the log")
	}

	out, err := exec.Command(bin, "audit", "verify", "--config", fx.ConfigPath).Output()
	var res struct {
		OK      bool
		Entries int
	}
	json.Unmarshal(out, &res)
	if err != nil || !res.OK || res.Entries < len(acks) {
		t.Errorf("audit verify = %s (%v), want ok with at least %d entries", out, err, len(acks))
	}
	for _, logs := range [][]byte{srv.logs.Bytes(), srv2.logs.Bytes()} {
		fx.ScanForNumbers(t, "sealpay serve log", logs)
	}
	db, _ := os.ReadFile(filepath.Join(fx.Dir, "sealpay.db"))
	fx.ScanForNumbers(t, "sealpay.db", db)
}

// TestAuditVerifyBroken shows that `sealpay audit verify` names the first
// broken link and exits 1.
func TestAuditVerifyBroken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds sealpay; run without -short")
	}
	bin := buildSealpay(t)
	fx := edgetest.NewFixture(t)
	srv := startServe(t, bin, fx.ConfigPath)
	auditedRefusals(t, srv.url, 3)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done
	dbPath := filepath.Join(fx.Dir, "sealpay.db")
	db, err := sqlitedb.OpenSQL(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER audit_log_no_update`,
		`UPDATE audit_log SET code = 'forged' WHERE seq = 2`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	out, err := exec.Command(bin, "audit", "verify", "--config", fx.ConfigPath).Output()
	var res struct {
		OK       bool
		BrokenAt int `json:"broken_at"`
	}
	json.Unmarshal(out, &res)
	if err == nil || res.OK || res.BrokenAt != 2 {
		t.Errorf("audit verify of a tampered log = %s (err %v), want ok false, broken_at 2, exit 1", out, err)
	}
}

// auditedRefusals sends n refused requests from n client addresses: one
// audit entry each (refusals of one client are counted per minute).
func auditedRefusals(t *testing.T, base string, n int) {
	t.Helper()
	for i := range n {
		r, _ := http.NewRequest("GET", base+fmt.Sprintf("/v1/tokens/tok_%d", i), nil)
		r.Header.Set(edgetest.ClientHeader, fmt.Sprintf("192.0.2.%d", i+1))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// TestAuditVerifyTamper runs `sealpay audit verify` on the attacks of the
// security review, each on a copy of one served database: delete entries
// and re-hash the chain; cut off the tail (caught with --expect-head);
// drop the triggers, edit an entry and re-hash the rest. Each must fail
// with the entry where the chain breaks. The re-hashing is what an
// attacker without the audit key can do: the unkeyed SHA-256 links of
// [audit.Entry.ComputeHash].
func TestAuditVerifyTamper(t *testing.T) {
	if testing.Short() {
		t.Skip("builds sealpay; run without -short")
	}
	bin := buildSealpay(t)
	fx := edgetest.NewFixture(t)
	srv := startServe(t, bin, fx.ConfigPath)
	auditedRefusals(t, srv.url, 8)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done
	served, err := os.ReadFile(filepath.Join(fx.Dir, "sealpay.db"))
	if err != nil {
		t.Fatal(err)
	}
	verify := func(t *testing.T, args ...string) (ok bool, brokenAt int, head string, out []byte) {
		t.Helper()
		out, _ = exec.Command(bin, append([]string{"audit", "verify", "--config", fx.ConfigPath}, args...)...).Output()
		var res struct {
			OK       bool
			BrokenAt int `json:"broken_at"`
			Head     string
		}
		json.Unmarshal(out, &res)
		return res.OK, res.BrokenAt, res.Head, out
	}
	ok, _, head, out := verify(t)
	if !ok {
		t.Fatalf("audit verify of the served log = %s, want ok", out)
	}
	tests := []struct {
		name   string
		tamper []string // SQL; "rehash N" re-hashes entries N.. unkeyed
		expect bool     // verify with --expect-head of the untouched log
		want   int      // broken_at
	}{
		{"delete entries and re-hash the chain", []string{
			`DROP TRIGGER IF EXISTS audit_log_no_delete`, `DROP TRIGGER IF EXISTS audit_log_delete_below_checkpoint`, `DROP TRIGGER IF EXISTS audit_log_link`,
			`DROP TRIGGER IF EXISTS audit_log_no_update`,
			`DELETE FROM audit_log WHERE seq IN (3, 4)`, `UPDATE audit_log SET seq = seq - 2 WHERE seq > 4`, "rehash 3"}, false, 3},
		{"cut off the tail", []string{
			`DROP TRIGGER IF EXISTS audit_log_no_delete`, `DROP TRIGGER IF EXISTS audit_log_delete_below_checkpoint`,
			`DELETE FROM audit_log WHERE seq > 5`}, true, 6},
		{"drop the triggers and edit", []string{
			`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET code = 'forged' WHERE seq = 4`, "rehash 4"}, false, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(fx.Dir, "sealpay.db"), served, 0o600); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(fx.Dir, "sealpay.db-wal"))
			os.Remove(filepath.Join(fx.Dir, "sealpay.db-shm"))
			db, err := sqlitedb.OpenSQL(context.Background(), filepath.Join(fx.Dir, "sealpay.db"))
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.tamper {
				if from, ok := strings.CutPrefix(q, "rehash "); ok {
					n, _ := strconv.Atoi(from)
					rehashUnkeyed(t, db, int64(n))
					continue
				}
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db.Close()
			var args []string
			if tc.expect {
				args = []string{"--expect-head", head}
			}
			ok, at, _, out := verify(t, args...)
			if ok || at != tc.want {
				t.Errorf("audit verify %v of the tampered log = %s, want ok false, broken_at %d", args, out, tc.want)
			}
		})
	}
}

// rehashUnkeyed recomputes the links of entries from seq from on with the
// unkeyed SHA-256 chain, marking them unkeyed where the schema says which
// key MACed an entry.
func rehashUnkeyed(t *testing.T, db *sql.DB, from int64) {
	t.Helper()
	var prev string
	if err := db.QueryRow(`SELECT hash FROM audit_log WHERE seq = ?`, from-1).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	var keyed int
	db.QueryRow(`SELECT count(*) FROM pragma_table_info('audit_log') WHERE name = 'mac_key'`).Scan(&keyed)
	for _, q := range []string{`DROP TRIGGER IF EXISTS audit_log_no_update`, `DROP TRIGGER IF EXISTS audit_log_link`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Query(`SELECT seq, at, merchant, action, target, token, code FROM audit_log WHERE seq >= ? ORDER BY seq`, from)
	if err != nil {
		t.Fatal(err)
	}
	var es []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at int64
		rows.Scan(&e.Seq, &at, &e.Merchant, &e.Action, &e.Target, &e.Token, &e.Code)
		e.Time = time.UnixMilli(at)
		es = append(es, e)
	}
	rows.Close()
	for _, e := range es {
		h, err := e.ComputeHash(prev)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?`, prev, h, e.Seq); err != nil {
			t.Fatal(err)
		}
		if keyed == 1 {
			if _, err := db.Exec(`UPDATE audit_log SET mac_key = '' WHERE seq = ?`, e.Seq); err != nil {
				t.Fatal(err)
			}
		}
		prev = h
	}
}
