package cardbridge

import (
	"encoding/json"
	"time"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// SealRequest is the request of [bridge.MethodSeal]:
//
//	{"keys":{"keys":[…JWK…]},"card":{"number":…,"exp_month":…},"merchant_id":"m_1","origin":"https://shop.example","ttl":600}
//
// Keys is the edge's public JWK Set (GET /v1/keys); the card is sealed to
// its first key. Card is the plaintext card JSON. TTL is in seconds; 0 means
// the envelope package's default.
type SealRequest struct {
	Keys       json.RawMessage `json:"keys"`
	Card       json.RawMessage `json:"card"`
	MerchantID string          `json:"merchant_id"`
	Origin     string          `json:"origin,omitempty"`
	TTL        int             `json:"ttl,omitempty"`
}

// SealResponse is the response of [bridge.MethodSeal]: {"envelope":"sp1.…"}.
type SealResponse struct {
	Envelope string `json:"envelope"`
}

// maxTTLSeconds bounds TTL before it becomes a time.Duration; the envelope
// package refuses more than an hour anyway.
const maxTTLSeconds = 24 * 3600

func (h handler) seal(req []byte) (*SealResponse, error) {
	r, err := decodeSealRequest(req)
	if err != nil {
		return nil, err
	}
	if len(r.Keys) == 0 || len(r.Card) == 0 {
		return nil, bridge.BadRequest("bridge: seal needs keys and card")
	}
	if r.TTL < 0 || r.TTL > maxTTLSeconds {
		return nil, bridge.BadRequest("bridge: seal: ttl out of range")
	}
	pub, err := sealer.ParsePublicKeySet(r.Keys)
	if err != nil {
		return nil, err
	}
	c, err := card.Parse(r.Card)
	if err != nil {
		return nil, err
	}
	// Refuse a card that cannot be right before it leaves the browser: the
	// shopper can still fix it, the edge would only refuse it later.
	if err := c.Validate(h.now()); err != nil {
		return nil, err
	}
	// sealer is envelope.Seal's implementation, without envelope's opening
	// half: the card module then links no crypto/hpke.
	env, err := sealer.Seal(pub, c, sealer.SealOptions{
		MerchantID: r.MerchantID,
		Origin:     r.Origin,
		TTL:        time.Duration(r.TTL) * time.Second,
		Now:        h.now(),
	})
	if err != nil {
		return nil, err
	}
	return &SealResponse{Envelope: env}, nil
}
