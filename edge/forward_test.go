package edge

import (
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/webhook"
)

// TestSignatureVector pins the forward signature documented in
// docs/edge-api.md ("Test vectors"), computed independently with
// printf '%s' '1800000000.{"card":"tok_0000000000000000000000"}' | openssl dgst -sha256 -hmac whsec_test
func TestSignatureVector(t *testing.T) {
	body := []byte(`{"card":"tok_0000000000000000000000"}`)
	got := webhook.SignRequest([]byte("whsec_test"), body, time.Unix(1800000000, 0))
	const want = "t=1800000000,v1=9f70404d9200f586bcb8d44f7cf598848c293222c303edea954e8cd614f8eede"
	if got != want {
		t.Errorf("SignRequest = %s, want %s", got, want)
	}
}
