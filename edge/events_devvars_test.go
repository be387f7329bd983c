//go:build !js

package edge_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
)

// TestEventsSecretFile: an events signing_secret_file is read (and must
// be private, like every secret file), and --dev-vars inlines it for the
// Worker.
func TestEventsSecretFile(t *testing.T) {
	fx := edgetest.NewFixture(t)
	b, _ := os.ReadFile(fx.ConfigPath)
	var cfg map[string]any
	json.Unmarshal(b, &cfg)
	shop := cfg["merchants"].([]any)[0].(map[string]any)
	shop["events"] = map[string]any{"url": "https://hooks.shop.example/sealpay", "signing_secret_file": "events.whsec"}
	b, _ = json.Marshal(cfg)
	os.WriteFile(fx.ConfigPath, b, 0o600)
	secretPath := filepath.Join(fx.Dir, "events.whsec")
	os.WriteFile(secretPath, []byte("whsec_events_file_secret\n"), 0o644)
	if _, err := edge.LoadConfig(fx.ConfigPath); err == nil || !strings.Contains(err.Error(), "signing_secret_file") {
		t.Errorf("LoadConfig with a world-readable events secret = %v, want a refusal naming the file", err)
	}
	os.Chmod(secretPath, 0o600)
	c, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Merchants[0].Events.SigningSecret; got != "whsec_events_file_secret" {
		t.Errorf("events signing secret = %d bytes from the file, want the file's secret", len(got))
	}
	vars, err := server.DevVars(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(vars, []byte("whsec_events_file_secret")) || bytes.Contains(vars, []byte("events.whsec")) {
		t.Errorf(".dev.vars does not inline the events secret file")
	}
}
