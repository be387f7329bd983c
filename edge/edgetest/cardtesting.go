package edgetest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
)

// CardTestingResult is what [RunCardTesting] measured.
type CardTestingResult struct {
	Attempts, Blocked     int // the attacker's attempts and how many were refused (429)
	FirstBlocked          int // the attempt number of the first refusal (1-based), 0 if none
	Shoppers, ShopperReqs int // normal shoppers and their requests
	FalsePositives        int // shopper requests refused with 429
}

// String formats the figures for the test log.
func (r CardTestingResult) String() string {
	return fmt.Sprintf("card testing: attacker %d attempts, %d blocked (first at #%d); shoppers %d with %d requests, %d false positives",
		r.Attempts, r.Blocked, r.FirstBlocked, r.Shoppers, r.ShopperReqs, r.FalsePositives)
}

// RunCardTesting interleaves a card-testing burst from one client (random
// BIN-prefixed numbers, most failing the Luhn check) with normal shoppers
// from other addresses, each tokenizing one card, some after one typo. It
// requires that the burst be refused and that no shopper be.
func RunCardTesting(t *testing.T, baseURL string, fx *Fixture, attempts, shoppers int) CardTestingResult {
	c := &client{base: strings.TrimSuffix(baseURL, "/"), hc: &http.Client{Timeout: 60 * time.Second}, fx: fx}
	keys := c.do(t, req{method: "GET", path: "/v1/keys"})
	kid, x, err := primaryX(keys.Body)
	if err != nil {
		t.Fatal(err)
	}
	s := &sealer{kid: kid, x: x, fx: fx}
	shop := fx.Shop
	rng := rand.New(rand.NewPCG(1, 2))
	tokenize := func(client, number string) answer {
		env := s.seal(t, shop.ID, shop.Origin, s.card(number), nil)
		return c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, clientID: client,
			body: jsonBody(map[string]any{"envelope": env})})
	}
	res := CardTestingResult{Attempts: attempts, Shoppers: shoppers}
	cards := Cards()
	shopper := 0
	for i := 1; i <= attempts; i++ {
		// The attacker: 411111 + 10 random digits; a tenth pass Luhn.
		number := "411111"
		for range 10 {
			number += string(rune('0' + rng.IntN(10)))
		}
		a := tokenize("203.0.113.66", number)
		if a.Status == http.StatusTooManyRequests {
			res.Blocked++
			if res.FirstBlocked == 0 {
				res.FirstBlocked = i
			}
			if a.code() != "rate_limited" || a.Header.Get("Retry-After") == "" {
				t.Errorf("refusal = %s with Retry-After %q, want rate_limited with Retry-After", a.code(), a.Header.Get("Retry-After"))
			}
		}
		// Every other attempt, a shopper checks out.
		if i%2 == 0 && shopper < shoppers {
			shopper++
			client := fmt.Sprintf("192.0.2.%d", shopper)
			if shopper%3 == 0 { // a typo first: the last digit off by one
				good := cards[shopper%len(cards)].Number
				typo := good[:len(good)-1] + string(rune('0'+(int(good[len(good)-1]-'0')+1)%10))
				res.ShopperReqs++
				if a := tokenize(client, typo); a.Status == http.StatusTooManyRequests {
					res.FalsePositives++
				}
			}
			res.ShopperReqs++
			a := tokenize(client, cards[shopper%len(cards)].Number)
			switch a.Status {
			case http.StatusCreated:
				fx.live.Add(1)
			case http.StatusTooManyRequests:
				res.FalsePositives++
			default:
				t.Errorf("shopper %d: tokenize = %d %s, want 201", shopper, a.Status, a.code())
			}
		}
	}
	if res.Blocked == 0 || res.FirstBlocked > 12 {
		t.Errorf("%v; want the burst refused within 12 attempts", res)
	}
	if res.FalsePositives != 0 {
		t.Errorf("%v; want no shopper refused", res)
	}
	t.Log(res)
	return res
}
