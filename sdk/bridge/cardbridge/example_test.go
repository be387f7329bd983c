package cardbridge_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/bridge/cardbridge"
)

// The hosted fields call checkCard on every keystroke and show the
// formatted value. The number is Stripe's public American Express test
// number (https://docs.stripe.com/testing).
func ExampleHandle() {
	resp, err := cardbridge.Handle(context.Background(), bridge.MethodCheckCard, []byte(`{"number":"378282246310005","cvc":"12"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	var r cardbridge.CheckCardResponse
	json.Unmarshal(resp, &r)
	fmt.Println(*r.Brand, r.Number.Value, r.Number.Complete)
	fmt.Println(r.CVC.Label, r.CVC.MaxLength, r.CVC.Complete, r.CVC.Error.Code)
	// Output:
	// amex 3782 822463 10005 true
	// CID 4 false invalid_cvc
}
