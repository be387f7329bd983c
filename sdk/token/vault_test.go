package token_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/token"
	"github.com/sealpay/sealpay/sdk/token/tokentest"
)

var ctx = context.Background()

func TestTokenizeGetRevealDelete(t *testing.T) {
	clk := newClock()
	v, db, _ := newVault(t, clk)
	for _, tc := range loadCards(t) {
		t.Run(tc.Brand+"/"+tc.Number[len(tc.Number)-4:], func(t *testing.T) {
			s, err := v.Tokenize(ctx, "m_shop", tc.Card, tc.Brand, token.TokenizeOptions{})
			if err != nil {
				t.Fatalf("Tokenize: %v", err)
			}
			if !token.ValidTokenID(s.Token) {
				t.Errorf("Tokenize gave token of length %d, not a valid token id", len(s.Token))
			}
			if strings.Contains(s.Token, tc.Number[len(tc.Number)-4:]) && strings.Contains(s.Token, tc.Number[:6]) {
				t.Error("token contains the card's first six and last four digits")
			}
			want := token.Stored{
				Token: s.Token, MerchantID: "m_shop", Brand: tc.Brand, Last4: tc.Number[len(tc.Number)-4:],
				ExpMonth: tc.ExpMonth, ExpYear: tc.ExpYear, Fingerprint: s.Fingerprint, Created: clk.Now(),
			}
			if s != want {
				t.Errorf("Tokenize = %s, want %s", storedString(s), storedString(want))
			}
			if !strings.HasPrefix(s.Fingerprint, "fp_") || len(s.Fingerprint) != 3+43 {
				t.Errorf("Fingerprint has shape %q…/%d, want fp_ and 43 base64url characters", s.Fingerprint[:3], len(s.Fingerprint))
			}
			got, err := v.Get(ctx, "m_shop", s.Token)
			if err != nil || got != s {
				t.Errorf("Get = %s, %v, want %s, nil", storedString(got), err, storedString(s))
			}

			c, err := v.Reveal(ctx, "m_shop", s.Token, token.FieldNumber, token.FieldExpMonth, token.FieldExpYear, token.FieldName)
			if err != nil {
				t.Fatalf("Reveal: %v", err)
			}
			wantCard := tc.Card
			wantCard.CVC = ""
			if c != wantCard {
				t.Errorf("Reveal(number, exp, name) gave a different card (number match %v, name match %v)", c.Number == tc.Number, c.Name == tc.Name)
			}
			c, err = v.Reveal(ctx, "m_shop", s.Token, token.FieldCVC)
			if err != nil || c.CVC != tc.CVC || c.Number != "" || c.ExpMonth != 0 {
				t.Errorf("Reveal(cvc) = CVC match %v, number set %v, exp %d, %v; want only the CVC", c.CVC == tc.CVC, c.Number != "", c.ExpMonth, err)
			}
			c, err = v.Reveal(ctx, "m_shop", s.Token, token.FieldCVC)
			if err != nil || c.CVC != "" {
				t.Errorf("second Reveal(cvc) = CVC set %v, %v; want no CVC: it is deleted after first use", c.CVC != "", err)
			}
			// The reusable token outlives its CVC.
			if c, err := v.Reveal(ctx, "m_shop", s.Token); err != nil || c.Number != tc.Number {
				t.Errorf("Reveal() after the CVC was used: number match %v, %v", c.Number == tc.Number, err)
			}

			if err := v.Delete(ctx, "m_shop", s.Token); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := v.Get(ctx, "m_shop", s.Token); !errors.Is(err, token.ErrNotFound) {
				t.Errorf("Get after Delete: %v, want ErrNotFound", err)
			}
			if _, err := v.Reveal(ctx, "m_shop", s.Token); !errors.Is(err, token.ErrNotFound) {
				t.Errorf("Reveal after Delete: %v, want ErrNotFound", err)
			}
			if err := v.Delete(ctx, "m_shop", s.Token); !errors.Is(err, token.ErrNotFound) {
				t.Errorf("second Delete: %v, want ErrNotFound", err)
			}
		})
	}
	if n := count(t, db, "vault_tokens") + count(t, db, "vault_cvcs"); n != 0 {
		t.Errorf("%d rows left after deleting every token, want 0", n)
	}
}

func TestNumberNormalised(t *testing.T) {
	v, _, _ := newVault(t, newClock())
	a, err := v.Tokenize(ctx, "m", card.Card{Number: "4242 4242-4242\u00a04242", ExpMonth: 1, ExpYear: 2031}, "visa", token.TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Tokenize(ctx, "m", card.Card{Number: "4242424242424242", ExpMonth: 2, ExpYear: 2032}, "visa", token.TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Fingerprint != b.Fingerprint {
		t.Error("the same number with separators has a different fingerprint")
	}
	c, err := v.Reveal(ctx, "m", a.Token, token.FieldNumber)
	if err != nil || c.Number != "4242424242424242" {
		t.Errorf("Reveal gave a number of %d characters, %v; want the 16 digits without separators", len(c.Number), err)
	}
}

func TestMerchantScoping(t *testing.T) {
	v, db, _ := newVault(t, newClock())
	cards := loadCards(t)
	mine, err := v.Tokenize(ctx, "m_alice", cards[0].Card, cards[0].Brand, token.TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	missing := token.NewTokenID()
	for _, tc := range []struct{ name, merchant, tok string }{
		{"other merchant's token", "m_bob", mine.Token},
		{"merchant id prefix", "m_alic", mine.Token},
		{"missing token", "m_alice", missing},
		{"malformed token", "m_alice", mine.Token[:len(mine.Token)-1]},
		{"empty merchant", "", mine.Token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, gerr := v.Get(ctx, tc.merchant, tc.tok)
			_, rerr := v.Reveal(ctx, tc.merchant, tc.tok)
			derr := v.Delete(ctx, tc.merchant, tc.tok)
			_, _, ferr := v.Fill(ctx, tc.merchant, []byte(`{"n":"{{`+tc.tok+`:number}}"}`))
			for name, err := range map[string]error{"Get": gerr, "Reveal": rerr, "Delete": derr, "Fill": ferr} {
				if tc.name == "malformed token" && name == "Fill" {
					if !errors.Is(err, token.ErrBadTemplate) {
						t.Errorf("Fill: %v, want ErrBadTemplate", err)
					}
					continue
				}
				// The very same error value: nothing tells "not yours" from "not there".
				if err != token.ErrNotFound {
					t.Errorf("%s: %v, want exactly ErrNotFound", name, err)
				}
			}
		})
	}
	if _, err := v.Get(ctx, "m_alice", mine.Token); err != nil {
		t.Errorf("the owner's Get after the others' attempts: %v", err)
	}
	if c, err := v.Reveal(ctx, "m_alice", mine.Token, token.FieldCVC); err != nil || c.CVC != cards[0].CVC {
		t.Errorf("the owner's CVC after another merchant's Reveal: match %v, %v; want it untouched", c.CVC == cards[0].CVC, err)
	}
	if n := count(t, db, "vault_tokens"); n != 1 {
		t.Errorf("%d token rows, want 1", n)
	}
}

func TestReplayedJTI(t *testing.T) {
	clk := newClock()
	v, db, _ := newVault(t, clk)
	cards := loadCards(t)
	opts := token.TokenizeOptions{JTI: "Zm9vYmFyYmF6cXV4MTIzNA", JTIExpires: clk.Now().Add(time.Hour)}
	if _, err := v.Tokenize(ctx, "m", cards[0].Card, "visa", opts); err != nil {
		t.Fatal(err)
	}
	before := [3]int{count(t, db, "vault_tokens"), count(t, db, "vault_cvcs"), count(t, db, "vault_jtis")}
	for _, tc := range []struct {
		name     string
		merchant string
		c        card.Card
	}{
		{"same envelope again", "m", cards[0].Card},
		{"another card, same jti", "m", cards[2].Card},
		{"another merchant, same jti", "m_other", cards[0].Card},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Tokenize(ctx, tc.merchant, tc.c, "visa", opts)
			if !errors.Is(err, token.ErrReplayed) || errcode.Of(err) != errcode.Replayed {
				t.Fatalf("Tokenize = %v (code %q), want ErrReplayed (replayed)", err, errcode.Of(err))
			}
			after := [3]int{count(t, db, "vault_tokens"), count(t, db, "vault_cvcs"), count(t, db, "vault_jtis")}
			if after != before {
				t.Errorf("rows (tokens, cvcs, jtis) = %v after the replay, want %v: nothing stored", after, before)
			}
		})
	}
	// Concurrent replays: exactly one of many simultaneous uses wins.
	opts.JTI = "Y29uY3VycmVudGp0aTEyMw"
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, replayed := 0, 0
	for range 8 {
		wg.Go(func() {
			_, err := v.Tokenize(ctx, "m", cards[1].Card, "visa", opts)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, token.ErrReplayed):
				replayed++
			default:
				t.Errorf("concurrent Tokenize: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || replayed != 7 {
		t.Errorf("8 concurrent Tokenize with one jti: %d succeeded, %d replayed; want 1 and 7", ok, replayed)
	}
}

func TestCVCTTL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wait    time.Duration
		wantCVC bool
	}{
		{"fresh", 0, true},
		{"just before the TTL", token.DefaultCVCTTL - time.Second, true},
		{"at the TTL", token.DefaultCVCTTL, false},
		{"an hour later", time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			v, db, _ := newVault(t, clk)
			c := loadCards(t)[0]
			s, err := v.Tokenize(ctx, "m", c.Card, c.Brand, token.TokenizeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			clk.Add(tc.wait)
			got, err := v.Reveal(ctx, "m", s.Token)
			if err != nil {
				t.Fatalf("Reveal: %v", err)
			}
			if (got.CVC != "") != tc.wantCVC || tc.wantCVC && got.CVC != c.CVC {
				t.Errorf("Reveal after %v: CVC held %v, want %v", tc.wait, got.CVC != "", tc.wantCVC)
			}
			if got.Number != c.Number {
				t.Error("Reveal gave a different number")
			}
			if n := count(t, db, "vault_cvcs"); n != 0 {
				t.Errorf("%d CVC rows after Reveal, want 0: a CVC is never kept after its first use", n)
			}
		})
	}
}

func TestSingleUse(t *testing.T) {
	c := loadCards(t)[2]
	t.Run("dies after first reveal", func(t *testing.T) {
		v, db, _ := newVault(t, newClock())
		s, err := v.Tokenize(ctx, "m", c.Card, c.Brand, token.TokenizeOptions{SingleUse: true})
		if err != nil {
			t.Fatal(err)
		}
		if !s.SingleUse || s.Expires != s.Created.Add(token.DefaultSingleUseTTL) {
			t.Errorf("Stored = SingleUse %v, Expires %v; want true, Created+15m", s.SingleUse, s.Expires)
		}
		// A reveal without the CVC still kills the token and its CVC.
		got, err := v.Reveal(ctx, "m", s.Token, token.FieldNumber)
		if err != nil || got.Number != c.Number {
			t.Fatalf("first Reveal: number match %v, %v", got.Number == c.Number, err)
		}
		if _, err := v.Reveal(ctx, "m", s.Token, token.FieldNumber); !errors.Is(err, token.ErrNotFound) {
			t.Errorf("second Reveal: %v, want ErrNotFound", err)
		}
		if _, err := v.Get(ctx, "m", s.Token); !errors.Is(err, token.ErrNotFound) {
			t.Errorf("Get after reveal: %v, want ErrNotFound", err)
		}
		if n := count(t, db, "vault_tokens") + count(t, db, "vault_cvcs"); n != 0 {
			t.Errorf("%d rows left, want 0", n)
		}
	})
	t.Run("dies after 15 minutes", func(t *testing.T) {
		clk := newClock()
		v, _, _ := newVault(t, clk)
		s, err := v.Tokenize(ctx, "m", c.Card, c.Brand, token.TokenizeOptions{SingleUse: true})
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(token.DefaultSingleUseTTL - time.Second)
		if _, err := v.Get(ctx, "m", s.Token); err != nil {
			t.Errorf("Get at 14:59: %v, want the token", err)
		}
		clk.Add(time.Second)
		if _, err := v.Get(ctx, "m", s.Token); !errors.Is(err, token.ErrNotFound) {
			t.Errorf("Get at 15:00: %v, want ErrNotFound", err)
		}
		if _, err := v.Reveal(ctx, "m", s.Token); !errors.Is(err, token.ErrNotFound) {
			t.Errorf("Reveal at 15:00: %v, want ErrNotFound", err)
		}
		if err := v.Delete(ctx, "m", s.Token); !errors.Is(err, token.ErrNotFound) {
			t.Errorf("Delete at 15:00: %v, want ErrNotFound", err)
		}
	})
	t.Run("concurrent reveals", func(t *testing.T) {
		v, _, _ := newVault(t, newClock())
		s, err := v.Tokenize(ctx, "m", c.Card, c.Brand, token.TokenizeOptions{SingleUse: true})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, cvcs := 0, 0
		for range 8 {
			wg.Go(func() {
				got, err := v.Reveal(ctx, "m", s.Token)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
					if got.CVC == c.CVC {
						cvcs++
					}
				case !errors.Is(err, token.ErrNotFound):
					t.Errorf("Reveal: %v", err)
				}
			})
		}
		wg.Wait()
		if won != 1 || cvcs != 1 {
			t.Errorf("8 concurrent reveals of a single-use token: %d got it, %d got the CVC; want 1 and 1", won, cvcs)
		}
	})
}

func TestPurge(t *testing.T) {
	clk := newClock()
	v, db, _ := newVault(t, clk)
	cards := loadCards(t)
	reusable, _ := v.Tokenize(ctx, "m", cards[0].Card, "visa", token.TokenizeOptions{JTI: "jti-1", JTIExpires: clk.Now().Add(5 * time.Minute)})
	if _, err := v.Tokenize(ctx, "m", cards[1].Card, "visa", token.TokenizeOptions{SingleUse: true}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Duration
		want int // rows and keys Purge deletes at this time
	}{
		{time.Minute, 0},
		{5 * time.Minute, 1},      // the jti
		{10 * time.Minute, 2},     // both CVCs
		{15 * time.Minute, 2},     // the single-use token, and the CVC key (window 5m + CVC TTL 10m)
		{365 * 24 * time.Hour, 0}, // reusable tokens stay
	} {
		n, err := v.Purge(ctx, clk.Now().Add(tc.at))
		if err != nil || n != tc.want {
			t.Errorf("Purge(+%v) = %d, %v; want %d", tc.at, n, err, tc.want)
		}
	}
	if _, err := v.Get(ctx, "m", reusable.Token); err != nil {
		t.Errorf("reusable token after Purge: %v", err)
	}
	if n := count(t, db, "vault_tokens"); n != 1 {
		t.Errorf("%d tokens after Purge, want 1", n)
	}
}

func TestTokenizeBadInput(t *testing.T) {
	clk := newClock()
	v, db, _ := newVault(t, clk)
	good := loadCards(t)[0].Card
	with := func(f func(*card.Card)) card.Card { c := good; f(&c); return c }
	for _, tc := range []struct {
		name     string
		merchant string
		c        card.Card
		brand    string
		opts     token.TokenizeOptions
		want     errcode.Code
	}{
		{"letters in number", "m", with(func(c *card.Card) { c.Number = "4242424242424a42" }), "visa", token.TokenizeOptions{}, errcode.InvalidCardNumber},
		{"zero-width space in number", "m", with(func(c *card.Card) { c.Number = "4242\u200b424242424242" }), "visa", token.TokenizeOptions{}, errcode.InvalidCardNumber},
		{"arabic-indic digits", "m", with(func(c *card.Card) { c.Number = "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢" }), "visa", token.TokenizeOptions{}, errcode.InvalidCardNumber},
		{"fullwidth digits", "m", with(func(c *card.Card) { c.Number = "４２４２４２４２４２４２４２４２" }), "visa", token.TokenizeOptions{}, errcode.InvalidCardNumber},
		{"too short", "m", with(func(c *card.Card) { c.Number = "42424242424" }), "visa", token.TokenizeOptions{}, errcode.InvalidCardNumber},
		{"too long", "m", with(func(c *card.Card) { c.Number = "42424242424242424242" }), "visa", token.TokenizeOptions{}, errcode.InvalidCardNumber},
		{"empty number", "m", with(func(c *card.Card) { c.Number = "" }), "visa", token.TokenizeOptions{}, errcode.InvalidCardNumber},
		{"month 00", "m", with(func(c *card.Card) { c.ExpMonth = 0 }), "visa", token.TokenizeOptions{}, errcode.InvalidExpiry},
		{"month 13", "m", with(func(c *card.Card) { c.ExpMonth = 13 }), "visa", token.TokenizeOptions{}, errcode.InvalidExpiry},
		{"two-digit year", "m", with(func(c *card.Card) { c.ExpYear = 30 }), "visa", token.TokenizeOptions{}, errcode.InvalidExpiry},
		{"CVC with letters", "m", with(func(c *card.Card) { c.CVC = "12a" }), "visa", token.TokenizeOptions{}, errcode.InvalidCVC},
		{"CVC too long", "m", with(func(c *card.Card) { c.CVC = "12345" }), "visa", token.TokenizeOptions{}, errcode.InvalidCVC},
		{"name with a newline", "m", with(func(c *card.Card) { c.Name = "A\nB" }), "visa", token.TokenizeOptions{}, errcode.BadRequest},
		{"name not UTF-8", "m", with(func(c *card.Card) { c.Name = "A\xffB" }), "visa", token.TokenizeOptions{}, errcode.BadRequest},
		{"name too long", "m", with(func(c *card.Card) { c.Name = strings.Repeat("x", 257) }), "visa", token.TokenizeOptions{}, errcode.BadRequest},
		{"empty merchant", "", good, "visa", token.TokenizeOptions{}, errcode.BadRequest},
		{"merchant with a space", "m 1", good, "visa", token.TokenizeOptions{}, errcode.BadRequest},
		{"empty brand", "m", good, "", token.TokenizeOptions{}, errcode.BadRequest},
		{"brand in capitals", "m", good, "VISA", token.TokenizeOptions{}, errcode.BadRequest},
		{"jti without expiry", "m", good, "visa", token.TokenizeOptions{JTI: "abc"}, errcode.BadRequest},
		{"expired jti", "m", good, "visa", token.TokenizeOptions{JTI: "abc", JTIExpires: clk.Now()}, errcode.BadRequest},
		{"jti with a space", "m", good, "visa", token.TokenizeOptions{JTI: "a b", JTIExpires: clk.Now().Add(time.Hour)}, errcode.BadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Tokenize(ctx, tc.merchant, tc.c, tc.brand, tc.opts)
			if got := errcode.Of(err); got != tc.want {
				t.Errorf("Tokenize: code %q (%v), want %q", got, err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), "4242") || strings.Contains(err.Error(), good.CVC)) {
				t.Error("the error message contains card data")
			}
		})
	}
	if n := count(t, db, "vault_tokens") + count(t, db, "vault_cvcs") + count(t, db, "vault_jtis"); n != 0 {
		t.Errorf("%d rows stored by refused input, want 0", n)
	}
}

func TestRevealUnknownField(t *testing.T) {
	v, _, _ := newVault(t, newClock())
	c := loadCards(t)[0]
	s, err := v.Tokenize(ctx, "m", c.Card, c.Brand, token.TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Reveal(ctx, "m", s.Token, token.FieldNumber, "pin"); !errors.Is(err, token.ErrBadTemplate) {
		t.Errorf("Reveal(number, pin): %v, want ErrBadTemplate", err)
	}
	if got, err := v.Reveal(ctx, "m", s.Token, token.FieldCVC); err != nil || got.CVC != c.CVC {
		t.Errorf("CVC after a refused Reveal: match %v, %v; want it untouched", got.CVC == c.CVC, err)
	}
}

func TestFingerprint(t *testing.T) {
	db, _ := openDB(t)
	clk := newClock()
	k1, k2 := localKEK(t, "kek-1"), localKEK(t, "kek-2")
	v1, _ := token.NewSQLVault(db, kekSet(t, k1), token.Options{Now: clk.Now})
	cards := loadCards(t)
	fp := func(v *token.Vault, merchant string, c card.Card) string {
		t.Helper()
		s, err := v.Tokenize(ctx, merchant, c, "visa", token.TokenizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s.Fingerprint
	}
	a := fp(v1, "m_a", cards[0].Card)
	sameCardNewExpiry := cards[0].Card
	sameCardNewExpiry.ExpYear++
	if got := fp(v1, "m_a", sameCardNewExpiry); got != a {
		t.Error("same number and merchant, new expiry: fingerprint changed, want it equal")
	}
	if got := fp(v1, "m_b", cards[0].Card); got == a {
		t.Error("another merchant got the same fingerprint for the same card, want a different one")
	}
	if got := fp(v1, "m_a", cards[1].Card); got == a {
		t.Error("another card got the same fingerprint")
	}
	// After rotation (and in a new process), fingerprints stay.
	v2, _ := token.NewSQLVault(db, kekSet(t, k2, k1), token.Options{Now: clk.Now})
	if got := fp(v2, "m_a", cards[0].Card); got != a {
		t.Error("fingerprint changed after KEK rotation, want it stable")
	}
	// A vault whose KEKs cannot open the fingerprint key refuses to make a new one.
	v3, _ := token.NewSQLVault(db, kekSet(t, localKEK(t, "kek-3")), token.Options{Now: clk.Now})
	if _, err := v3.Tokenize(ctx, "m_a", cards[0].Card, "visa", token.TokenizeOptions{}); errcode.Of(err) != errcode.Internal {
		t.Errorf("Tokenize with an unrelated KEK: %v, want an internal error", err)
	}
}

func TestTamperedRows(t *testing.T) {
	v, db, _ := newVault(t, newClock())
	cards := loadCards(t)
	a, _ := v.Tokenize(ctx, "m", cards[0].Card, "visa", token.TokenizeOptions{})
	b, _ := v.Tokenize(ctx, "m", cards[1].Card, "visa", token.TokenizeOptions{})
	c, _ := v.Tokenize(ctx, "m2", cards[2].Card, "mastercard", token.TokenizeOptions{})
	// A sealed row is [format][24-byte nonce][ciphertext and tag].
	for _, tc := range []struct {
		name, merchant, tok string
		tamper              func(t *testing.T)
	}{
		{"flipped ciphertext byte", "m", a.Token, func(t *testing.T) { flipSealedByte(t, db, a.Token, 40) }},
		{"flipped nonce byte", "m", b.Token, func(t *testing.T) { flipSealedByte(t, db, b.Token, 5) }},
		{"row moved to another merchant", "m3", c.Token, func(t *testing.T) {
			if _, err := db.Exec(`UPDATE vault_tokens SET merchant_id = 'm3' WHERE token = ?`, c.Token); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.tamper(t)
			_, err := v.Reveal(ctx, tc.merchant, tc.tok, token.FieldNumber)
			if errcode.Of(err) != errcode.Internal {
				t.Errorf("Reveal of a tampered row: %v, want an internal error", err)
			}
		})
	}
	t.Run("sealed value swapped between tokens", func(t *testing.T) {
		d, _ := v.Tokenize(ctx, "m", cards[3].Card, "visa", token.TokenizeOptions{})
		e, _ := v.Tokenize(ctx, "m", cards[4].Card, "visa", token.TokenizeOptions{})
		if _, err := db.Exec(`UPDATE vault_tokens SET sealed = (SELECT sealed FROM vault_tokens WHERE token = ?) WHERE token = ?`, d.Token, e.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Reveal(ctx, "m", e.Token, token.FieldNumber); errcode.Of(err) != errcode.Internal {
			t.Errorf("Reveal with another token's ciphertext: %v, want an internal error", err)
		}
		// The CVC ciphertext cannot stand in for the card either.
		if _, err := db.Exec(`UPDATE vault_tokens SET sealed = (SELECT sealed FROM vault_cvcs WHERE token = ?) WHERE token = ?`, d.Token, d.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Reveal(ctx, "m", d.Token, token.FieldNumber); errcode.Of(err) != errcode.Internal {
			t.Errorf("Reveal with the CVC's ciphertext as the card: %v, want an internal error", err)
		}
	})
}

func TestFakeKMS(t *testing.T) {
	kms := tokentest.NewFakeKMS()
	db, _ := openDB(t)
	clk := newClock()
	if _, err := token.NewKEKSet(kms.KEK("projects/p/keys/vault-1")); errcode.Of(err) != errcode.BadRequest {
		t.Fatalf("NewKEKSet with a KEK id containing '/': %v, want bad_request", err)
	}
	v, err := token.NewSQLVault(db, kekSet(t, kms.KEK("vault-1")), token.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	cards := loadCards(t)

	kms.SetDown(true)
	opts := token.TokenizeOptions{JTI: "kms-jti", JTIExpires: clk.Now().Add(time.Hour)}
	if _, err := v.Tokenize(ctx, "m", cards[0].Card, "visa", opts); errcode.Of(err) != errcode.Internal {
		t.Fatalf("Tokenize with the KMS down: %v, want an internal error", err)
	}
	if n := count(t, db, "vault_jtis"); n != 0 {
		t.Errorf("the KMS outage burned the jti (%d rows), want 0: keys load before the jti is recorded", n)
	}
	kms.SetDown(false)
	var toks []string
	for _, c := range cards {
		s, err := v.Tokenize(ctx, "m", c.Card, c.Brand, opts)
		if err != nil {
			t.Fatalf("Tokenize: %v", err)
		}
		opts = token.TokenizeOptions{}
		toks = append(toks, s.Token)
	}
	// Two data keys wrapped (seal, fingerprint) and read back, and the
	// CVC key of the window: 6 calls, however many cards.
	if got := kms.Calls(); got != 6 {
		t.Errorf("KMS calls for %d tokenizations = %d, want 6", len(cards), got)
	}
	// A new process reads with one unwrap.
	v2, _ := token.NewSQLVault(db, kekSet(t, kms.KEK("vault-1")), token.Options{Now: clk.Now})
	for i, tok := range toks {
		c, err := v2.Reveal(ctx, "m", tok, token.FieldNumber)
		if err != nil || c.Number != cards[i].Number {
			t.Errorf("Reveal in a new process: match %v, %v", c.Number == cards[i].Number, err)
		}
	}
	if got := kms.Calls(); got != 7 {
		t.Errorf("KMS calls after %d reveals in a new process = %d, want 7", len(toks), got)
	}
}

func TestNewSQLVaultErrors(t *testing.T) {
	db, _ := openDB(t)
	set := kekSet(t, localKEK(t, "k"))
	for _, tc := range []struct {
		name string
		f    func() (*token.Vault, error)
	}{
		{"nil db", func() (*token.Vault, error) { return token.NewSQLVault(nil, set, token.Options{}) }},
		{"nil KEK set", func() (*token.Vault, error) { return token.NewSQLVault(db, nil, token.Options{}) }},
		{"negative TTL", func() (*token.Vault, error) {
			return token.NewSQLVault(db, set, token.Options{CVCTTL: -time.Second})
		}},
	} {
		if _, err := tc.f(); errcode.Of(err) != errcode.BadRequest {
			t.Errorf("%s: %v, want bad_request", tc.name, err)
		}
	}
}
