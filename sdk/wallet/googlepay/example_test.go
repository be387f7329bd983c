package googlepay_test

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay/googlepaytest"
)

func ExampleRecipient_Open() {
	// In production the root keys come from Google's key file, configured
	// by the operator, and the merchant's key set from `sealpay wallet
	// keys new`. Here a stand-in for Google signs the token.
	google, _ := googlepaytest.New()
	now := time.Now()
	roots, _ := googlepay.ParseRootKeys(googlepay.Test, google.RootKeysJSON(now.Add(24*time.Hour)))
	keys := googlepay.NewKeySet()
	keys.Add("m_shop")

	// What the page gets from the Google Pay API
	// (paymentMethodData.tokenizationData.token).
	pub, _ := base64.StdEncoding.DecodeString(keys.PublicKey("m_shop"))
	msg := googlepaytest.Message(googlepaytest.Payment{PAN: "4111111111111111", ExpMonth: 12, ExpYear: 2030,
		AuthMethod: "CRYPTOGRAM_3DS", Cryptogram: "AgAAAAAABk4DWZ4C28yUQAAAAAA=", ECI: "05"}, "msg-1", now.Add(time.Hour))
	tok, _ := google.Seal(pub, "merchant:BCR2DN4TEXAMPLE", msg, now.Add(time.Hour))

	r, err := googlepay.NewRecipient(googlepay.Config{RootKeys: roots, MerchantID: "BCR2DN4TEXAMPLE", Keys: keys, KeyOwner: "m_shop"})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := r.Open([]byte(tok.JSON()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p) // never the number or the cryptogram
	// Output: wallet.Payment{google_pay CRYPTOGRAM_3DS …1111 12/2030 cryptogram:[redacted] eci:05}
}
