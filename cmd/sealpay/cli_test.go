package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixedNow is the clock every in-process run uses.
var fixedNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// sealpay runs the CLI in-process and returns stdout, stderr and the exit status.
func sealpay(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Now: func() time.Time { return fixedNow }}
	code = run(env, args)
	return out.String(), errb.String(), code
}

// errorCode parses the {"error":{"code"}} document a failing command prints.
func errorCode(t *testing.T, stderr string) string {
	t.Helper()
	var doc struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(stderr)), &doc); err != nil {
		t.Fatalf("stderr is not an error document: %v", err)
	}
	return doc.Error.Code
}

const testCard = `{"number":"4242 4242 4242 4242","exp_month":12,"exp_year":2030,"cvc":"123","name":"A. Shopper"}`

// secrets are the card values no error output may contain.
var secrets = []string{"4242424242424242", "4242 4242 4242 4242", "\"123\""}

func checkNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s contains card data", what)
		}
	}
}

func newKeys(t *testing.T) (keysFile, jwksFile string) {
	t.Helper()
	dir := t.TempDir()
	keysFile = filepath.Join(dir, "keys.json")
	if _, stderr, code := sealpay(t, "", "keys", "new", "--out", keysFile); code != 0 {
		t.Fatalf("keys new: exit %d: %s", code, stderr)
	}
	fi, err := os.Stat(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key set file mode = %v, want 0600", perm)
	}
	jwks, stderr, code := sealpay(t, "", "keys", "public", "--keys", keysFile)
	if code != 0 {
		t.Fatalf("keys public: exit %d: %s", code, stderr)
	}
	if strings.Contains(jwks, `"d"`) {
		t.Fatalf("keys public printed a private member")
	}
	jwksFile = filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(jwksFile, []byte(jwks), 0o644); err != nil {
		t.Fatal(err)
	}
	return keysFile, jwksFile
}

func TestSealOpenRoundTrip(t *testing.T) {
	keys, jwks := newKeys(t)
	env, stderr, code := sealpay(t, testCard, "seal", "--jwks", jwks, "--merchant", "m_demo", "--origin", "https://shop.example")
	if code != 0 {
		t.Fatalf("seal: exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(env, "sp1.") {
		t.Fatalf("seal output does not start with sp1.")
	}
	checkNoSecrets(t, "the envelope", env)

	out, stderr, code := sealpay(t, env, "open", "--keys", keys, "--merchant", "m_demo", "--origin", "https://shop.example")
	if code != 0 {
		t.Fatalf("open: exit %d: %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("open output is not JSON: %v", err)
	}
	if got["number"] != "4242424242424242" || got["cvc"] != "123" || got["exp_month"] != 12.0 || got["exp_year"] != 2030.0 || got["name"] != "A. Shopper" {
		t.Errorf("open gave a different card (fields: %d)", len(got))
	}

	// After a rotation the old envelope still opens; after retiring its key it does not.
	list, _, _ := sealpay(t, "", "keys", "list", "--keys", keys)
	var before struct {
		Keys []struct{ KID, Status string }
	}
	if err := json.Unmarshal([]byte(list), &before); err != nil || len(before.Keys) != 1 {
		t.Fatalf("keys list: %v (%d keys)", err, len(before.Keys))
	}
	if _, stderr, code := sealpay(t, "", "keys", "rotate", "--keys", keys); code != 0 {
		t.Fatalf("keys rotate: exit %d: %s", code, stderr)
	}
	if _, stderr, code := sealpay(t, env, "open", "--keys", keys); code != 0 {
		t.Fatalf("open after rotate: exit %d: %s", code, stderr)
	}
	if _, stderr, code := sealpay(t, "", "keys", "retire", "--keys", keys, "--kid", before.Keys[0].KID); code != 0 {
		t.Fatalf("keys retire: exit %d: %s", code, stderr)
	}
	_, stderr, code = sealpay(t, env, "open", "--keys", keys)
	if code != 1 || errorCode(t, stderr) != "unknown_key" {
		t.Errorf("open after retire: exit %d, stderr %s; want exit 1 with unknown_key", code, stderr)
	}
}

func TestOpenErrors(t *testing.T) {
	keys, jwks := newKeys(t)
	env, stderr, code := sealpay(t, testCard, "seal", "--jwks", jwks, "--merchant", "m_demo", "--origin", "https://shop.example")
	if code != 0 {
		t.Fatalf("seal: exit %d: %s", code, stderr)
	}
	env = strings.TrimSpace(env)
	// Change one character of the ciphertext to another base64url letter:
	// the envelope still parses, and only the AEAD can tell. (Flipping a bit
	// of the character itself could give a byte outside the alphabet, which
	// is invalid_envelope, not decrypt_failed.) The character is not the
	// last one, whose unused bits would make the encoding non-canonical.
	flipped := []byte(env)
	i := len(flipped) - 3
	if flipped[i] == '.' {
		t.Fatal("the ciphertext is too short to tamper with")
	}
	if flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"wrong merchant", env, []string{"--merchant", "m_other"}, "wrong_merchant"},
		{"wrong origin", env, []string{"--origin", "https://evil.example"}, "wrong_origin"},
		{"version", "sp2" + env[3:], nil, "unsupported_version"},
		{"shape", "sp1.abc", nil, "invalid_envelope"},
		{"flipped ciphertext", string(flipped), nil, "decrypt_failed"},
		{"oversized", strings.Repeat("a", 17<<10), nil, "payload_too_large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := sealpay(t, tc.stdin, append([]string{"open", "--keys", keys}, tc.args...)...)
			if code != 1 {
				t.Fatalf("exit = %d, want 1", code)
			}
			if out != "" {
				t.Errorf("stdout not empty on failure")
			}
			if got := errorCode(t, stderr); got != tc.want {
				t.Errorf("code = %q, want %q", got, tc.want)
			}
			checkNoSecrets(t, "stderr", stderr)
		})
	}
}

func TestSealRefusesBadCards(t *testing.T) {
	_, jwks := newKeys(t)
	tests := []struct{ name, card, want string }{
		{"luhn", `{"number":"4242424242424241","exp_month":12,"exp_year":2030}`, "invalid_card_number"},
		{"letters", `{"number":"4242a24242424242","exp_month":12,"exp_year":2030}`, "invalid_card_number"},
		{"month 13", `{"number":"4242424242424242","exp_month":13,"exp_year":2030}`, "invalid_expiry"},
		{"expired", `{"number":"4242424242424242","exp_month":1,"exp_year":2020}`, "card_expired"},
		{"cvc", `{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"12"}`, "invalid_cvc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := sealpay(t, tc.card, "seal", "--jwks", jwks, "--merchant", "m_demo")
			if code != 1 || out != "" {
				t.Fatalf("exit = %d (stdout %d bytes), want 1 and nothing on stdout", code, len(out))
			}
			if got := errorCode(t, stderr); got != tc.want {
				t.Errorf("code = %q, want %q", got, tc.want)
			}
			if strings.Contains(stderr, "424242424242") {
				t.Errorf("stderr contains the card number")
			}
		})
	}
}

func TestCardCheck(t *testing.T) {
	tests := []struct {
		name, stdin string
		wantCode    int
		wantBrand   string
		wantValid   bool
		wantErr     string
	}{
		{"bare visa", "4000 0566 5566 5556\n", 0, "visa", true, ""},
		{"card json", testCard, 0, "visa", true, ""},
		{"luhn", "4000056655665557", 1, "visa", false, "invalid_card_number"},
		{"amex", "3782 822463 10005", 0, "amex", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, code := sealpay(t, tc.stdin, "card", "check")
			if code != tc.wantCode {
				t.Fatalf("exit = %d, want %d", code, tc.wantCode)
			}
			var res struct {
				Valid bool   `json:"valid"`
				Brand string `json:"brand"`
				Error *struct {
					Code string `json:"code"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("output is not JSON: %v", err)
			}
			if res.Valid != tc.wantValid || res.Brand != tc.wantBrand {
				t.Errorf("valid, brand = %v, %q; want %v, %q", res.Valid, res.Brand, tc.wantValid, tc.wantBrand)
			}
			gotErr := ""
			if res.Error != nil {
				gotErr = res.Error.Code
			}
			if gotErr != tc.wantErr {
				t.Errorf("error code = %q, want %q", gotErr, tc.wantErr)
			}
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, tc.stdin)
			if len(digits) >= 15 && strings.Contains(out, digits[:15]) {
				t.Errorf("card check output contains the card number")
			}
		})
	}
}

func TestRefusesSecretsOnCommandLine(t *testing.T) {
	_, jwks := newKeys(t)
	_, stderr, code := sealpay(t, "", "seal", "--jwks", jwks, "--merchant", "m", "4242424242424242")
	if code != 2 {
		t.Fatalf("exit = %d, want 2 (usage)", code)
	}
	if strings.Contains(stderr, "4242424242424242") {
		t.Errorf("usage error echoes the argument")
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"keys"}, {"keys", "bogus"}, {"seal"}, {"open"}, {"card"}, {"nope"}} {
		if _, _, code := sealpay(t, "", args...); code != 2 {
			t.Errorf("sealpay %v: exit %d, want 2", args, code)
		}
	}
	// Not a bare "demo": that starts a real demo (ports 8700…) and runs until interrupted.
	if _, _, code := sealpay(t, "", "demo", "--port", "-1"); code != 2 {
		t.Errorf("sealpay demo --port -1: exit %d, want 2", code)
	}
}

// TestRefusesOpenKeyFile checks that the commands that read a private key
// set refuse one its group or other users can read, as a file written
// with the default umask is, with insecure_key_file and a message that
// says how to fix it.
func TestRefusesOpenKeyFile(t *testing.T) {
	keys, _ := newKeys(t)
	if err := os.Chmod(keys, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"keys", "list", "--keys", keys},
		{"keys", "public", "--keys", keys},
		{"open", "--keys", keys},
	} {
		t.Run(strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
			_, stderr, code := sealpay(t, "sp1.abc", args...)
			if code != 1 {
				t.Fatalf("exit = %d, want 1", code)
			}
			if got, want := errorCode(t, stderr), "insecure_key_file"; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			if !strings.Contains(stderr, "chmod 600") {
				t.Errorf("the message does not say how to fix the mode: %s", stderr)
			}
		})
	}
}
