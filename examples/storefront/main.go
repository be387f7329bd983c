// Command storefront runs the Sealpay storefront example — the shop page,
// the merchant backend and the sample payment provider — against an edge
// you run yourself (sealpay serve). For everything in one command, with
// the edge configured for you, run `go run ./cmd/sealpay demo` instead.
//
//	SEALPAY_PK=pk_… SEALPAY_SK=sk_… SEALPAY_SIGNING_SECRET=… \
//	  go run ./examples/storefront -edge http://127.0.0.1:8787 -merchant m_hikari
//
// The edge's configuration must allow the shop's origin, send the forward
// routes checkout, cards and forget to the backend, and have a relay route
// for the provider's charges; the command prints that part of it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/sealpay/sealpay/examples/internal/devserver"
	"github.com/sealpay/sealpay/examples/storefront/samplepsp"
	"github.com/sealpay/sealpay/examples/storefront/shop"
)

func main() {
	edgeURL := flag.String("edge", "http://127.0.0.1:8787", "the edge's origin")
	merchant := flag.String("merchant", "m_hikari", "the merchant id")
	shopAddr := flag.String("shop", "127.0.0.1:8700", "address of the shop page")
	backendAddr := flag.String("backend", "127.0.0.1:8702", "address of the merchant backend")
	providerAddr := flag.String("provider", "127.0.0.1:8703", "address of the sample payment provider")
	providerKey := flag.String("provider-key", "psp_test_example", "the sample provider's API key")
	flag.Parse()
	log.SetFlags(0)
	pk, err := devserver.Getenv("SEALPAY_PK", "the merchant's publishable key (pk_…)")
	check(err)
	sk, err := devserver.Getenv("SEALPAY_SK", "the merchant's secret key (sk_…)")
	check(err)
	secret, err := devserver.Getenv("SEALPAY_SIGNING_SECRET", "the edge's forward signing secret for this merchant")
	check(err)
	sri, err := devserver.SnippetIntegrity(*edgeURL)
	check(err)
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	store, err := shop.NewStorefront(shop.StorefrontOptions{Edge: *edgeURL, PublishableKey: pk, Merchant: *merchant, SnippetIntegrity: sri})
	check(err)
	backend, err := shop.NewBackend(shop.BackendOptions{
		Edge: *edgeURL, SecretKey: sk, SigningSecret: []byte(secret),
		ProviderURL: "http://" + *providerAddr + "/v1/charges", ProviderKey: *providerKey, Logger: logger,
	})
	check(err)
	provider := samplepsp.New(samplepsp.Options{APIKey: *providerKey})
	routes, err := json.Marshal(samplepsp.RelayRoutes(*providerAddr))
	check(err)
	err = devserver.Run([]devserver.Server{
		{Name: "storefront", Addr: *shopAddr, Handler: store},
		{Name: "merchant backend", Addr: *backendAddr, Handler: backend},
		{Name: "sample provider", Addr: *providerAddr, Handler: provider},
	}, func() {
		fmt.Printf(`The edge's configuration for merchant %q needs:
  "allowed_origins": ["http://%[2]s"],
  "forward_routes": {"checkout": "http://%[3]s/sealpay/checkout", "cards": "http://%[3]s/sealpay/cards", "forget": "http://%[3]s/sealpay/forget"},
  "relay_routes": %[4]s, "allow_loopback_http": true

Open http://%[2]s/
`, *merchant, *shopAddr, *backendAddr, routes)
	})
	check(err)
}

func check(err error) {
	if err != nil {
		log.Fatalf("storefront: %v", err)
	}
}
