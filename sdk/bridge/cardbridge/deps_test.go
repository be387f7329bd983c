package cardbridge

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCardModuleLinksNoCryptoHPKE checks the import graph of the card module
// (./wasm, for js/wasm): it seals with sdk/internal/hpkesender and must not
// reach crypto/hpke, whose package-level KEMs would link P-256, P-384, P-521
// and ML-KEM into it, nor sdk/envelope, which opens with crypto/hpke.
func TestCardModuleLinksNoCryptoHPKE(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	cmd := exec.Command(gobin, "list", "-deps", "-f", "{{.ImportPath}}", "github.com/sealpay/sealpay/wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	for _, want := range []string{"github.com/sealpay/sealpay/sdk/bridge/cardbridge", "github.com/sealpay/sealpay/sdk/internal/hpkesender"} {
		if !deps[want] {
			t.Errorf("the card module does not import %s; is this the right package?", want)
		}
	}
	for _, bad := range []string{"crypto/hpke", "crypto/mlkem", "github.com/sealpay/sealpay/sdk/envelope"} {
		if deps[bad] {
			t.Errorf("the card module imports %s", bad)
		}
	}
}
