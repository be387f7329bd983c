package risk_test

import (
	"fmt"
	mrand "math/rand/v2"
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/risk"
)

// event is one card attempt in a simulation.
type event struct {
	at      time.Duration
	client  string
	attack  bool
	card    string // "" for a failure before fingerprinting (a typo)
	failed  bool
	shopper int
}

type tally struct{ attempts, failing, refused, slowed int }

func (t tally) String() string {
	return fmt.Sprintf("%d attempts (%.0f%% failing), %d refused (%.1f%%), %d slowed (%.1f%%)",
		t.attempts, pct(t.failing, t.attempts), t.refused, pct(t.refused, t.attempts), t.slowed, pct(t.slowed, t.attempts))
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// shoppers makes n normal checkouts spread over two minutes: each shopper
// makes 1 to 3 attempts 5 to 20 seconds apart, and the last one succeeds.
// An earlier attempt is a typo (half of them: it fails before there is a
// card), a decline of a card the shopper then replaces (a fifth), or a
// success followed by a second purchase with the same card.
func shoppers(rng *mrand.Rand, n int) []event {
	var evs []event
	for s := range n {
		var client string
		if s%5 == 0 {
			client = risk.ClientID(netip.MustParseAddr(fmt.Sprintf("2001:db8:%x:1::%x", s, rng.IntN(1<<16))))
		} else {
			client = risk.ClientID(netip.AddrFrom4([4]byte{198, 51, byte(100 + s/200), byte(s % 200)}))
		}
		at := time.Duration(rng.IntN(110)) * time.Second
		tries := 1 + rng.IntN(3)
		card := 0
		for j := range tries {
			e := event{at: at, client: client, shopper: s, card: fmt.Sprintf("fp_shopper_%d_%d", s, card)}
			if j < tries-1 {
				switch r := rng.IntN(10); {
				case r < 5:
					e.failed, e.card = true, "" // a typo: the number never became a card
				case r < 7:
					e.failed = true // declined: the next attempt uses another card
					card++
				}
			}
			evs = append(evs, e)
			at += time.Duration(5+rng.IntN(16)) * time.Second
		}
	}
	return evs
}

// simulate runs events in time order against one limiter on SQLite and
// tallies what happened to attackers and to shoppers.
func simulate(t *testing.T, evs []event) (attack, shop tally, shoppersHit map[int]bool) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
	store, _ := openStore(t)
	clk := newClock()
	start := clk.Now()
	l := risk.NewLimiter(store, risk.DefaultPolicy(), clk.Now)
	shoppersHit = map[int]bool{}
	for _, e := range evs {
		clk.Set(start.Add(e.at))
		d, err := l.Check(ctx, "pk_live_shop", e.client)
		if err != nil {
			t.Fatal(err)
		}
		tl := &shop
		if e.attack {
			tl = &attack
		}
		tl.attempts++
		if e.failed {
			tl.failing++
		}
		switch {
		case !d.Allow:
			tl.refused++
			if !e.attack {
				shoppersHit[e.shopper] = true
			}
			continue // refused before the card is looked at
		case d.Delay > 0:
			tl.slowed++
			if !e.attack {
				shoppersHit[e.shopper] = true
			}
		}
		if err := l.Record(ctx, "pk_live_shop", e.client, risk.Attempt{Card: e.card, Failed: e.failed}); err != nil {
			t.Fatal(err)
		}
	}
	return attack, shop, shoppersHit
}

// TestSimulationCardTestingBurst: one client tries 200 distinct cards in two
// minutes, 85% of them failing, among 50 ordinary shoppers of the same
// merchant. The burst is refused almost entirely; no shopper is slowed or
// refused.
func TestSimulationCardTestingBurst(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(4242, 2030))
	evs := shoppers(rng, 50)
	for i := range 200 {
		evs = append(evs, event{
			at:     time.Duration(i) * 600 * time.Millisecond,
			client: risk.ClientID(netip.MustParseAddr("203.0.113.66")),
			attack: true,
			card:   fmt.Sprint("fp_stolen_", i),
			failed: rng.IntN(100) < 85,
		})
	}
	attack, shop, hit := simulate(t, evs)
	t.Logf("card-testing burst (1 client): %v", attack)
	t.Logf("shoppers (50 clients): %v; false positives: %d shoppers of 50", shop, len(hit))
	if attack.refused < 190 {
		t.Errorf("burst: %d of 200 attempts refused, want at least 190", attack.refused)
	}
	if attack.attempts-attack.refused-attack.slowed > 4 {
		t.Errorf("burst: %d attempts served at full speed, want at most 4", attack.attempts-attack.refused-attack.slowed)
	}
	if shop.refused != 0 || shop.slowed != 0 || len(hit) != 0 {
		t.Errorf("shoppers: %v, %d shoppers affected; want none refused or slowed", shop, len(hit))
	}
	if shop.attempts < 75 {
		t.Errorf("only %d shopper attempts: the simulation is too small to mean anything", shop.attempts)
	}
}

// TestSimulationDistributedCardTesting: 200 attempts from 200 addresses,
// one card each, on one key, 85% failing. No client limit can see it; the
// key's failure limit slows the whole key, shoppers included, and refuses
// nobody. The test pins the trade-off so that a change to it is deliberate.
func TestSimulationDistributedCardTesting(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(77, 2030))
	evs := shoppers(rng, 50)
	for i := range 200 {
		evs = append(evs, event{
			at:     time.Duration(i) * 600 * time.Millisecond,
			client: risk.ClientID(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})),
			attack: true,
			card:   fmt.Sprint("fp_stolen_", i),
			failed: rng.IntN(100) < 85,
		})
	}
	attack, shop, hit := simulate(t, evs)
	t.Logf("distributed card testing (200 clients): %v", attack)
	t.Logf("shoppers (50 clients): %v; %d shoppers of 50 slowed", shop, len(hit))
	if attack.slowed < 100 {
		t.Errorf("distributed attack: %d of 200 attempts slowed, want at least 100", attack.slowed)
	}
	if shop.refused != 0 || attack.refused != 0 {
		t.Errorf("refusals: %d shopper, %d attacker attempts; want none: a key is never refused below KeyFailures.Block", shop.refused, attack.refused)
	}
}
