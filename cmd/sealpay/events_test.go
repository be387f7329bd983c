//go:build !js

package main

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/webhook"
)

// TestServeEventsSurviveKill queues events while the merchant's endpoint
// (a stand-in) is down, kills `sealpay serve` with SIGKILL, rotates the
// envelope key set with `sealpay keys rotate`, starts serve again on the
// same database with the endpoint back, and checks that every event
// arrives, signed (sdk/webhook), with key.rotated naming the old and the
// new primary.
func TestServeEventsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs sealpay serve; run without -short")
	}
	bin := buildSealpay(t)
	fx := edgetest.NewFixture(t)
	sink := fx.WithEvents(t)
	sink.SetDown(true)
	srv := startServe(t, bin, fx.ConfigPath)
	tz := edgetest.NewTokenizer(t, srv.url, fx)
	var toks []string
	for range 5 {
		env, err := tz.Seal(tz.RandomCard())
		if err != nil {
			t.Fatal(err)
		}
		tok, status, err := tz.Tokenize(env)
		if err != nil || status != http.StatusCreated {
			t.Fatalf("tokenize = %d, %v; want 201", status, err)
		}
		req, _ := http.NewRequest(http.MethodDelete, srv.url+"/v1/tokens/"+tok, nil)
		req.Header.Set("Authorization", "Bearer "+fx.Shop.SK)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("delete: %v (status %v); want 200", err, resp)
		}
		resp.Body.Close()
		toks = append(toks, tok)
	}
	// Let the endpoint refuse a few attempts, then kill the edge.
	deadline := time.Now().Add(20 * time.Second)
	for len(sink.Requests()) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no delivery attempt reached the endpoint while it was down")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	if got := len(sink.Events(t)); got != 0 {
		t.Fatalf("%d events accepted while the endpoint was down, want 0", got)
	}

	keysFile := filepath.Join(fx.Dir, "keys.json")
	before := primary(t, keysFile)
	if out, err := exec.Command(bin, "keys", "rotate", "--keys", keysFile).CombinedOutput(); err != nil {
		t.Fatalf("sealpay keys rotate: %v\n%s", err, out)
	}
	after := primary(t, keysFile)

	sink.SetDown(false)
	srv2 := startServe(t, bin, fx.ConfigPath)
	_ = srv2
	deadline = time.Now().Add(30 * time.Second)
	for {
		deleted := map[string]bool{}
		var rotated *webhook.KeyRotatedData
		for _, e := range sink.Events(t) {
			switch e.Type {
			case webhook.TokenDeleted:
				var d webhook.TokenDeletedData
				if e.Decode(&d) == nil {
					deleted[d.Token] = true
				}
			case webhook.KeyRotated:
				var d webhook.KeyRotatedData
				if e.Decode(&d) == nil && d.KeySet == "envelope" {
					rotated = &d
				}
			}
		}
		missing := 0
		for _, tok := range toks {
			if !deleted[tok] {
				missing++
			}
		}
		if missing == 0 && rotated != nil {
			if rotated.KeyID != after || rotated.PreviousKeyID != before {
				t.Errorf("key.rotated names %s after %s, want %s after %s", rotated.KeyID, rotated.PreviousKeyID, after, before)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d of %d token.deleted events missing, key.rotated seen %t", missing, len(toks), rotated != nil)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fx.ScanForNumbers(t, "event deliveries", sink.All())
	fx.ScanForNumbers(t, "server log", srv2.logs.Bytes())
}

// TestServeEventInFlightAtKill: a delivery in flight when `sealpay
// serve` is killed (the endpoint has the request and has not answered)
// is sent again as soon as serve is back, not after its 60 s lease: the
// native server is the database's only user and releases such leases at
// start-up.
func TestServeEventInFlightAtKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs sealpay serve; run without -short")
	}
	bin := buildSealpay(t)
	fx := edgetest.NewFixture(t)
	sink := fx.WithEvents(t)
	release := sink.Hold()
	defer release()
	srv := startServe(t, bin, fx.ConfigPath)
	tz := edgetest.NewTokenizer(t, srv.url, fx)
	env, err := tz.Seal(tz.RandomCard())
	if err != nil {
		t.Fatal(err)
	}
	tok, status, err := tz.Tokenize(env)
	if err != nil || status != http.StatusCreated {
		t.Fatalf("tokenize = %d, %v; want 201", status, err)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.url+"/v1/tokens/"+tok, nil)
	req.Header.Set("Authorization", "Bearer "+fx.Shop.SK)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("delete: %v (status %v); want 200", err, resp)
	}
	resp.Body.Close()
	deadline := time.Now().Add(20 * time.Second)
	for sink.Held() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the delivery never reached the endpoint")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	release()
	start := time.Now()
	startServe(t, bin, fx.ConfigPath)
	for {
		for _, e := range sink.Events(t) {
			var d webhook.TokenDeletedData
			if e.Type == webhook.TokenDeleted && e.Decode(&d) == nil && d.Token == tok {
				t.Logf("delivered %v after the restart began", time.Since(start).Round(time.Millisecond))
				return
			}
		}
		if time.Since(start) > 20*time.Second {
			t.Fatal("the delivery in flight at the kill was not retried within 20 s of the restart (its lease is 60 s)")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// primary returns the primary key id of the key set file at path.
func primary(t *testing.T, path string) string {
	t.Helper()
	ks, err := envelope.ReadKeySetFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks.Keys() {
		if k.Status == "primary" {
			return k.KeyID
		}
	}
	t.Fatal("no primary key")
	return ""
}
