//go:build !js

package edge_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
)

// TestNativeSuiteCommitCheckpoints runs the shared HTTP suite against the
// native handler with database_checkpoint "commit" (SQLite's checkpoints
// inside COMMITs, the default where there is no flock): the answers and
// what the vault and audit log hold are the same as with the default
// "background", which TestNative runs on Unix.
func TestNativeSuiteCommitCheckpoints(t *testing.T) {
	fx := edgetest.NewFixture(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseCheckpoint = edge.CheckpointCommit
	h, db, err := edge.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	edgetest.Run(t, srv.URL, fx)
	checkStore(t, db, fx)
}

// TestDatabaseCheckpointConfig: database_checkpoint takes "commit",
// "background" or nothing.
func TestDatabaseCheckpointConfig(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{{"", true}, {"commit", true}, {"background", true}, {"Background", false}, {"off", false}} {
		doc := `{"database_checkpoint":"` + tc.value + `","merchants":[{"id":"m_a","secret_keys":["sha256:` +
			"0000000000000000000000000000000000000000000000000000000000000000" + `"]}]}`
		_, err := edge.ParseConfig([]byte(doc))
		if got := err == nil; got != tc.ok || (err != nil && !errors.Is(err, edge.ErrConfig)) {
			t.Errorf("database_checkpoint %q: ParseConfig error = %v, want ok %v (else ErrConfig)", tc.value, err, tc.ok)
		}
	}
}
