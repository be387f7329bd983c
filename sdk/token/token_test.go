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
	// Tokens are never printed, not even fresh random ones: the draw
	// number and the length say which failed.
	for i := range 2000 {
		id := token.NewTokenID()
		if !token.ValidTokenID(id) {
			t.Fatalf("draw %d: NewTokenID() = %d characters, not ValidTokenID", i, len(id))
		}
		if seen[id] {
			t.Fatalf("draw %d: NewTokenID() repeated an earlier id", i)
		}
		seen[id] = true
		// Cross-check the encoding with math/big.
		n, ok := new(big.Int).SetString(swapCase(id[4:]), 62)
		if !ok {
			t.Fatalf("draw %d: math/big cannot parse the id", i)
		}
		if n.Cmp(max) >= 0 {
			t.Fatalf("draw %d: NewTokenID() encodes 2^128 or more", i)
		}
	}
}

func TestValidTokenID(t *testing.T) {
	// math/big's base 62 alphabet is 0-9a-zA-Z; ours is 0-9A-Za-z. Swap case to compare.
	maxID := "tok_" + swapCase(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1)).Text(62))
	overID := "tok_" + swapCase(new(big.Int).Lsh(big.NewInt(1), 128).Text(62))
	for i, tc := range []struct {
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
			t.Errorf("case %d: ValidTokenID(%d bytes) = %v, want %v", i, len(tc.id), got, tc.want)
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
			t.Fatalf("seed %d: NewTokenID() differs from the base 62 of its random bytes at byte %d (%d characters, want %d)", seed, firstDiff(got, want), len(got), len(want))
		}
	}
}
