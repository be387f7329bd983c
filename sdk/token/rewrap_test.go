package token_test

import (
	"errors"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/token"
)

// TestRewrapUnderConcurrentReads rotates the KEK the documented way while
// readers in processes at different rollout steps keep revealing cards, and
// a writer keeps tokenizing.
func TestRewrapUnderConcurrentReads(t *testing.T) {
	clk := newClock()
	db, _ := openDB(t)
	oldKEK, newKEK := localKEK(t, "kek-2029"), localKEK(t, "kek-2030")
	vault := func(set *token.KEKSet) *token.Vault {
		v, err := token.NewSQLVault(db, set, token.Options{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := vault(kekSet(t, oldKEK))
	rng := mrand.New(mrand.NewPCG(7, 7))
	type entry struct{ tok, number, cvc string }
	var mu sync.Mutex
	var entries []entry
	add := func(v *token.Vault) {
		c := card.Card{Number: luhnCard(rng), ExpMonth: 1 + rng.IntN(12), ExpYear: 2031, CVC: "4321"}
		s, err := v.Tokenize(ctx, "m", c, "visa", token.TokenizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		entries = append(entries, entry{s.Token, c.Number, c.CVC})
		mu.Unlock()
	}
	for range 120 {
		add(before)
	}

	step1 := vault(kekSet(t, oldKEK, newKEK)) // knows the new KEK, still seals with the old
	step2 := vault(kekSet(t, newKEK, oldKEK)) // seals with the new KEK, rewraps
	var reads, failures atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, v := range []*token.Vault{step1, step2, step1, step2} {
		wg.Go(func() {
			r := mrand.New(mrand.NewPCG(uint64(i), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				e := entries[r.IntN(len(entries))]
				mu.Unlock()
				c, err := v.Reveal(ctx, "m", e.tok, token.FieldNumber, token.FieldExpMonth)
				reads.Add(1)
				time.Sleep(100 * time.Microsecond) // leave the writers some of the 2 cores
				if err != nil || c.Number != e.number {
					failures.Add(1)
					t.Errorf("Reveal during rewrap: number match %v, %v", c.Number == e.number, err)
					return
				}
			}
		})
	}
	// Writers in both rollout steps keep adding rows, under both KEKs.
	for range 10 {
		add(step1)
		add(step2)
	}
	rounds, moved := 0, 0
	for {
		n, err := step2.Rewrap(ctx, 16)
		if err != nil {
			t.Fatalf("Rewrap: %v", err)
		}
		if n == 0 {
			break
		}
		moved += n
		rounds++
		// Let reads interleave with every round, however the scheduler runs.
		for r, end := reads.Load(), time.Now().Add(2*time.Second); reads.Load() < r+4 && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
		if rounds == 3 {
			add(step1) // a late write under the old KEK is picked up by a later round
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("rewrap: %d rows in %d rounds of 16, %d concurrent reads, %d failed", moved, rounds, reads.Load(), failures.Load())
	var old int
	db.QueryRow(`SELECT (SELECT count(*) FROM vault_tokens WHERE kek_id <> ?) + (SELECT count(*) FROM vault_cvcs WHERE kek_id <> ?)`, newKEK.ID(), newKEK.ID()).Scan(&old)
	if old != 0 {
		t.Errorf("%d rows still under the old KEK after Rewrap returned 0, want 0", old)
	}

	// Step 4: the old KEK is gone, every card and CVC still opens.
	after := vault(kekSet(t, newKEK))
	for _, e := range entries {
		c, err := after.Reveal(ctx, "m", e.tok, token.FieldNumber, token.FieldCVC)
		if err != nil || c.Number != e.number || c.CVC != e.cvc {
			t.Fatalf("Reveal with only the new KEK: number match %v, CVC match %v, %v", c.Number == e.number, c.CVC == e.cvc, err)
		}
	}
	// And a process that only has the old KEK cannot read anything any more.
	if _, err := vault(kekSet(t, oldKEK)).Reveal(ctx, "m", entries[0].tok, token.FieldNumber); errcode.Of(err) != errcode.Internal || errors.Is(err, token.ErrNotFound) {
		t.Errorf("Reveal with only the retired KEK: %v, want an internal error", err)
	}
}

func TestRewrapNothingToDo(t *testing.T) {
	v, _, _ := newVault(t, newClock())
	if n, err := v.Rewrap(ctx, 10); n != 0 || err != nil {
		t.Errorf("Rewrap on an empty vault = %d, %v; want 0, nil", n, err)
	}
}

func TestRewrapStopsOnTamperedRow(t *testing.T) {
	clk := newClock()
	db, _ := openDB(t)
	k1, k2 := localKEK(t, "k1"), localKEK(t, "k2")
	v1, _ := token.NewSQLVault(db, kekSet(t, k1), token.Options{Now: clk.Now})
	c := loadCards(t)[0]
	s, err := v1.Tokenize(ctx, "m", c.Card, c.Brand, token.TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	flipSealedByte(t, db, s.Token, 30)
	v2, _ := token.NewSQLVault(db, kekSet(t, k2, k1), token.Options{Now: clk.Now})
	if _, err := v2.Rewrap(ctx, 10); errcode.Of(err) != errcode.Internal {
		t.Errorf("Rewrap over a tampered row: %v, want an internal error", err)
	}
}
