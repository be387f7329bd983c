package applepay_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/applepay"
)

// Decrypt a token Apple signed: the public sample of spreedly/gala, with
// the clock set to a minute after it was signed.
func ExampleDecrypter_Decrypt() {
	keyPEM, err := os.ReadFile("testdata/gala-merchant-key.pem")
	if err != nil {
		log.Fatal(err)
	}
	certPEM, err := os.ReadFile("testdata/gala-merchant-cert.pem")
	if err != nil {
		log.Fatal(err)
	}
	key, err := applepay.ParseMerchantKeyPEM(keyPEM, certPEM)
	if err != nil {
		log.Fatal(err)
	}
	d, err := applepay.NewDecrypter(applepay.Config{
		Keys: []*applepay.MerchantKey{key},
		// Production leaves Now nil: the sample was signed in 2021.
		Now: func() time.Time { return time.Date(2021, 9, 1, 19, 4, 6, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	paymentData, err := os.ReadFile("testdata/gala-token.json")
	if err != nil {
		log.Fatal(err)
	}
	p, err := d.Decrypt(paymentData)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p)
	fmt.Println(p.SigningTime)
	// Output:
	// applepay.Payment{type=3DSecure last4=1169 exp=2024-09 amount=100 currency=840}
	// 2021-09-01 19:03:06 +0000 UTC
}
