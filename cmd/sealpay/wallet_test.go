package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
)

func TestWalletKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "google-pay-keys.json")
	out, stderr, code := sealpay(t, "", "wallet", "keys", "new", "--keys", file, "--merchant", "m_shop")
	if code != 0 {
		t.Fatalf("wallet keys new = %d %s", code, stderr)
	}
	if strings.Contains(out, `"d"`) {
		t.Error("wallet keys new printed key material")
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key set file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	// A second key for the shop waits for promote; the public key stays.
	pub1, _, _ := sealpay(t, "", "wallet", "keys", "public", "--keys", file, "--merchant", "m_shop")
	out, _, code = sealpay(t, "", "wallet", "keys", "new", "--keys", file, "--merchant", "m_shop")
	var list struct {
		Keys []struct{ KID, Merchant, Status string }
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list.Keys) != 2 {
		t.Fatalf("second wallet keys new = %d, %d keys (%v)", code, len(list.Keys), err)
	}
	if list.Keys[0].Status != "primary" || list.Keys[1].Status != "enabled" {
		t.Errorf("statuses = %s, %s; want primary, enabled", list.Keys[0].Status, list.Keys[1].Status)
	}
	pub2, _, _ := sealpay(t, "", "wallet", "keys", "public", "--keys", file, "--merchant", "m_shop")
	if pub1 != pub2 {
		t.Error("adding a key changed the published public key before promote")
	}
	var p struct {
		PublicKey string `json:"public_key"`
	}
	json.Unmarshal([]byte(pub1), &p)
	if b, err := base64.StdEncoding.DecodeString(p.PublicKey); err != nil || len(b) != 65 || b[0] != 4 {
		t.Errorf("public_key is not a base64 uncompressed P-256 point")
	}
	// Promote the new key, retire the old.
	if _, stderr, code := sealpay(t, "", "wallet", "keys", "promote", "--keys", file, "--kid", list.Keys[1].KID); code != 0 {
		t.Fatalf("promote = %d %s", code, stderr)
	}
	if _, _, code := sealpay(t, "", "wallet", "keys", "retire", "--keys", file, "--kid", list.Keys[1].KID); code != 2 {
		t.Errorf("retiring the primary = exit %d, want 2", code)
	}
	if _, stderr, code := sealpay(t, "", "wallet", "keys", "retire", "--keys", file, "--kid", list.Keys[0].KID); code != 0 {
		t.Fatalf("retire = %d %s", code, stderr)
	}
	ks, err := googlepay.ReadKeySetFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if pub3, _, _ := sealpay(t, "", "wallet", "keys", "public", "--keys", file, "--merchant", "m_shop"); pub3 == pub1 || !strings.Contains(pub3, ks.PublicKey("m_shop")) {
		t.Error("after promote, public does not print the new primary")
	}
	// Bad uses.
	for _, args := range [][]string{
		{"wallet"}, {"wallet", "keys", "new", "--keys", file}, {"wallet", "keys", "public", "--keys", file, "--merchant", "m_none"},
		{"wallet", "keys", "frob", "--keys", file},
	} {
		if _, _, code := sealpay(t, "", args...); code != 2 {
			t.Errorf("sealpay %s = exit %d, want 2", strings.Join(args, " "), code)
		}
	}
	os.Chmod(file, 0o644)
	if _, stderr, code := sealpay(t, "", "wallet", "keys", "list", "--keys", file); code != 1 || errorCode(t, stderr) != "insecure_key_file" {
		t.Errorf("list of a world-readable key set = exit %d %s, want 1 insecure_key_file", code, errorCode(t, stderr))
	}
}
