package token

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Redaction of a provider's answer. A provider may echo what it was sent
// in many spellings — its own error text, a stored free-text field, a
// URL-encoded or JSON-escaped copy, base64 — so the masks below look at
// the body through a decoding view: each character is read as what it
// encodes, and a match masks the bytes that spelled it.

// unit is one decoded character of a body and the bytes [start, end) of
// the body that spell it.
type unit struct {
	r          rune
	start, end int32 // bodies are at most a few MiB
}

// decodeUnits reads b as characters: raw UTF-8 and, if decode is set,
// JSON string escapes (\uXXXX, surrogate pairs, \n, \t, \/ …) and
// percent-encoding (%XX, multi-byte UTF-8 included). Invalid UTF-8 bytes
// are units of their own (U+FFFD). It decodes one level only: "%2534" is
// "%", "2", "5", "3", "4". The masks read a body both ways and mask
// what either reading finds, since decoding can hide what is plain:
// "100%4242…" decodes to "100B242…".
func decodeUnits(b []byte, decode bool) []unit {
	out := make([]unit, 0, len(b))
	for i := 0; i < len(b); {
		if c := b[i]; !decode || c != '\\' && c != '%' && c < utf8.RuneSelf {
			if c >= utf8.RuneSelf {
				r, n := utf8.DecodeRune(b[i:])
				out = append(out, unit{r, int32(i), int32(i + n)})
				i += n
				continue
			}
			out = append(out, unit{rune(c), int32(i), int32(i + 1)})
			i++
			continue
		}
		if r, n := decodeEscape(b[i:]); n > 0 {
			out = append(out, unit{r, int32(i), int32(i + n)})
			i += n
			continue
		}
		if r, n := decodePercent(b[i:]); n > 0 {
			out = append(out, unit{r, int32(i), int32(i + n)})
			i += n
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		out = append(out, unit{r, int32(i), int32(i + n)})
		i += n
	}
	return out
}

// decodeEscape decodes a JSON string escape at the start of b, returning
// the rune and the escape's length, or 0 if b does not start with one.
func decodeEscape(b []byte) (rune, int) {
	if len(b) < 2 || b[0] != '\\' {
		return 0, 0
	}
	switch b[1] {
	case 'n':
		return '\n', 2
	case 't':
		return '\t', 2
	case 'r':
		return '\r', 2
	case 'f':
		return '\f', 2
	case 'b':
		return '\b', 2
	case '/', '\\', '"':
		return rune(b[1]), 2
	case 'u':
		r, ok := hex4(b[2:])
		if !ok {
			return 0, 0
		}
		if utf16IsHigh(r) && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if lo, ok := hex4(b[8:]); ok && 0xdc00 <= lo && lo <= 0xdfff {
				return (r-0xd800)<<10 + (lo - 0xdc00) + 0x10000, 12
			}
		}
		return r, 6
	}
	return 0, 0
}

func utf16IsHigh(r rune) bool { return 0xd800 <= r && r <= 0xdbff }

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		v, ok := hexVal(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodePercent decodes percent-encoding at the start of b: one %XX for
// an ASCII byte, or the %XX sequence of one multi-byte UTF-8 character.
// It returns 0 if b does not start with that.
func decodePercent(b []byte) (rune, int) {
	var buf [utf8.UTFMax]byte
	n := 0
	for n < utf8.UTFMax && len(b) >= 3*(n+1) && b[3*n] == '%' {
		hi, ok1 := hexVal(b[3*n+1])
		lo, ok2 := hexVal(b[3*n+2])
		if !ok1 || !ok2 {
			break
		}
		buf[n] = hi<<4 | lo
		n++
		if buf[0] < utf8.RuneSelf {
			return rune(buf[0]), 3
		}
		if utf8.FullRune(buf[:n]) {
			r, size := utf8.DecodeRune(buf[:n])
			if r == utf8.RuneError && size <= 1 {
				return 0, 0
			}
			return r, 3 * n
		}
	}
	return 0, 0
}

// digitValue returns the value of a decimal digit in any script (Unicode
// category Nd: ASCII, full-width, Arabic-Indic, Devanagari …). Nd digits
// come in contiguous runs that start at zero, so the value is the offset
// from the start of the run, modulo 10.
func digitValue(r rune) (int, bool) {
	if '0' <= r && r <= '9' {
		return int(r - '0'), true
	}
	if r < 0x80 || !unicode.IsDigit(r) {
		return 0, false
	}
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(r-start) % 10, true
}

// foldWidth maps a full-width ASCII variant (U+FF01–U+FF5E) to ASCII.
func foldWidth(r rune) rune {
	if 0xff01 <= r && r <= 0xff5e {
		return r - 0xfee0
	}
	return r
}

// isLooseSeparator reports whether r may stand between the digit groups
// of a revealed number: white space of any kind (runs of it too), format
// characters (zero-width space …), dashes, '.', '/', '_' and '+', also
// full-width.
func isLooseSeparator(r rune) bool {
	r = foldWidth(r)
	switch r {
	case '-', '.', '/', '_', '+', '\u2212':
		return true
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Pd, r) || unicode.Is(unicode.Zs, r)
}

// isGroupSeparator reports whether r is one of the separators a card
// number is printed with (a space, a dash, a no-break space): those a
// Luhn-valid run of unknown digits may be split by.
func isGroupSeparator(r rune) bool {
	return r == ' ' || r == '-' || r == '\u00a0'
}

// digitRun is a run of digit units: digits[k] is the value of units[idx[k]].
type digitRun struct {
	digits []byte // ASCII '0'–'9'
	idx    []int
	groups []int // where each group of digits starts, in digits
}

// eachRun calls fn for each run of digits in units whose neighbours in the
// run are separated only by units sep accepts (loose: any number of them;
// not loose: exactly one). The run passed to fn is reused for the next
// one.
func eachRun(us []unit, sep func(rune) bool, loose bool, fn func(*digitRun)) {
	var run digitRun
	for i := 0; i < len(us); {
		if _, ok := digitValue(us[i].r); !ok {
			i++
			continue
		}
		run.digits, run.idx, run.groups = run.digits[:0], run.idx[:0], append(run.groups[:0], 0)
		j := i
		for {
			v, _ := digitValue(us[j].r)
			run.digits = append(run.digits, byte('0'+v))
			run.idx = append(run.idx, j)
			j++
			if j < len(us) {
				if _, ok := digitValue(us[j].r); ok {
					continue
				}
			}
			k := j
			for k < len(us) && sep(us[k].r) && (loose || k == j) {
				k++
			}
			if k > j && k < len(us) {
				if _, ok := digitValue(us[k].r); ok {
					run.groups = append(run.groups, len(run.digits))
					j = k
					continue
				}
			}
			break
		}
		fn(&run)
		i = j
	}
}

// knownDigits returns the digits of each of numbers that has at least 12.
func knownDigits(numbers []string) []string {
	var known []string
	for _, n := range numbers {
		var d strings.Builder
		for i := 0; i < len(n); i++ {
			if isDigit(n[i]) {
				d.WriteByte(n[i])
			}
		}
		if d.Len() >= 12 {
			known = append(known, d.String())
		}
	}
	return known
}

// Redact returns a copy of body in which card numbers are masked: the
// bytes of every digit but the last four become '*', so lengths and
// offsets do not move. It masks
//
//   - if numbers holds any, every run of at least as many digits as the
//     shortest of them, whatever its digits (so that what is masked
//     tells nothing of the numbers: a provider may echo a run of
//     candidates chosen by the caller), in any spelling: digits of any
//     script (full-width "４２４２"), JSON-escaped ("\u0034"),
//     percent-encoded ("%34"), split by any runs of white space, dashes,
//     '.', '/', '_' or '+' ("4242.4242", "4242%204242", "4242  4242");
//     the last four digits of the run are kept; in a body that is one
//     JSON value, a JSON number of at most 19 digits only if it holds
//     one of numbers (so that the answer still parses);
//   - if numbers holds any, every run of base64 (standard or URL
//     alphabet, at any alignment inside a longer encoding) whose whole
//     3-byte groups encode digits, possibly grouped by spaces or dashes,
//     and hold at least four fewer digits than the shortest of numbers,
//     whatever the digits: the characters of those groups;
//   - any Luhn-valid run of 13 to 19 digits, in any of the spellings
//     above, where a run may be split into groups by single spaces,
//     dashes or no-break spaces ("4111 1111-1111 1111") and any sequence
//     of whole groups is tried. Runs of more than 19 digits without
//     separators (order numbers, timestamps) are left alone unless
//     numbers is not empty.
func Redact(body []byte, numbers []string) []byte {
	out := bytes.Clone(body)
	known := knownDigits(numbers)
	jsonNums := jsonNumbers(body)
	for _, decode := range []bool{true, false} {
		redactNumbers(out, decodeUnits(body, decode), known, jsonNums)
	}
	return redactBase64(out, known)
}

// redactNumbers masks in out the numbers [Redact] masks, as us reads the
// body.
func redactNumbers(out []byte, us []unit, known []string, jsonNums [][2]int) {
	masked := make([]bool, len(us))
	maskUnits := func(r *digitRun, from, to int) {
		for k := from; k < to-4; k++ {
			masked[r.idx[k]] = true
		}
	}
	// Every loose run as long as a revealed number is masked whatever its
	// digits: masking only the runs that hold the number would tell
	// whoever can make the provider echo text of their choosing which of
	// their candidates it is.
	// The numbers of a JSON answer of at most 19 digits (what int64 and
	// uint64 hold) are the exception: masked only if they hold a
	// revealed number, so that the answer still parses; such a number
	// holds one or a few candidates, not a list of them.
	if shortest := shortestLen(known); shortest > 0 {
		eachRun(us, isLooseSeparator, true, func(r *digitRun) {
			if len(r.digits) < shortest {
				return
			}
			if len(r.digits) <= 19 && inSpans(jsonNums, us[r.idx[0]].start) &&
				!slices.ContainsFunc(known, func(k string) bool { return bytes.Contains(r.digits, []byte(k)) }) {
				return
			}
			maskUnits(r, 0, len(r.digits))
		})
	}
	eachRun(us, isGroupSeparator, false, func(r *digitRun) {
		for gi := range r.groups {
			for gj := gi; gj < len(r.groups); gj++ {
				from, to := r.groups[gi], len(r.digits)
				if gj+1 < len(r.groups) {
					to = r.groups[gj+1]
				}
				if to-from > 19 {
					break
				}
				if to-from >= 13 && luhn(r.digits[from:to]) {
					maskUnits(r, from, to)
				}
			}
		}
	})
	for k, m := range masked {
		if m {
			for b := us[k].start; b < us[k].end; b++ {
				out[b] = '*'
			}
		}
	}
}

// shortestLen returns the length of the shortest of known, 0 if none.
func shortestLen(known []string) int {
	n := 0
	for _, k := range known {
		if n == 0 || len(k) < n {
			n = len(k)
		}
	}
	return n
}

// redactBase64 masks in out, if known holds any number, every run of
// base64 that encodes digits (possibly grouped by spaces or dashes) and
// holds at least four fewer digits than the shortest of known, whatever
// the digits: a match for the numbers' own encodings only would tell
// whoever can make the provider echo base64 of their choosing which of
// their candidates is the number. A number's encoding inside a longer
// value loses at most two digits at each end to the characters it shares
// with its neighbours, so its whole 3-byte groups always hold that many.
// It reads the body at each of the four offsets a 4-character group can
// start at, in either alphabet (the characters that encode digits, spaces
// and dashes are the same in both).
func redactBase64(out []byte, known []string) []byte {
	shortest := shortestLen(known)
	if shortest == 0 {
		return out
	}
	need := shortest - 4
	src := bytes.Clone(out)
	for off := 0; off < 4; off++ {
		start, digits := -1, 0
		flush := func(end int) {
			if start >= 0 && digits >= need {
				for b := start; b < end; b++ {
					out[b] = '*'
				}
			}
			start, digits = -1, 0
		}
		i := off
		for ; i+4 <= len(src); i += 4 {
			n, ok := digitGroup(src[i : i+4])
			if !ok {
				flush(i)
				continue
			}
			if start < 0 {
				start = i
			}
			digits += n
		}
		flush(i)
	}
	return out
}

// digitGroup decodes 4 base64 characters (either alphabet) and reports
// whether the 3 bytes they encode are all digits, spaces or dashes, and
// how many digits they are.
func digitGroup(q []byte) (int, bool) {
	var v uint32
	for _, c := range q {
		x, ok := base64Value(c)
		if !ok {
			return 0, false
		}
		v = v<<6 | uint32(x)
	}
	n := 0
	for _, b := range []byte{byte(v >> 16), byte(v >> 8), byte(v)} {
		switch {
		case isDigit(b):
			n++
		case b == ' ' || b == '-':
		default:
			return 0, false
		}
	}
	return n, true
}

// base64Value is the value of a base64 character of either alphabet.
func base64Value(c byte) (byte, bool) {
	switch {
	case 'A' <= c && c <= 'Z':
		return c - 'A', true
	case 'a' <= c && c <= 'z':
		return c - 'a' + 26, true
	case '0' <= c && c <= '9':
		return c - '0' + 52, true
	case c == '+' || c == '-':
		return 62, true
	case c == '/' || c == '_':
		return 63, true
	}
	return 0, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// luhn reports whether ASCII digits d pass the Luhn (mod 10) check.
func luhn(d []byte) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// RedactCVCs returns a copy of body in which every run of digits as long
// as one of cvcs (3 or 4 ASCII digits) with no digit on either side is
// masked, whatever its digits: "cvc":"123", cvc=123, CVC123x and
// "cvc 123 ok" alike, and "note":"456" too. Masking only the runs that
// equal a CVC would be an oracle: whoever can make the provider echo text
// of their choosing (a description, metadata) would list every candidate
// and read off the one that came back masked. What is masked depends on
// the CVCs' lengths only, which a card's brand tells anyway. Digits are
// read as [Redact] reads them (any script, JSON-escaped, percent-encoded),
// so "\u0031\u0032\u0033" and full-width "１２３" count, and so do digits
// next to them: "1234" is no run of three. The bytes that spell each
// masked digit become '*'.
//
// One exception keeps answers readable: if body is one JSON value, a
// number of it ("amount":500) is masked only if it is one of cvcs, as a
// masked amount would no longer parse. A provider that echoes numbers of
// the caller's choosing as JSON numbers gives one guess per number.
//
// A relay route's response allowlist (docs/edge-api.md) keeps only what a
// merchant needs; what it keeps is still masked.
func RedactCVCs(body []byte, cvcs []string) []byte {
	out := bytes.Clone(body)
	var lengths [5]bool
	var want [][]byte
	for _, c := range cvcs {
		if allDigits(c, 3, 4) {
			lengths[len(c)] = true
			want = append(want, []byte(c))
		}
	}
	if len(want) == 0 {
		return out
	}
	numbers := jsonNumbers(body)
	inNumber := func(at int32) bool { return inSpans(numbers, at) }
	never := func(rune) bool { return false }
	for _, decode := range []bool{true, false} {
		us := decodeUnits(body, decode)
		eachRun(us, never, false, func(r *digitRun) {
			n := len(r.digits)
			if n >= len(lengths) || !lengths[n] {
				return
			}
			if inNumber(us[r.idx[0]].start) && !slices.ContainsFunc(want, func(c []byte) bool { return bytes.Equal(c, r.digits) }) {
				return
			}
			for _, k := range r.idx {
				for b := us[k].start; b < us[k].end; b++ {
					out[b] = '*'
				}
			}
		})
	}
	return out
}

// RedactCryptograms returns a copy of body in which each of cryptograms
// (wallet cryptograms, base64 text) is masked wherever it appears, read as
// [Redact] reads a body (JSON-escaped, percent-encoded or plain): as
// given, with its padding dropped, in the base64 URL alphabet ('-' and
// '_' for '+' and '/'), and as the hex of its bytes (either case), the
// forms providers echo a cryptogram in. The bytes that spell each masked
// character become '*'.
func RedactCryptograms(body []byte, cryptograms []string) []byte {
	out := bytes.Clone(body)
	var want [][]rune
	seen := map[string]bool{}
	add := func(s string) {
		if len(s) >= 8 && !seen[s] { // shorter is too short to tell from other text
			seen[s] = true
			want = append(want, []rune(s))
		}
	}
	for _, c := range cryptograms {
		if len(c) < 8 {
			continue
		}
		add(c)
		std := strings.TrimRight(c, "=")
		add(std)
		add(strings.NewReplacer("+", "-", "/", "_").Replace(std))
		if raw, err := base64.RawStdEncoding.DecodeString(std); err == nil {
			h := hex.EncodeToString(raw)
			add(h)
			add(strings.ToUpper(h))
		}
	}
	if len(want) == 0 {
		return out
	}
	for _, decode := range []bool{true, false} {
		us := decodeUnits(body, decode)
		for _, w := range want {
			for i := 0; i+len(w) <= len(us); i++ {
				match := true
				for j, r := range w {
					if us[i+j].r != r {
						match = false
						break
					}
				}
				if !match {
					continue
				}
				for j := range w {
					for b := us[i+j].start; b < us[i+j].end; b++ {
						out[b] = '*'
					}
				}
			}
		}
	}
	return out
}

// inSpans reports whether byte at lies in one of the sorted ranges spans.
func inSpans(spans [][2]int, at int32) bool {
	i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > int(at) })
	return i < len(spans) && spans[i][0] <= int(at)
}

// jsonNumbers returns the byte ranges [start, end) of the numbers of
// body, in order, if body is one JSON value; nil otherwise.
func jsonNumbers(body []byte) [][2]int {
	if !jsontext.Value(body).IsValid() {
		return nil
	}
	var out [][2]int
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return out
		}
		if tok.Kind() == '0' {
			end := int(dec.InputOffset())
			out = append(out, [2]int{end - len(tok.String()), end})
		}
	}
}

// RedactRevealed masks in body everything a relay revealed: the card
// numbers (and any Luhn-valid run, see [Redact]), the CVCs
// ([RedactCVCs]) and the wallet cryptograms ([RedactCryptograms]). Each
// mask reads the body as the provider sent it, and their masks are
// merged: one mask's '*' must not break up the text another looks for
// (a cryptogram's hex form holds digit runs a CVC mask would otherwise
// cut, leaving the rest of it in clear).
func RedactRevealed(body []byte, s Revealed) []byte {
	out := Redact(body, s.Numbers)
	for _, m := range [][]byte{RedactCVCs(body, s.CVCs), RedactCryptograms(body, s.Cryptograms)} {
		for i := range out {
			if m[i] == '*' {
				out[i] = '*'
			}
		}
	}
	return out
}
