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
func ExampleVerifySignature() {
	// The secret comes from the merchant's configuration (the edge's route
	// settings), never from code.
	secret := []byte("whsec_0123456789abcdef0123456789abcdef")

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := webhook.VerifySignature(r.Header.Get(webhook.Header), body, secret, webhook.DefaultTolerance, time.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "order accepted")
	})

	body := `{"order":"A-1001","card":{"token":"tok_4eC39HqLyjWDarjtT1zdp7"}}`
	for _, sig := range []string{
		webhook.SignRequest(secret, []byte(body), time.Now()), // what the edge sends
		webhook.SignRequest([]byte("someone else's secret"), []byte(body), time.Now()),
		webhook.SignRequest(secret, []byte(body), time.Now().Add(-time.Hour)), // a replayed capture
	} {
		req := httptest.NewRequest("POST", "/checkout", strings.NewReader(body))
		req.Header.Set(webhook.Header, sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 200 order accepted
	// 401 bad signature
	// 401 bad signature
}

func ExampleSignRequest() {
	h := webhook.SignRequest([]byte("whsec_test_secret_0123456789abcdef"), []byte(`{"amount":1000}`), time.Unix(1893456000, 0))
	fmt.Println(h[:13], len(h))
	// Output:
	// t=1893456000, 80
}
