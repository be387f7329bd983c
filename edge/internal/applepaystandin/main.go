// Command applepaystandin is a STAND-IN FOR APPLE for the browser tests
// (e2e/wallet.test.mjs), which cannot import Go: it makes, with
// sdk/wallet/applepay/applepaytest, a stand-in Apple certificate chain, a
// merchant's payment processing key with its certificate, and one Apple
// Pay EC_v1 token for that key, and writes into -dir:
//
//	apple-root.pem       the stand-in's root, for apple_pay.unsafe_test_root_pem
//	apple-pay-keys.json  the key set, for apple_pay_keys_file
//	token.json           the paymentData object (PKPaymentToken.paymentData)
//
// The edge accepts the token only when configured to trust the stand-in's
// root, which it never does in production.
//
//	go run ./edge/internal/applepaystandin -dir DIR -merchant m_shop \
//	    -identifier merchant.example.shop -pan 4000056655665556 -exp 311231
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/applepay"
	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
)

func main() {
	dir := flag.String("dir", "", "output directory")
	merchant := flag.String("merchant", "", "the Sealpay merchant id the key belongs to")
	identifier := flag.String("identifier", "", "the Apple merchant identifier")
	pan := flag.String("pan", "", "the device account number in the token")
	exp := flag.String("exp", "", "its expiry, YYMMDD")
	flag.Parse()
	if err := run(*dir, *merchant, *identifier, *pan, *exp); err != nil {
		fmt.Fprintln(os.Stderr, "applepaystandin:", err)
		os.Exit(1)
	}
}

func run(dir, merchant, identifier, pan, exp string) error {
	if dir == "" || merchant == "" || identifier == "" || pan == "" || len(exp) != 6 {
		return fmt.Errorf("-dir, -merchant, -identifier, -pan and -exp (YYMMDD) are required")
	}
	apple, err := applepaytest.New(applepaytest.Options{})
	if err != nil {
		return err
	}
	mk, err := applepaytest.GenerateMerchantKey()
	if err != nil {
		return err
	}
	cert, err := apple.Certificate(mk, identifier)
	if err != nil {
		return err
	}
	ks := applepay.NewKeySet()
	if _, err := ks.AddPEM(merchant, mk.PEM(), cert, time.Now()); err != nil {
		return err
	}
	keys, err := ks.MarshalPrivate()
	if err != nil {
		return err
	}
	p := applepaytest.Sample3DS()
	p.ApplicationPrimaryAccountNumber, p.ApplicationExpirationDate = pan, exp
	tok, err := apple.Token(mk, identifier, p, applepaytest.TokenOptions{})
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{"apple-root.pem", apple.RootPEM()}, {"apple-pay-keys.json", keys}, {"token.json", tok}} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
