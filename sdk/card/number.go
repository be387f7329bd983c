package card

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxDigits is the longest card number ISO/IEC 7812-1 allows.
	maxDigits = 19
	// minDigits is the shortest number any supported brand issues (Maestro).
	minDigits = 12
	// maxNumberInput bounds the text Normalize reads: 19 digits with a
	// no-break space (2 bytes) between each pair and room to spare.
	maxNumberInput = 128
)

// Normalize returns the ASCII digits of a card number as typed or pasted.
// Spaces, dashes and no-break spaces (U+00A0) may appear anywhere and are
// dropped. Any other character — letters, non-ASCII digits such as ٤ or ４,
// zero-width characters, other punctuation or whitespace — and input with no
// digits or more than 19 give an error wrapping [ErrInvalidNumber].
//
// Normalize does not check the brand, the length or the Luhn digit; see
// [Card.Validate] and [CheckNumber].
func Normalize(input string) (string, error) {
	if len(input) > maxNumberInput {
		return "", fail(ErrInvalidNumber, "card: invalid number (input longer than "+itoa(maxNumberInput)+" bytes)")
	}
	if isDigits(input) {
		if len(input) > maxDigits {
			return "", fail(ErrInvalidNumber, "card: invalid number (more than "+itoa(maxDigits)+" digits)")
		}
		return input, nil
	}
	var buf [maxDigits]byte
	n, pos := 0, 0
	for _, r := range input {
		pos++
		switch {
		case r >= '0' && r <= '9':
			if n == maxDigits {
				return "", fail(ErrInvalidNumber, "card: invalid number (more than "+itoa(maxDigits)+" digits)")
			}
			buf[n] = byte(r)
			n++
		case r == ' ' || r == '-' || r == '\u00a0':
		default:
			return "", fail(ErrInvalidNumber, "card: invalid number ("+describeRune(r)+" at position "+itoa(pos)+")")
		}
	}
	if n == 0 {
		return "", fail(ErrInvalidNumber, "card: invalid number (no digits)")
	}
	return string(buf[:n]), nil
}

// describeRune names the class of a rejected character without showing it.
func describeRune(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "invalid UTF-8"
	case unicode.IsNumber(r):
		return "non-ASCII digit"
	case unicode.Is(unicode.Cf, r):
		return "invisible formatting character"
	case unicode.IsLetter(r):
		return "letter"
	case unicode.IsControl(r):
		return "control character"
	case unicode.IsSpace(r):
		return "unsupported space character"
	default:
		return "unsupported symbol"
	}
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// keepDigits returns the ASCII digits of s, at most limit of them.
func keepDigits(s string, limit int) string {
	if isDigits(s) && len(s) <= limit {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < limit; i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Luhn reports whether digits, all ASCII digits, pass the Luhn (mod 10)
// check of ISO/IEC 7812-1 Annex B. It returns false for empty input or any
// other character. It does not allocate.
func Luhn(digits string) bool {
	if digits == "" {
		return false
	}
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// revealed returns how many leading and trailing digits of an n-digit number
// may be shown. The rule, after PCI DSS requirement 3.4 ("first six and last
// four at most"): never more than 6 + 4, and at least max(n−10, ⌈n/3⌉) digits
// stay hidden, so shorter numbers reveal fewer leading digits (14 digits: 5 +
// 4, 13: 4 + 4) and a few typed digits reveal almost nothing.
func revealed(n int) (first, last int) {
	if n <= 0 {
		return 0, 0
	}
	hidden := max(n-10, (n+2)/3)
	shown := n - hidden
	last = min(4, shown)
	first = min(6, shown-last)
	return first, last
}

// Mask returns a card number with its middle digits replaced by '*', such as
// "424242******4242". Only the ASCII digits of the input count. It shows at
// most the first 6 and last 4 digits, and fewer for shorter numbers so that
// at least a third of the digits (and all but 10) stay hidden.
func Mask(digits string) string {
	d := keepDigits(digits, maxDigits)
	first, last := revealed(len(d))
	return d[:first] + strings.Repeat("*", len(d)-first-last) + d[len(d)-last:]
}

// Last4 returns the last four digits of a card number, or "" when it has
// fewer than 12 digits (the shortest number any brand issues), where four
// digits would give away too much of a partial number. Only the ASCII digits
// of the input count.
func Last4(digits string) string {
	d := keepDigits(digits, maxDigits)
	if len(d) < minDigits {
		return ""
	}
	return d[len(d)-4:]
}

// FormatNumber returns the digits of input grouped for display with its
// brand's gaps, for formatting as the shopper types: "4242424242424242"
// becomes "4242 4242 4242 4242" and "378282246310005" "3782 822463 10005".
// It keeps only ASCII digits, at most 19, and groups a number of unknown
// brand 4-4-4-4-3.
func FormatNumber(input string) string {
	d := keepDigits(input, maxDigits)
	return group(d, DetectBrand(d).gapsFor(len(d)), ' ')
}

// group inserts sep into s before each position in gaps that lies inside s.
func group(s string, gaps []int, sep byte) string {
	var b strings.Builder
	b.Grow(len(s) + len(gaps))
	prev := 0
	for _, g := range gaps {
		if g >= len(s) {
			break
		}
		b.WriteString(s[prev:g])
		b.WriteByte(sep)
		prev = g
	}
	b.WriteString(s[prev:])
	return b.String()
}
