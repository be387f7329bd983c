package metrics_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNotInWasm: client_golang stays out of the Worker's and the
// browser's WebAssembly. Only the native server may import this package
// (edge/server); the edge's observer hook (edge.Options.Observe) has no
// Prometheus in it.
func TestNotInWasm(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "github.com/sealpay/sealpay/wasm/...", "github.com/sealpay/sealpay/edge/worker/...")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps for js/wasm: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps named %d packages, want the wasm builds' dependencies", len(deps))
	}
	for _, p := range deps {
		if strings.Contains(p, "prometheus") || p == "github.com/sealpay/sealpay/edge/metrics" {
			t.Errorf("the js/wasm builds import %s", p)
		}
	}
}
