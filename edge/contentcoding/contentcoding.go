// Package contentcoding holds the content codings the edge serves its
// browser assets in — brotli, gzip and identity — and chooses one from a
// request's Accept-Encoding as [RFC 9110] §12.5.3 says.
//
// For most uses, call [Negotiate] on every request, and answer with the
// representation it names and its [ETag]. The compressed copies are made
// once, when the assets are built (edge/precompressed).
//
// [RFC 9110]: https://www.rfc-editor.org/rfc/rfc9110.html
package contentcoding

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Coding is a content coding, by its registered name.
type Coding string

// The codings the edge serves, in the order it prefers them when a client
// accepts several equally: brotli is the smallest on the wire.
const (
	Brotli   Coding = "br"
	Gzip     Coding = "gzip"
	Identity Coding = "identity"
)

// Codings lists every coding the edge serves, most preferred first.
var Codings = []Coding{Brotli, Gzip, Identity}

// Suffix is the file-name suffix of a precompressed copy ("" for identity).
func (c Coding) Suffix() string {
	switch c {
	case Brotli:
		return ".br"
	case Gzip:
		return ".gz"
	}
	return ""
}

// ETag returns the strong entity tag of the representation of the file
// whose identity bytes have the SHA-256 sum: its first 16 bytes in hex, and
// for a compressed representation the coding after a dash. Every
// representation has its own tag (RFC 9110 §8.8.3), so a cache never
// answers a brotli request with a revalidated gzip body.
func ETag(sum [sha256.Size]byte, c Coding) string {
	tag := hex.EncodeToString(sum[:16])
	if c != Identity {
		tag += "-" + string(c)
	}
	return `"` + tag + `"`
}

// Negotiate chooses, among the available codings (most preferred first),
// the one to answer a request whose Accept-Encoding field lines are
// fields, as RFC 9110 §12.5.3 says:
//
//   - no field at all: any coding is acceptable, so the first available;
//   - an empty field: identity only;
//   - otherwise each member is a coding with an optional weight ("br;q=1,
//     gzip;q=0.5"); "*" stands for every coding not named; a weight of 0
//     refuses a coding; identity is acceptable unless refused by name or by
//     "*;q=0"; "x-gzip" is gzip (§8.4.1.3); names are case-insensitive.
//
// The highest weight wins, ties going to the earlier available coding. A
// malformed member is ignored. ok is false when no available coding is
// acceptable; the caller then answers 406.
func Negotiate(fields []string, available []Coding) (c Coding, ok bool) {
	if fields == nil {
		if len(available) == 0 {
			return "", false
		}
		return available[0], true
	}
	weights := map[Coding]int{} // per mille
	star := -1
	for _, f := range fields {
		for _, m := range strings.Split(f, ",") {
			name, q, ok := parseMember(m)
			if !ok {
				continue
			}
			if name == "*" {
				star = q
				continue
			}
			if name == "x-gzip" {
				name = string(Gzip)
			}
			weights[Coding(name)] = q
		}
	}
	best, bestQ := Coding(""), 0
	for _, a := range available {
		q, named := weights[a]
		switch {
		case named:
		case star >= 0:
			q = star
		case a == Identity:
			q = 1 // acceptable by default, below any coding named
		default:
			q = 0
		}
		if q > bestQ {
			best, bestQ = a, q
		}
	}
	return best, bestQ > 0
}

// parseMember parses one Accept-Encoding member: a coding (token) and an
// optional ";q=" weight, returned in thousandths. Other parameters are
// not defined for Accept-Encoding and make the member malformed.
func parseMember(m string) (name string, q int, ok bool) {
	name, params, _ := strings.Cut(m, ";")
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || !isToken(name) {
		return "", 0, false
	}
	q = 1000
	params = strings.TrimSpace(params)
	if params == "" {
		if strings.Contains(m, ";") {
			return "", 0, false
		}
		return name, q, true
	}
	k, v, found := strings.Cut(params, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
		return "", 0, false
	}
	q, ok = parseWeight(strings.TrimSpace(v))
	return name, q, ok
}

// parseWeight parses a qvalue (RFC 9110 §12.4.2): "0" to "1" with at most
// three decimals, returned in thousandths.
func parseWeight(v string) (int, bool) {
	intPart, frac, dot := strings.Cut(v, ".")
	if (intPart != "0" && intPart != "1") || len(frac) > 3 || (dot && strings.Trim(frac, "0123456789") != "") {
		return 0, false
	}
	if intPart == "1" {
		if strings.Trim(frac, "0") != "" {
			return 0, false
		}
		return 1000, true
	}
	if frac == "" {
		return 0, true
	}
	n, err := strconv.Atoi(frac + strings.Repeat("0", 3-len(frac)))
	return n, err == nil
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
