package webhook_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/webhook"
)

// A merchant's events endpoint: verify each delivery, process each event
// id once, answer 2xx only once it is processed (the edge retries
// anything else).
func ExampleEventHandler() {
	// The events secret comes from the merchant's configuration
	// (events.signing_secret of the edge), never from code.
	secret := []byte("whsec_evt_0123456789abcdef0123456789abcdef")
	// One process: in memory. Several: a Deduplicator on the database.
	dedup := webhook.NewMemoryDeduplicator(96*time.Hour, nil)
	handler := webhook.EventHandler(secret, dedup, func(ctx context.Context, e *webhook.Event) error {
		switch e.Type {
		case webhook.CardTestingBlocked:
			var d webhook.CardTestingData
			if err := e.Decode(&d); err != nil {
				return err
			}
			fmt.Println("card testing blocked:", d.Reason, "from", d.Client)
		case webhook.TokenDeleted:
			var d webhook.TokenDeletedData
			if err := e.Decode(&d); err != nil {
				return err
			}
			fmt.Println("token deleted:", d.Token)
		}
		return nil // other types: acknowledge and ignore
	})

	body := `{"id":"evt_ABCDEFGHIJKLMNOPQRSTUVWXYZ","type":"card_testing.blocked","created":1800000000,"merchant":"m_shop",` +
		`"data":{"reason":"client_cards","scope":"client","client":"203.0.113.66","key_id":"pk:sha256:0123456789ab","route":"POST /v1/tokens","retry_after":600}}`
	deliver := func() {
		sig, _ := webhook.SignEvent([][]byte{secret}, "/hooks/sealpay", []byte(body), time.Now()) // what the edge sends
		req := httptest.NewRequest("POST", "/hooks/sealpay", strings.NewReader(body))
		req.Header.Set(webhook.Header, sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	deliver()
	deliver() // a redelivery: acknowledged, not processed again
	// Output:
	// card testing blocked: client_cards from 203.0.113.66
	// 200
	// 200
}
