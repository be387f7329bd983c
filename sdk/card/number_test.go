package card

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"digits", "4242424242424242", "4242424242424242"},
		{"spaces", "4242 4242 4242 4242", "4242424242424242"},
		{"dashes", "4242-4242-4242-4242", "4242424242424242"},
		{"no-break spaces", "4242\u00a04242\u00a04242\u00a04242", "4242424242424242"},
		{"mixed separators", " 3782-822463 10005\u00a0", "378282246310005"},
		{"separator runs", "4242  --  4242", "42424242"},
		{"trailing dash while typing", "4242-", "4242"},
		{"19 digits", "6205 5000 0000 0000 004", "6205500000000000004"},
		{"one digit", "4", "4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("Normalize(%s): %v; %s", shown(tc.in), err, mismatch(got, tc.want))
			}
		})
	}
}

// TestNormalizeBadInput covers the card number entries of DESIGN.md's
// bad-input list: letters, zero-width characters, non-ASCII digits.
func TestNormalizeBadInput(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"only separators", " - "},
		{"letter", "4242 4242 4242 424O"},
		{"letter first", "x4242424242424242"},
		{"zero-width space", "4242\u200b4242424242424242"},
		{"zero-width joiner", "4242\u200d424242424242"},
		{"zero-width no-break space (BOM)", "\ufeff4242424242424242"},
		{"word joiner", "4242\u20604242"},
		{"soft hyphen", "4242\u00ad4242"},
		{"Arabic-Indic digits", "\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662"},
		{"Extended Arabic-Indic digit", "424242424242424\u06f2"},
		{"Devanagari digit", "424242424242424\u0968"},
		{"fullwidth digits", "４２４２４２４２４２４２４２４２"},
		{"superscript two", "424242424242424\u00b2"},
		{"mathematical bold digit", "424242424242424\U0001d7d0"},
		{"tab", "4242\t4242"},
		{"newline", "4242424242424242\n"},
		{"ideographic space", "4242\u30004242"},
		{"en dash", "4242\u20134242"},
		{"dot", "4242.4242"},
		{"slash", "4242/4242"},
		{"plus", "+4242"},
		{"invalid UTF-8", "4242\xff4242"},
		{"NUL", "4242\x004242"},
		{"20 digits", "42424242424242424242"},
		{"20 digits with spaces", "4242 4242 4242 4242 4242"},
		{"too long", strings.Repeat(" ", 200) + "4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if !errors.Is(err, ErrInvalidNumber) || got != "" {
				t.Errorf("Normalize(%s) = %s, %v, want \"\", ErrInvalidNumber", shown(tc.in), shown(got), err)
			}
		})
	}
}

func TestNormalizeMessages(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"4242x", "card: invalid number (letter at position 5)"},
		{"4242\u200b4242", "card: invalid number (invisible formatting character at position 5)"},
		{"\u0664", "card: invalid number (non-ASCII digit at position 1)"},
		{"４", "card: invalid number (non-ASCII digit at position 1)"},
		{"42\xff", "card: invalid number (invalid UTF-8 at position 3)"},
		{"42\t", "card: invalid number (control character at position 3)"},
		{"42\u3000", "card: invalid number (unsupported space character at position 3)"},
		{"42.", "card: invalid number (unsupported symbol at position 3)"},
		{"", "card: invalid number (no digits)"},
		{"42424242424242424242", "card: invalid number (more than 19 digits)"},
	}
	for i, tc := range tests {
		_, err := Normalize(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("case %d: Normalize(%s) error = %v, want %q", i, shown(tc.in), err, tc.want)
		}
	}
}

func TestLuhn(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4242424242424242", true},
		{"4242424242424241", false},
		{"378282246310005", true},
		{"378282246310006", false},
		{"79927398713", true}, // the worked example of ISO/IEC 7812-1 Annex B and Wikipedia
		{"79927398710", false},
		{"0", true},
		{"00", true},
		{"18", true},
		{"", false},
		{"4242 4242 4242 4242", false},
		{"42424242424242x2", false},
	}
	for i, tc := range tests {
		if got := Luhn(tc.in); got != tc.want {
			t.Errorf("case %d: Luhn(%s) = %v, want %v", i, shown(tc.in), got, tc.want)
		}
	}
	// Every single-digit change of a valid number is caught.
	for _, c := range loadTestCards(t) {
		if !Luhn(c.Number) {
			continue
		}
		for i := range c.Number {
			for d := byte('0'); d <= '9'; d++ {
				if d == c.Number[i] {
					continue
				}
				changed := c.Number[:i] + string(d) + c.Number[i+1:]
				if Luhn(changed) {
					t.Fatalf("Luhn accepts %s with digit %d changed", Mask(c.Number), i)
				}
			}
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"4242424242424242", "424242******4242"},
		{"4242 4242 4242 4242", "424242******4242"},
		{"378282246310005", "378282*****0005"},
		{"36227206271667", "36227*****1667"},
		{"4222222222222", "4222*****2222"},
		{"500000000009", "5000****0009"},
		{"6205500000000000004", "620550*********0004"},
		{"42424242", "4***4242"},
		{"4242", "**42"},
		{"4", "*"},
		{"", ""},
	}
	for i, tc := range tests {
		if got := Mask(tc.in); got != tc.want {
			// want is itself masked; got may not be.
			t.Errorf("case %d: Mask(%d bytes) = %d bytes with %d hidden, want %q", i, len(tc.in), len(got), strings.Count(got, "*"), tc.want)
		}
	}
	// The rule itself, for every length: at most 6 + 4 shown, at least a
	// third hidden.
	for n := 0; n <= maxDigits; n++ {
		first, last := revealed(n)
		hidden := n - first - last
		if first > 6 || last > 4 || first < 0 || last < 0 || 3*hidden < n || hidden < n-10 {
			t.Errorf("revealed(%d) = %d, %d: hides %d", n, first, last, hidden)
		}
	}
}

func TestLast4(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"4242424242424242", "4242"},
		{"3782 822463 10005", "0005"},
		{"500000000009", "0009"},
		{"50000000000", ""},
		{"4242", ""},
		{"", ""},
	}
	for i, tc := range tests {
		if got := Last4(tc.in); got != tc.want {
			t.Errorf("case %d: Last4(%s) = %s, want %q", i, shown(tc.in), shown(got), tc.want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"4242424242424242", "4242 4242 4242 4242"},
		{"4242-4242-4242-4242", "4242 4242 4242 4242"},
		{"378282246310005", "3782 822463 10005"},
		{"37828224631", "3782 822463 1"},
		{"36227206271667", "3622 720627 1667"},
		{"3056930009020004", "3056 9300 0902 0004"},
		{"6205500000000000004", "6205 5000 0000 0000 004"},
		{"424", "424"},
		{"4242", "4242"},
		{"42424", "4242 4"},
		{"1234567890123456789", "1234 5678 9012 3456 789"},
		{"4242 4242 4242 4242 4242 4242", "4242 4242 4242 4242 424"},
		{"42a42", "4242"},
		{"", ""},
	}
	for i, tc := range tests {
		if got := FormatNumber(tc.in); got != tc.want {
			t.Errorf("case %d: FormatNumber(%s): %s", i, shown(tc.in), mismatch(got, tc.want))
		}
	}
}
