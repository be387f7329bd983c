package interop

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
)

// TestSealerOpensInHPKECore seals many envelopes in process with
// envelope.Seal, whose HPKE sender is Sealpay's own (sdk/internal/hpkesender:
// RFC 9180 base mode composed from crypto/ecdh, crypto/hkdf and
// x/crypto/chacha20poly1305, what the browser's card module runs), and opens
// every one with @hpke/core in hpke/open-many.mjs. Each envelope has a fresh
// ephemeral key, and the cards, merchants, origins and lifetimes vary, so
// header lengths and ciphertext lengths vary too. A copy of each with one
// flipped bit in the ciphertext, the enc or the header must fail to open
// with decrypt_failed (header flips that still parse) or invalid_envelope.
func TestSealerOpensInHPKECore(t *testing.T) {
	setup(t) // checks node and the npm packages
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ks.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	numbers := []string{"4242424242424242", "5555555555554444", "378282246310005", "6011111111111117", "3056930009020004", "3566002020360505", "6200000000000005"}
	type openCase struct {
		Envelope string `json:"envelope"`
		Merchant string `json:"merchant,omitempty"`
		Origin   string `json:"origin,omitempty"`
		Now      int64  `json:"now"`
	}
	var cases []openCase
	var want []string // "card:" + card JSON, or "code:" + error code
	const n = 100
	for i := range n {
		c := card.Card{
			Number:   numbers[i%len(numbers)],
			ExpMonth: 1 + rng.IntN(12),
			ExpYear:  now.Year() + 1 + rng.IntN(10),
			Name:     strings.Repeat("Zoë Å ", rng.IntN(8)),
		}
		if rng.IntN(2) == 0 {
			c.CVC = fmt.Sprintf("%03d", rng.IntN(1000))
			if strings.HasPrefix(c.Number, "37") {
				c.CVC += "7"
			}
		}
		c.Name = strings.TrimSpace(c.Name)
		merchant := fmt.Sprintf("m_%d", rng.IntN(1_000_000))
		opts := envelope.SealOptions{MerchantID: merchant, TTL: time.Duration(1+rng.IntN(3600)) * time.Second, Now: now}
		if rng.IntN(3) > 0 {
			opts.Origin = fmt.Sprintf("https://shop%d.example", rng.IntN(1000))
		}
		env, err := envelope.Seal(ks.Public(), c, opts)
		if err != nil {
			t.Fatalf("case %d: Seal: %v", i, err)
		}
		pt, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, openCase{Envelope: env, Merchant: merchant, Origin: opts.Origin, Now: now.Unix()})
		want = append(want, "card:"+string(pt))

		// One flipped bit in the last part (ciphertext), the third (enc),
		// or the second (header), chosen by i.
		parts := strings.Split(env, ".")
		p := 3 - i%3
		raw, err := base64.RawURLEncoding.DecodeString(parts[p])
		if err != nil {
			t.Fatal(err)
		}
		raw[rng.IntN(len(raw))] ^= 1 << rng.IntN(8)
		parts[p] = base64.RawURLEncoding.EncodeToString(raw)
		cases = append(cases, openCase{Envelope: strings.Join(parts, "."), Now: now.Unix()})
		want = append(want, fmt.Sprintf("tampered:%d", p))
	}

	in, err := json.Marshal(map[string]any{"keys": string(priv), "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join("hpke", "open-many.mjs"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node open-many.mjs: %v: %s", err, stderr.String())
	}
	var got []struct {
		Card *string `json:"card"`
		Code string  `json:"code"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("open-many.mjs answered %d cases, want %d", len(got), len(want))
	}
	opened, refused := 0, 0
	for i, g := range got {
		switch w := want[i]; {
		case strings.HasPrefix(w, "tampered:"):
			// A flipped header bit may break the JSON or a header rule, or
			// change the key ID or the times, before decryption; a flipped
			// enc or ciphertext bit must fail decryption.
			if g.Card != nil || g.Code == "" || (w != "tampered:1" && g.Code != "decrypt_failed") {
				t.Errorf("case %d (%s): @hpke/core gave card=%t code=%q", i/2, w, g.Card != nil, g.Code)
			} else {
				refused++
			}
		case g.Card == nil:
			t.Errorf("case %d: @hpke/core refused our envelope with %q", i/2, g.Code)
		case !sameCard(t, *g.Card, strings.TrimPrefix(w, "card:")):
			t.Errorf("case %d: @hpke/core opened another card than was sealed", i/2) // no card data in messages
		default:
			opened++
		}
	}
	if opened != n || refused != n {
		t.Errorf("opened %d of %d envelopes and refused %d of %d tampered ones", opened, n, refused, n)
	}
}
