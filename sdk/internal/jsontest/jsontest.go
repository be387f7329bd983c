// Package jsontest holds what the tests of Sealpay's JSON readers share
// when they compare them with encoding/json.
package jsontest

import "strconv"

// HasLoneSurrogate reports whether a JSON text escapes a surrogate code
// point that is not half of a pair ("\ud800", "\udc00"): jsontext refuses
// those as invalid UTF-8, where encoding/json reads U+FFFD. A backslash
// occurs in valid JSON only in strings, so the text is scanned as a whole.
func HasLoneSurrogate(b []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 32)
		return rune(n), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		r, ok := hex4(i)
		switch {
		case !ok:
			i++ // a two-character escape such as \\ or \"
		case 0xdc00 <= r && r <= 0xdfff:
			return true
		case 0xd800 <= r && r <= 0xdbff:
			if r2, ok := hex4(i + 6); !ok || r2 < 0xdc00 || r2 > 0xdfff {
				return true
			}
			i += 11
		default:
			i += 5
		}
	}
	return false
}
