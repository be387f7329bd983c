package card

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize checks Normalize and FormatNumber together: Normalize never
// panics, fails only with ErrInvalidNumber and without showing the digits,
// returns 1–19 ASCII digits, is idempotent, and round-trips through
// FormatNumber.
func FuzzNormalize(f *testing.F) {
	for _, c := range loadTestCards(f) {
		f.Add(c.Number)
		f.Add(FormatNumber(c.Number))
		f.Add(strings.ReplaceAll(FormatNumber(c.Number), " ", "\u00a0"))
		f.Add(c.Number[:4] + "\u200b" + c.Number[4:])
	}
	for _, s := range []string{"", " ", "-", "4242-", "\u0664\u0662", "４２", "4242\xff", "42424242424242424242"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := Normalize(in)
		if err != nil {
			if !isPackageError(err) || !strings.HasPrefix(err.Error(), "card: invalid number") {
				t.Fatalf("Normalize error %q is not an ErrInvalidNumber", redactNumbers(err.Error()))
			}
			if digits := keepDigits(in, 100); len(digits) >= 8 && strings.Contains(err.Error(), digits) {
				t.Fatalf("Normalize error shows the input digits")
			}
			return
		}
		// The input can be a card number: messages show lengths and masks.
		if !isDigits(d) || len(d) > maxDigits {
			t.Fatalf("Normalize(%s) = %s, want 1 to 19 ASCII digits", shown(in), shown(d))
		}
		if d2, err := Normalize(d); err != nil || d2 != d {
			t.Fatalf("Normalize(Normalize(%s)): %v; %s", shown(in), err, mismatch(d2, d))
		}
		formatted := FormatNumber(in)
		if d3, err := Normalize(formatted); err != nil || d3 != d {
			t.Fatalf("Normalize(FormatNumber(%s)): %v; %s", shown(in), err, mismatch(d3, d))
		}
		if FormatNumber(formatted) != formatted {
			t.Fatalf("FormatNumber is not idempotent on %s", shown(in))
		}
		// Detection and checks never panic on anything Normalize accepts.
		DetectBrand(d)
		CheckNumber(in)
		if m := Mask(d); len(m) != len(d) || (len(d) >= minDigits && strings.Contains(m, d)) {
			t.Fatalf("Mask(%d digits) = %d bytes with %d hidden", len(d), len(m), strings.Count(m, "*"))
		}
	})
}

// FuzzParse checks the strict decoder with a round trip: whatever Parse
// accepts, json.Marshal writes and Parse reads back as the same Card, and
// marshals to the same bytes. Failures are always one of the package's
// sentinels, never a panic.
func FuzzParse(f *testing.F) {
	for _, v := range loadParseVectors(f) {
		f.Add(v.bytes(f))
	}
	for _, c := range loadTestCards(f) {
		doc, err := json.Marshal(Card{Number: FormatNumber(c.Number), ExpMonth: 12, ExpYear: 30, CVC: "123", Name: " A. Shopper "})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := Parse(doc)
		if err != nil {
			if !isPackageError(err) {
				t.Fatalf("Parse error %q is not a package error", redactNumbers(err.Error()))
			}
			if c != (Card{}) {
				t.Fatalf("Parse returned a card with an error")
			}
			return
		}
		if !utf8.ValidString(c.Name) || !isDigits(c.Number) {
			t.Fatalf("Parse accepted a card with a bad number or name")
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(json.Marshal(Parse(doc))) error = %v", err)
		}
		if c2 != c {
			t.Fatalf("round trip changed the card")
		}
		out2, _ := json.Marshal(c2)
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the encoding")
		}
		// Validate and Check never panic on a parsed card.
		_ = c.Validate(now)
		Check(doc, now)
	})
}
