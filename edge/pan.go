package edge

import (
	"slices"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// errUnsealedCard refuses a forward whose body holds what looks like a
// card number outside an envelope: the edge would otherwise sign it and
// send it on, and the merchant's backend would hold a card number it
// never asked for.
var errUnsealedCard = errcode.New(errcode.UnsealedCardNumber,
	"edge: the body holds a card number outside a sealed envelope; seal it, or send a token")

// holdsCardNumber reports whether b holds what looks like a card number:
// a run of 13 to 19 digits, possibly split into groups by single spaces,
// dashes or no-break spaces ("4111 1111-1111 1111"), that passes the Luhn
// check and has the prefix and a length of a supported brand — the whole
// run or a span of its whole groups. Runs of more than 19 digits without
// separators (order numbers) and Luhn-valid numbers of no brand (most
// millisecond timestamps, 17… and 18…) do not count.
func holdsCardNumber(b []byte) bool {
	var digits []byte
	var groups []int
	for i := 0; i < len(b); {
		if !isASCIIDigit(b[i]) {
			i++
			continue
		}
		digits, groups = digits[:0], append(groups[:0], 0)
		j := i
		for {
			digits = append(digits, b[j])
			j++
			if j < len(b) && isASCIIDigit(b[j]) {
				continue
			}
			if s := separatorLen(b, j); s > 0 && j+s < len(b) && isASCIIDigit(b[j+s]) {
				groups = append(groups, len(digits))
				j += s
				continue
			}
			break
		}
		for gi := range groups {
			for gj := gi; gj < len(groups); gj++ {
				from, to := groups[gi], len(digits)
				if gj+1 < len(groups) {
					to = groups[gj+1]
				}
				if to-from > 19 {
					break
				}
				if to-from >= 13 && looksLikeCardNumber(string(digits[from:to])) {
					return true
				}
			}
		}
		i = j
	}
	return false
}

// looksLikeCardNumber reports whether the 13 to 19 digits d pass the Luhn
// check and have a supported brand's prefix and length.
func looksLikeCardNumber(d string) bool {
	if !card.Luhn(d) {
		return false
	}
	br := card.DetectBrand(d)
	return br != nil && slices.Contains(br.Lengths(), len(d))
}

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

// separatorLen returns the length of a digit-group separator at b[i]: a
// space, a dash or a UTF-8 no-break space; 0 if there is none.
func separatorLen(b []byte, i int) int {
	switch {
	case i >= len(b):
		return 0
	case b[i] == ' ' || b[i] == '-':
		return 1
	case b[i] == 0xc2 && i+1 < len(b) && b[i+1] == 0xa0:
		return 2
	}
	return 0
}
