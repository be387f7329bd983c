package token_test

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/sdk/token"
)

// TestRedactRevealedCryptogramForms: a cryptogram echoed in hex, beside
// the revealed number and CVC, is masked whole. Masked one after the
// other, the CVC mask cut the hex's digit runs first and the cryptogram
// mask then found no whole match: 37 of its 40 characters stayed.
func TestRedactRevealedCryptogramForms(t *testing.T) {
	raw, _ := hex.DecodeString("a123bcdef4567abcdef0123abcdef00011223344")
	crypt := base64.StdEncoding.EncodeToString(raw)
	for _, form := range []string{hex.EncodeToString(raw), strings.ToUpper(hex.EncodeToString(raw)), crypt} {
		body := []byte(`{"card":"5555555555554444","cvc_echo":"123","auth":"` + form + `"}`)
		got := string(token.RedactRevealed(body, token.Revealed{Numbers: []string{"5555555555554444"}, CVCs: []string{"123"}, Cryptograms: []string{crypt}}))
		if !strings.Contains(got, `"auth":"`+strings.Repeat("*", len(form))+`"`) {
			t.Errorf("cryptogram form %d: not masked whole in the answer", len(form))
		}
		if strings.Contains(got, "5555555555554444") || strings.Contains(got, `"123"`) {
			t.Error("the number or the CVC is left in the answer")
		}
	}
}

// FuzzRedactRevealed: whatever surrounds it, a cryptogram's hex form in a
// provider's answer is masked whole, and the answer keeps its length.
func FuzzRedactRevealed(f *testing.F) {
	f.Add([]byte("a123bcdef4567abcdef0123abcdef00011223344"), "prefix 123 ", " 5555555555554444", "123")
	f.Add([]byte{0xff, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}, `{"x":"`, `"}`, "9876")
	f.Fuzz(func(t *testing.T, raw []byte, before, after, cvc string) {
		if len(raw) < 8 || len(raw) > 64 {
			return
		}
		form := hex.EncodeToString(raw)
		body := []byte(before + form + after)
		got := token.RedactRevealed(body, token.Revealed{Numbers: []string{"5555555555554444"}, CVCs: []string{cvc}, Cryptograms: []string{base64.StdEncoding.EncodeToString(raw)}})
		if len(got) != len(body) {
			t.Fatalf("the answer's length changed: %d to %d", len(body), len(got))
		}
		if s := string(got[len(before) : len(before)+len(form)]); s != strings.Repeat("*", len(form)) {
			t.Error("a cryptogram's hex form is not masked whole")
		}
	})
}
