package envelope_test

import (
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
)

func ExampleSeal() {
	// The edge's key set. In production it comes from
	// envelope.ReadKeySetFile, and browsers fetch its public part, the JWK
	// Set, from the edge's GET /v1/keys.
	keys, err := envelope.GenerateKeySet()
	if err != nil {
		log.Fatal(err)
	}
	jwks, err := json.Marshal(keys.Public())
	if err != nil {
		log.Fatal(err)
	}

	// In the browser: seal the card to the edge's primary key.
	pub, err := envelope.ParsePublicKeySet(jwks)
	if err != nil {
		log.Fatal(err)
	}
	c := card.Card{Number: "4242 4242 4242 4242", ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVC: "123"}
	env, err := envelope.Seal(pub, c, envelope.SealOptions{MerchantID: "m_demo", Origin: "https://shop.example"})
	if err != nil {
		log.Fatal(err)
	}

	// At the edge: open it, checking merchant and origin.
	opened, err := envelope.Open(keys, env, envelope.OpenOptions{MerchantID: "m_demo", Origin: "https://shop.example"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(env, "sp1."), strings.Count(env, ".")+1, "parts")
	fmt.Println(opened.Card) // String redacts the number and CVC
	fmt.Println(opened.Header.MerchantID, opened.Header.Audience, opened.Header.ExpiresAt.Sub(opened.Header.IssuedAt))
	// Output:
	// true 4 parts
	// card(visa ****4242)
	// m_demo https://shop.example 15m0s
}

func ExampleKeySet_Rotate() {
	// In production: envelope.ReadKeySetFile, and envelope.WriteKeySetFile
	// after every change.
	keys, err := envelope.GenerateKeySet()
	if err != nil {
		log.Fatal(err)
	}
	old := keys.Keys()[0].KeyID

	// Add a key and make it the primary; the old key still opens envelopes.
	kid, err := keys.Rotate()
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range keys.Keys() {
		fmt.Println(k.Status, k.KeyID == kid)
	}
	fmt.Println(keys.Public().KeyIDs()[0] == kid, len(keys.Public().KeyIDs()))

	// Once no envelope sealed to the old key can still be valid (1 h plus
	// 5 min of skew plus the JWK Set cache time), retire it.
	if err := keys.Retire(old); err != nil {
		log.Fatal(err)
	}
	for _, k := range keys.Keys() {
		fmt.Println(k.Status)
	}
	fmt.Println(len(keys.Public().KeyIDs()))
	// Output:
	// enabled false
	// primary true
	// true 2
	// retired
	// primary
	// 1
}
