//go:build !js

package edge_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
)

// TestNativeSpoofedClientAddress checks the card-testing defence against
// forged client-address headers: through a trusted proxy (loopback), the
// right-most untrusted address counts; from a peer that is not a trusted
// proxy, the header is not believed at all.
func TestNativeSpoofedClientAddress(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		run     func(*testing.T, string, *edgetest.Fixture)
	}{
		{"through a trusted proxy", nil, edgetest.RunSpoofedCardTesting},
		{"from an untrusted peer", []string{"192.0.2.0/24"}, edgetest.RunUntrustedPeerCardTesting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := edgetest.NewFixture(t)
			cfg, err := edge.LoadConfig(fx.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			if tc.proxies != nil {
				cfg.TrustedProxies = tc.proxies
			}
			h, db, err := server.Open(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			srv := httptest.NewServer(h)
			defer srv.Close()
			tc.run(t, srv.URL, fx)
		})
	}
}
