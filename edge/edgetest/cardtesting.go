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

// spoofer sends card-testing bursts with a forged client-address header.
type spoofer struct {
	fx       *Fixture
	tokenize func(header, number string) answer
}

func newSpoofer(t *testing.T, baseURL string, fx *Fixture) *spoofer {
	c := &client{base: strings.TrimSuffix(baseURL, "/"), hc: &http.Client{Timeout: 60 * time.Second}, fx: fx}
	keys := c.do(t, req{method: "GET", path: "/v1/keys"})
	kid, x, err := primaryX(keys.Body)
	if err != nil {
		t.Fatal(err)
	}
	s := &sealer{kid: kid, x: x, fx: fx}
	shop := fx.Shop
	return &spoofer{fx: fx, tokenize: func(header, number string) answer {
		env := s.seal(t, shop.ID, shop.Origin, s.card(number), nil)
		return c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, clientID: header,
			body: jsonBody(map[string]any{"envelope": env})})
	}}
}

// burst sends up to 40 attempts with random BIN-prefixed numbers and the
// header header(i), and fails unless one is refused within 12.
func (sp *spoofer) burst(t *testing.T, header func(i int) string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	first := 0
	for i := 1; i <= 40 && first == 0; i++ {
		number := "411111"
		for range 10 {
			number += string(rune('0' + rng.IntN(10)))
		}
		if a := sp.tokenize(header(i), number); a.Status == http.StatusTooManyRequests {
			first = i
		}
	}
	if first == 0 || first > 12 {
		t.Errorf("forged header: first refusal at attempt %d of 40, want within 12", first)
	}
}

// RunSpoofedCardTesting runs card-testing bursts whose client-address
// header ([ClientHeader], which the fixture's configuration trusts from
// loopback, as from a proxy) is forged the ways a card tester forges
// X-Forwarded-For behind a proxy that appends the address it saw: a new
// address per attempt to the left of the real one, a shopper's address to
// the left of it, non-IP strings, and a trusted proxy's own hop to its
// right (TestClientAddr covers the other shapes). Each burst must be refused within 12 of 40 attempts, counted
// under the real address, and the shopper whose address was forged must
// still get through.
func RunSpoofedCardTesting(t *testing.T, baseURL string, fx *Fixture) {
	sp := newSpoofer(t, baseURL, fx)
	for _, tc := range []struct {
		name   string
		header func(i int) string
	}{
		{"rotating address before the real one", func(i int) string { return fmt.Sprintf("198.18.%d.%d, 203.0.113.81", i/250, i%250+1) }},
		{"a shopper's address before the real one", func(i int) string { return "192.0.2.201, 203.0.113.82" }},
		{"non-IP strings", func(i int) string { return fmt.Sprintf("unknown-%d, 203.0.113.83", i) }},
		{"trusted proxy hop after the real one", func(i int) string { return fmt.Sprintf("198.18.1.%d, 203.0.113.85, 127.0.0.1", i%250+1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp.burst(t, tc.header)
			// The shopper whose address was forged is not the one counted.
			switch a := sp.tokenize("192.0.2.201", Cards()[1].Number); a.Status {
			case http.StatusCreated:
				fx.live.Add(1)
			default:
				t.Errorf("shopper 192.0.2.201 after the burst: tokenize = %d %s, want 201", a.Status, a.code())
			}
		})
	}
}

// RunUntrustedPeerCardTesting runs a card-testing burst that sends a new
// address in [ClientHeader] with every attempt, from a peer that is not a
// trusted proxy (the caller configures trusted_proxies without loopback):
// the header must be ignored, and the burst refused within 12 attempts.
func RunUntrustedPeerCardTesting(t *testing.T, baseURL string, fx *Fixture) {
	newSpoofer(t, baseURL, fx).burst(t, func(i int) string { return fmt.Sprintf("198.18.3.%d", i%250+1) })
}
