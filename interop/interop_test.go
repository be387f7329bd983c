// Package interop tests Sealpay's envelopes against an independent RFC 9180
// implementation: the JavaScript in hpke/, written from
// docs/envelope-v1.md on @hpke/core. Envelopes sealed by one side must open
// on the other, in both directions, through the sealpay command line.
package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// testCards are published test numbers (Stripe's test cards). Both
// sides check the expiry against the clock, so the cards expire years
// after today, not in a fixed year.
var testCards = func() []string {
	y := time.Now().Year()
	return []string{
		fmt.Sprintf(`{"number":"4242424242424242","exp_month":12,"exp_year":%d,"cvc":"123","name":"A. Shopper"}`, y+4),
		fmt.Sprintf(`{"number":"5555 5555 5555 4444","exp_month":1,"exp_year":%d}`, y+5),
		fmt.Sprintf(`{"number":"378282246310005","exp_month":6,"exp_year":%d,"cvc":"1234","name":"Zoë Åström"}`, y+6),
	}
}()

type tools struct {
	dir     string // scratch directory
	sealpay string // the built command
}

// The sealpay command is built once for all tests.
var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func setup(t *testing.T) *tools {
	t.Helper()
	if _, err := os.Stat(filepath.Join("hpke", "node_modules", "@hpke", "core")); err != nil {
		t.Fatalf("interop/hpke/node_modules is missing: run npm ci in interop/hpke, or make test")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not on PATH: the interop tests need Node 20 or later")
	}
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "sealpay-interop-"); buildErr != nil {
			return
		}
		buildOut, buildErr = exec.Command("go", "build", "-o", filepath.Join(buildDir, "sealpay"), "github.com/sealpay/sealpay/cmd/sealpay").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/sealpay: %v\n%s", buildErr, buildOut)
	}
	return &tools{dir: t.TempDir(), sealpay: filepath.Join(buildDir, "sealpay")}
}

// run runs a command with stdin and returns its stdout; on failure it
// returns the error code printed on stderr as {"error":{"code":...}}.
func run(t *testing.T, stdin string, name string, args ...string) (string, errcode.Code) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return strings.TrimSpace(stdout.String()), ""
	}
	var e struct {
		Error struct {
			Code errcode.Code `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(bytes.TrimSpace(stderr.Bytes()), &e) != nil || e.Error.Code == "" {
		// stderr carries no card data: both tools print only codes and
		// messages without input.
		t.Fatalf("%s %s: %v, and no JSON error on stderr: %s", filepath.Base(name), args[0], err, stderr.String())
	}
	return "", e.Error.Code
}

func (tl *tools) node(t *testing.T, stdin, script string, args ...string) (string, errcode.Code) {
	t.Helper()
	return run(t, stdin, "node", append([]string{filepath.Join("hpke", script)}, args...)...)
}

func (tl *tools) cli(t *testing.T, stdin string, args ...string) (string, errcode.Code) {
	t.Helper()
	return run(t, stdin, tl.sealpay, args...)
}

// cliOK and nodeOK run a command that must succeed.
func (tl *tools) cliOK(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, code := tl.cli(t, stdin, args...)
	if code != "" {
		t.Fatalf("sealpay %s failed with %s", args[0], code)
	}
	return out
}

func (tl *tools) nodeOK(t *testing.T, stdin, script string, args ...string) string {
	t.Helper()
	out, code := tl.node(t, stdin, script, args...)
	if code != "" {
		t.Fatalf("node %s failed with %s", script, code)
	}
	return out
}

// newKeys creates a private key set file and its public JWK Set file with
// the sealpay command line.
func (tl *tools) newKeys(t *testing.T, name string) (keys, jwks string) {
	keys = filepath.Join(tl.dir, name+".json")
	jwks = filepath.Join(tl.dir, name+"-public.json")
	tl.cliOK(t, "", "keys", "new", "--out", keys)
	tl.writeJWKS(t, keys, jwks)
	return keys, jwks
}

func (tl *tools) writeJWKS(t *testing.T, keys, jwks string) {
	pub := tl.cliOK(t, "", "keys", "public", "--keys", keys)
	if err := os.WriteFile(jwks, []byte(pub), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sameCard reports whether two card documents are the same card once
// package card has normalised them.
func sameCard(t *testing.T, a, b string) bool {
	t.Helper()
	ca, err := card.Parse([]byte(a))
	if err != nil {
		t.Fatalf("card.Parse: %v", err)
	}
	cb, err := card.Parse([]byte(b))
	if err != nil {
		t.Fatalf("card.Parse: %v", err)
	}
	return ca == cb
}

const (
	merchant = "m_demo"
	origin   = "https://shop.example"
)

func TestNodeSealsSealpayOpens(t *testing.T) {
	tl := setup(t)
	keys, jwks := tl.newKeys(t, "edge")
	for _, c := range testCards {
		env := tl.nodeOK(t, c, "seal.mjs", "--jwks", jwks, "--merchant", merchant, "--origin", origin)
		if !strings.HasPrefix(env, "sp1.") {
			t.Fatalf("seal.mjs printed no envelope")
		}
		got := tl.cliOK(t, env, "open", "--keys", keys, "--merchant", merchant, "--origin", origin)
		if !sameCard(t, got, c) {
			t.Errorf("sealpay open returned another card than node sealed") // no card data in messages
		}
		// A flipped ciphertext bit fails the same way on both sides.
		tampered := env[:len(env)-3] + flipChar(env[len(env)-3]) + env[len(env)-2:]
		if _, code := tl.cli(t, tampered, "open", "--keys", keys); code != errcode.DecryptFailed {
			t.Errorf("sealpay open of a tampered node envelope = %q, want decrypt_failed", code)
		}
		if _, code := tl.node(t, tampered, "open.mjs", "--keys", keys); code != errcode.DecryptFailed {
			t.Errorf("open.mjs of a tampered node envelope = %q, want decrypt_failed", code)
		}
		if _, code := tl.cli(t, env, "open", "--keys", keys, "--merchant", "m_other"); code != errcode.WrongMerchant {
			t.Errorf("sealpay open for another merchant = %q, want wrong_merchant", code)
		}
	}
}

func TestSealpaySealsNodeOpens(t *testing.T) {
	tl := setup(t)
	keys, jwks := tl.newKeys(t, "edge")
	for _, c := range testCards {
		env := tl.cliOK(t, c, "seal", "--jwks", jwks, "--merchant", merchant, "--origin", origin)
		got := tl.nodeOK(t, env, "open.mjs", "--keys", keys, "--merchant", merchant, "--origin", origin)
		if !sameCard(t, got, c) {
			t.Errorf("open.mjs returned another card than sealpay sealed")
		}
		if _, code := tl.node(t, env, "open.mjs", "--keys", keys, "--origin", "https://evil.example"); code != errcode.WrongOrigin {
			t.Errorf("open.mjs with another origin = %q, want wrong_origin", code)
		}
	}
}

// TestRotationAcrossImplementations rotates the key set with the command
// line: node seals to the new primary, both sides still open envelopes
// sealed to the old key until it is retired, and neither opens them after.
func TestRotationAcrossImplementations(t *testing.T) {
	tl := setup(t)
	keys, jwks := tl.newKeys(t, "edge")
	oldEnv := tl.nodeOK(t, testCards[0], "seal.mjs", "--jwks", jwks, "--merchant", merchant)
	var before struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(tl.cliOK(t, "", "keys", "public", "--keys", keys)), &before); err != nil || len(before.Keys) != 1 {
		t.Fatalf("keys public: %v", err)
	}
	oldKid := before.Keys[0].Kid

	tl.cliOK(t, "", "keys", "rotate", "--keys", keys)
	tl.writeJWKS(t, keys, jwks)
	newEnv := tl.nodeOK(t, testCards[1], "seal.mjs", "--jwks", jwks, "--merchant", merchant)
	if strings.Split(newEnv, ".")[1] == strings.Split(oldEnv, ".")[1] {
		t.Fatalf("headers equal after rotation")
	}
	for _, env := range []string{oldEnv, newEnv} {
		tl.cliOK(t, env, "open", "--keys", keys)
		tl.nodeOK(t, env, "open.mjs", "--keys", keys)
	}

	tl.cliOK(t, "", "keys", "retire", "--keys", keys, "--kid", oldKid)
	if _, code := tl.cli(t, oldEnv, "open", "--keys", keys); code != errcode.UnknownKey {
		t.Errorf("sealpay open with a retired key = %q, want unknown_key", code)
	}
	if _, code := tl.node(t, oldEnv, "open.mjs", "--keys", keys); code != errcode.UnknownKey {
		t.Errorf("open.mjs with a retired key = %q, want unknown_key", code)
	}
	tl.cliOK(t, newEnv, "open", "--keys", keys)
}

// TestNodeVectors runs the JavaScript implementation over the envelope v1
// test vectors: it must reproduce every valid envelope byte for byte from
// the inputs docs/envelope-v1.md publishes, and give every Open case its
// outcome.
func TestNodeVectors(t *testing.T) {
	setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "node", filepath.Join("hpke", "vectors.mjs"),
		filepath.Join("..", "sdk", "envelope", "testdata", "envelope-v1-vectors.json")).CombinedOutput()
	// The output names failing cases, never card data.
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), " passed, 0 failed") {
		t.Errorf("vectors.mjs: %v\n%s", err, out)
	}
}

// flipChar returns another base64url character.
func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
