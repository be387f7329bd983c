package samplepsp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/sealpay/sealpay/examples/storefront/samplepsp"
)

// The stand-in provider answers like a provider's test mode. In the demo,
// the request comes through the edge's relay, which put the card number in.
func Example() {
	psp := samplepsp.New(samplepsp.Options{APIKey: "psp_test_example"})
	for _, number := range []string{"4242424242424242", "4000000000000002", "4242424242424241"} {
		body := `{"amount":3800,"currency":"USD","reference":"ord_1","card":{"number":"` + number + `","exp_month":12,"exp_year":2099,"cvc":"123"}}`
		r := httptest.NewRequest(http.MethodPost, "/v1/charges", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer psp_test_example")
		w := httptest.NewRecorder()
		psp.ServeHTTP(w, r)
		var ans samplepsp.ChargeResponse
		json.Unmarshal(w.Body.Bytes(), &ans)
		fmt.Println(w.Code, ans.Status, ans.DeclineCode, ans.Last4)
	}
	fmt.Println(len(psp.Charges()), "charges recorded")
	// Output:
	// 200 approved  4242
	// 402 declined card_declined 0002
	// 402 declined invalid_number 4241
	// 3 charges recorded
}
