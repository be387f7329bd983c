package edge

import "testing"

func TestHoldsCardNumber(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"visa", `{"n":"4111111111111111"}`, true},
		{"amex grouped 4-6-5", `{"n":"3782 822463 10005"}`, true},
		{"dashes", `{"n":"5555-5555-5555-4444"}`, true},
		{"no-break spaces", "{\"n\":\"4111\u00a01111\u00a01111\u00a01111\"}", true},
		{"a JSON number", `{"n":4111111111111111}`, true},
		{"inside text", `{"note":"my card is 4111 1111 1111 1111, thanks"}`, true},
		{"a span of groups", `{"n":"12 4111 1111 1111 1111"}`, true},
		{"luhn failure (the rest are Luhn-valid)", `{"n":"4111111111111112"}`, false},
		{"no brand (a millisecond timestamp)", `{"t":1760000000008}`, false},
		{"20 digits", `{"order":"41111111111111111115"}`, false},
		{"12 digits", `{"n":"411111111117"}`, false},
		{"a token", `{"t":"tok_0000000000000000000000"}`, false},
		{"double separators", `{"n":"4111  1111  1111  1111"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := holdsCardNumber([]byte(tc.in)); got != tc.want {
				t.Errorf("holdsCardNumber(%s case) = %t, want %t", tc.name, got, tc.want)
			}
		})
	}
}

// FuzzHoldsCardNumber: whatever surrounds it, a card number standing
// alone between non-digit text is found, and no input panics.
func FuzzHoldsCardNumber(f *testing.F) {
	f.Add([]byte(`{"note":"`), []byte(`"}`))
	f.Add([]byte("12 "), []byte(" 34"))
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, before, after []byte) {
		holdsCardNumber(before) // any input: no panic
		// A boundary that cannot join the number's run: no digit, space,
		// dash or no-break space next to it.
		if len(before) > 0 && !isBoundary(before[len(before)-1]) || len(after) > 0 && !isBoundary(after[0]) {
			return
		}
		b := append(append(append([]byte{}, before...), "4111111111111111"...), after...)
		if !holdsCardNumber(b) {
			t.Fatalf("a test card number between %q and %q was not found", before, after)
		}
	})
}

func isBoundary(c byte) bool {
	return !isASCIIDigit(c) && c != ' ' && c != '-' && c != 0xa0 && c != 0xc2
}
