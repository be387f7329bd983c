package webhook_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/webhook"
)

// A merchant's handler for requests forwarded by the Sealpay edge.
func ExampleVerifyRequest() {
	// The secret comes from the merchant's configuration (the edge's route
	// settings), never from code.
	secret := []byte("whsec_0123456789abcdef0123456789abcdef")

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		v, err := webhook.VerifyRequest(r, body, secret, webhook.DefaultTolerance, time.Now())
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Charge only a token the edge minted for this request; anything
		// else in the body is whatever the page sent.
		if !v.Vouches("tok_4eC39HqLyjWDarjtT1zdp7") {
			http.Error(w, "token not minted by the edge", http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, "order accepted")
	})

	body := `{"order":"A-1001","card":{"token":"tok_4eC39HqLyjWDarjtT1zdp7"}}`
	send := func(path, tokens string, s []byte, at time.Time) {
		m := webhook.Message{Method: "POST", Route: "checkout", Path: "/checkout", Tokens: tokens, Body: []byte(body)}
		sig, _ := webhook.SignForward([][]byte{s}, m, at) // what the edge sends
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set(webhook.Header, sig)
		req.Header.Set(webhook.RouteHeader, "checkout")
		req.Header.Set(webhook.TokensHeader, tokens)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	send("/checkout", "tok_4eC39HqLyjWDarjtT1zdp7", secret, time.Now())
	send("/checkout", "", secret, time.Now())                                                    // the page typed the token
	send("/refund", "tok_4eC39HqLyjWDarjtT1zdp7", secret, time.Now())                            // replayed to another path
	send("/checkout", "tok_4eC39HqLyjWDarjtT1zdp7", []byte("someone else's secret"), time.Now()) // forged
	send("/checkout", "tok_4eC39HqLyjWDarjtT1zdp7", secret, time.Now().Add(-time.Hour))          // a replayed capture
	// Output:
	// 200 order accepted
	// 400 token not minted by the edge
	// 401 bad signature
	// 401 bad signature
	// 401 bad signature
}

func ExampleSignForward() {
	m := webhook.Message{Method: "POST", Route: "checkout", Path: "/pay", Body: []byte(`{"amount":1000}`)}
	h, _ := webhook.SignForward([][]byte{[]byte("whsec_test_secret_0123456789abcdef")}, m, time.Unix(1893456000, 0))
	fmt.Println(h[:13], len(h))
	// Output:
	// t=1893456000, 148
}
