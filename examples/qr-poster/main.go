// Command qr-poster runs the Sealpay QR poster example against an edge you
// run yourself (sealpay serve): the shop prints a signed payment QR code
// for an order, and the shopper's page checks it — and shows a tampered
// copy being rejected. For everything in one command, run
// `go run ./cmd/sealpay demo` instead.
//
//	SEALPAY_PK=pk_… SEALPAY_SK=sk_… go run ./examples/qr-poster -edge http://127.0.0.1:8787
//
// The edge must allow the poster's origin for the publishable key and
// serve POST /v1/qr and GET /v1/qr/trust for the merchant.
package main

import (
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/sealpay/sealpay/examples/internal/devserver"
	"github.com/sealpay/sealpay/examples/qr-poster/poster"
)

func main() {
	edgeURL := flag.String("edge", "http://127.0.0.1:8787", "the edge's origin")
	merchant := flag.String("merchant", "m_hikari", "the merchant id")
	addr := flag.String("addr", "127.0.0.1:8704", "address of the poster page")
	flag.Parse()
	log.SetFlags(0)
	pk, err := devserver.Getenv("SEALPAY_PK", "the merchant's publishable key (pk_…)")
	check(err)
	sk, err := devserver.Getenv("SEALPAY_SK", "the merchant's secret key (sk_…)")
	check(err)
	sri, err := devserver.SnippetIntegrity(*edgeURL)
	check(err)
	h, err := poster.New(poster.Options{
		Edge: *edgeURL, SecretKey: sk, PublishableKey: pk, Merchant: *merchant, SnippetIntegrity: sri,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	check(err)
	check(devserver.Run([]devserver.Server{{Name: "QR poster", Addr: *addr, Handler: h}}, func() {
		fmt.Printf("Open http://%s/ (the edge must allow the origin http://%s)\n", *addr, *addr)
	}))
}

func check(err error) {
	if err != nil {
		log.Fatalf("qr-poster: %v", err)
	}
}
