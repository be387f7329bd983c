package token_test

import (
	"crypto/rand"
	"math/big"
	"strings"
	"testing"
	"testing/cryptotest"

	"github.com/sealpay/sealpay/sdk/token"
)

func TestNewTokenID(t *testing.T) {
	seen := map[string]bool{}
	max := new(big.Int).Lsh(big.NewInt(1), 128)
	for range 2000 {
		id := token.NewTokenID()
		if !token.ValidTokenID(id) {
			t.Fatalf("NewTokenID() = %q, not ValidTokenID", id)
		}
		if seen[id] {
			t.Fatalf("NewTokenID() repeated %q", id)
		}
		seen[id] = true
		// Cross-check the encoding with math/big.
		n, ok := new(big.Int).SetString(swapCase(id[4:]), 62)
		if !ok {
			t.Fatalf("math/big cannot parse %q", id)
		}
		if n.Cmp(max) >= 0 {
			t.Fatalf("NewTokenID() = %q encodes 2^128 or more", id)
		}
	}
}

func TestValidTokenID(t *testing.T) {
	// math/big's base 62 alphabet is 0-9a-zA-Z; ours is 0-9A-Za-z. Swap case to compare.
	maxID := "tok_" + swapCase(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1)).Text(62))
	overID := "tok_" + swapCase(new(big.Int).Lsh(big.NewInt(1), 128).Text(62))
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"tok_0000000000000000000000", true},
		{"tok_1a2B3c4D5e6F7g8H9i0J1k", true},
		{maxID, true},
		{overID, false}, // 2^128: 22 digits, one past the range
		{"tok_zzzzzzzzzzzzzzzzzzzzzz", false},
		{"tok_000000000000000000000", false},   // 21 digits
		{"tok_00000000000000000000000", false}, // 23 digits
		{"Tok_0000000000000000000000", false},
		{"tk_00000000000000000000000", false},
		{"tok-0000000000000000000000", false},
		{"tok_000000000000000000000-", false},
		{"tok_000000000000000000000_", false},
		{"tok_00000000000000000000 0", false},
		{"tok_00000000000000000000é", false},
		{"tok_0000000000000000000０0", false},
		{"", false},
	} {
		if got := token.ValidTokenID(tc.id); got != tc.want {
			t.Errorf("ValidTokenID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
	if len(maxID) != 26 || len(overID) != 26 {
		t.Fatalf("test bounds have lengths %d and %d, want 26", len(maxID), len(overID))
	}
}

func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// TestNewTokenIDEncoding checks that the id is the 128 random bits in base
// 62, most significant digit first, by replaying the same random bytes.
func TestNewTokenIDEncoding(t *testing.T) {
	for seed := range uint64(50) {
		cryptotest.SetGlobalRandom(t, seed)
		var b [16]byte
		rand.Read(b[:])
		want := swapCase(new(big.Int).SetBytes(b[:]).Text(62))
		want = "tok_" + strings.Repeat("0", 22-len(want)) + want
		cryptotest.SetGlobalRandom(t, seed)
		if got := token.NewTokenID(); got != want {
			t.Fatalf("seed %d: NewTokenID() = %q, want %q", seed, got, want)
		}
	}
}
