package card

import (
	"math/bits"
	"strconv"
	"strings"
)

// A Brand is a card scheme: its prefixes, number lengths, Luhn rule, CVC and
// display gaps. Brands are fixed data shared by the whole program; get them
// from [Brands], [BrandByID] or [DetectBrand] and compare pointers freely.
type Brand struct {
	id        string
	name      string
	cvcName   string
	cvcLength int
	lengths   []int
	luhn      bool
	gaps      []int         // default display gaps (digit counts before each space)
	gapsByLen map[int][]int // overrides for particular lengths
	prefixes  []string      // "lo" or "lo-hi", inclusive, both ends the same number of digits

	index int // position in brandTable, used as a bit in candidate sets
}

// ID returns the stable brand id used in JSON, JS and the CLI, such as "visa".
func (b *Brand) ID() string { return b.id }

// Name returns the brand's display name, such as "American Express".
func (b *Brand) Name() string { return b.name }

// CVCName returns what the brand calls its security code: CVV, CVC, CID,
// CVN, CVP2, CVE or CAV2.
func (b *Brand) CVCName() string { return b.cvcName }

// CVCLength returns the number of digits in the brand's security code.
func (b *Brand) CVCLength() int { return b.cvcLength }

// Lengths returns the numbers of digits the brand issues, in increasing order.
func (b *Brand) Lengths() []int { return append([]int(nil), b.lengths...) }

// LuhnRequired reports whether every valid number of the brand passes the
// Luhn check. It is false only for UnionPay, some of whose 62 range numbers
// carry no Luhn check digit.
func (b *Brand) LuhnRequired() bool { return b.luhn }

// Gaps returns where a number of n digits is split for display: the count of
// digits before each space. Most brands group 4-4-4-4 (and 4-4-4-4-3 for 19
// digits), American Express 4-6-5 and 14-digit Diners Club 4-6-4.
func (b *Brand) Gaps(n int) []int {
	g := b.gapsFor(n)
	out := make([]int, 0, len(g))
	for _, p := range g {
		if p < n {
			out = append(out, p)
		}
	}
	return out
}

// String returns the brand id.
func (b *Brand) String() string { return b.id }

func (b *Brand) gapsFor(n int) []int {
	if b == nil {
		return defaultGaps
	}
	if g, ok := b.gapsByLen[n]; ok {
		return g
	}
	if b.gaps != nil {
		return b.gaps
	}
	return defaultGaps
}

func (b *Brand) validLength(n int) bool {
	for _, l := range b.lengths {
		if l == n {
			return true
		}
	}
	return false
}

func (b *Brand) maxLength() int { return b.lengths[len(b.lengths)-1] }

var defaultGaps = []int{4, 8, 12, 16}

// brandTable is the one list of supported brands, in the order of DESIGN.md.
// To add a brand, add an entry here; TestBrandTable checks the invariants.
//
// Prefix ranges follow the longest-prefix rule: where a local brand is
// co-badged inside another brand's space (Elo and Dankort inside Visa, Verve
// and RuPay inside Maestro's 50, Elo, Verve, RuPay and BC Card inside
// Discover's 65), its longer range wins and the local brand is reported.
//
// Sources, read in 2024–2025:
//   - Wikipedia, "Payment card number", table of issuer identification
//     numbers: https://en.wikipedia.org/wiki/Payment_card_number
//     (Visa, Mastercard, Amex, Discover, Diners Club, JCB, Mir, RuPay, Troy,
//     Verve 507865–507964 and 650002–650027, Dankort, BC Global 6541/6556).
//   - Braintree credit-card-type, src/lib/card-types.ts:
//     https://github.com/braintree/credit-card-type (Elo's published ranges,
//     UnionPay's 81 ranges, Maestro, Hipercard 606282, Mir, CVC names, gaps).
//   - Paystack test cards and SDK card patterns, Verve 5060–5061:
//     https://paystack.com/docs/payments/test-payments
//   - Hipercard's 19-digit 384100, 384140, 384160 ranges as used by Brazilian
//     processors (e.g. github.com/paulo-silva/card_number_validator).
//   - Stripe test cards, https://docs.stripe.com/testing: 655590 is the BIN
//     of Stripe's published "BCcard and DinaCard" test card; no public BC Card
//     list goes further than Wikipedia's two ranges.
//
// Known limits of public data, resolved as noted:
//   - RuPay also issues JCB co-badged cards in 353 and 356, and Troy and RuPay
//     issue Discover co-badged cards elsewhere in 65; without a BIN table they
//     cannot be told from JCB and Discover cards (Stripe's JCB test card is
//     3566…), so those ranges stay JCB and Discover.
//   - Discover lists 622126–622925 as its own; those cards are UnionPay
//     cards accepted on Discover's network, reported as unionpay.
//   - Hiper (Itaú's brand next to Hipercard, 637095…) is not in the list of
//     supported brands; its numbers fall in Maestro's 63.
var brandTable = []*Brand{
	{
		id: "visa", name: "Visa", cvcName: "CVV", cvcLength: 3,
		lengths: []int{13, 16, 18, 19}, luhn: true,
		prefixes: []string{"4"},
	},
	{
		id: "mastercard", name: "Mastercard", cvcName: "CVC", cvcLength: 3,
		lengths: []int{16}, luhn: true,
		prefixes: []string{"51-55", "2221-2720"},
	},
	{
		id: "amex", name: "American Express", cvcName: "CID", cvcLength: 4,
		lengths: []int{15}, luhn: true, gaps: []int{4, 10},
		prefixes: []string{"34", "37"},
	},
	{
		id: "discover", name: "Discover", cvcName: "CID", cvcLength: 3,
		lengths: []int{16, 17, 18, 19}, luhn: true,
		prefixes: []string{"6011", "644-649", "65"},
	},
	{
		id: "diners", name: "Diners Club", cvcName: "CVV", cvcLength: 3,
		lengths: []int{14, 15, 16, 17, 18, 19}, luhn: true,
		gapsByLen: map[int][]int{14: {4, 10}},
		prefixes:  []string{"300-305", "3095", "36", "38-39"},
	},
	{
		id: "jcb", name: "JCB", cvcName: "CAV2", cvcLength: 3,
		lengths: []int{16, 17, 18, 19}, luhn: true,
		prefixes: []string{"3528-3589"},
	},
	{
		// UnionPay's 62 range does not always carry a Luhn check digit, so
		// numbers of a valid length are accepted whether or not they pass.
		id: "unionpay", name: "UnionPay", cvcName: "CVN", cvcLength: 3,
		lengths: []int{16, 17, 18, 19}, luhn: false,
		prefixes: []string{"62", "810", "8110-8171"},
	},
	{
		id: "maestro", name: "Maestro", cvcName: "CVC", cvcLength: 3,
		lengths: []int{12, 13, 14, 15, 16, 17, 18, 19}, luhn: true,
		prefixes: []string{"50", "56-59", "63", "67"},
	},
	{
		id: "mir", name: "Mir", cvcName: "CVP2", cvcLength: 3,
		lengths: []int{16, 17, 18, 19}, luhn: true,
		prefixes: []string{"2200-2204"},
	},
	{
		id: "rupay", name: "RuPay", cvcName: "CVV", cvcLength: 3,
		lengths: []int{16}, luhn: true,
		prefixes: []string{"60", "508", "6521-6522", "81-82"},
	},
	{
		id: "elo", name: "Elo", cvcName: "CVE", cvcLength: 3,
		lengths: []int{16}, luhn: true,
		prefixes: []string{
			"401178-401179", "431274", "438935", "451416", "457393", "457631-457632",
			"504175", "506699-506778", "509000-509999",
			"627780", "636297", "636368",
			"650031-650033", "650035-650051", "650405-650439", "650485-650538",
			"650541-650598", "650700-650718", "650720-650727", "650901-650978",
			"651652-651679", "655000-655019", "655021-655058",
		},
	},
	{
		id: "hipercard", name: "Hipercard", cvcName: "CVC", cvcLength: 3,
		lengths: []int{16, 19}, luhn: true,
		prefixes: []string{"606282", "384100", "384140", "384160"},
	},
	{
		id: "troy", name: "Troy", cvcName: "CVV", cvcLength: 3,
		lengths: []int{16}, luhn: true,
		prefixes: []string{"9792"},
	},
	{
		id: "verve", name: "Verve", cvcName: "CVV", cvcLength: 3,
		lengths: []int{16, 18, 19}, luhn: true,
		prefixes: []string{"5060-5061", "507865-507964", "650002-650027"},
	},
	{
		id: "dankort", name: "Dankort", cvcName: "CVC", cvcLength: 3,
		lengths: []int{16}, luhn: true,
		prefixes: []string{"5019", "4571"},
	},
	{
		id: "bccard", name: "BC Card", cvcName: "CVC", cvcLength: 3,
		lengths: []int{16}, luhn: true,
		prefixes: []string{"6541", "6556", "655590"},
	},
}

// maxPrefix is the longest prefix in brandTable, in digits.
const maxPrefix = 6

// A prefixRange is one parsed entry of a brand's prefixes: the first n digits
// of a number, read as an integer, lie in [lo, hi].
type prefixRange struct {
	lo, hi uint32
	n      int
	brand  *Brand
}

// ranges holds every brand's prefix ranges, longest first, so that the
// first full match found is the longest; byFirstDigit holds the same ranges
// split by their first digit, which is all a lookup needs to visit.
var (
	ranges       = buildRanges(brandTable)
	byFirstDigit = splitByFirstDigit(ranges)
)

var pow10 = [...]uint32{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}

func buildRanges(table []*Brand) []prefixRange {
	var out []prefixRange
	for i, b := range table {
		b.index = i
		for _, p := range b.prefixes {
			lo, hi, ok := strings.Cut(p, "-")
			if !ok {
				hi = lo
			}
			l, errLo := strconv.ParseUint(lo, 10, 32)
			h, errHi := strconv.ParseUint(hi, 10, 32)
			if errLo != nil || errHi != nil || len(lo) != len(hi) || len(lo) > maxPrefix || l > h || lo[0] == '0' {
				panic("sdk: internal error: bad prefix range " + strconv.Quote(p) + " for " + b.id)
			}
			out = append(out, prefixRange{lo: uint32(l), hi: uint32(h), n: len(lo), brand: b})
		}
	}
	// Insertion sort by length, longest first; stable, so table order is kept.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].n > out[j-1].n; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func splitByFirstDigit(rs []prefixRange) (out [10][]prefixRange) {
	for _, r := range rs {
		first := r.lo / pow10[r.n-1]
		out[first] = append(out[first], r)
	}
	return out
}

// Brands returns every supported brand, in a fixed order.
func Brands() []*Brand { return append([]*Brand(nil), brandTable...) }

// BrandByID returns the brand with the given id, such as "mastercard".
func BrandByID(id string) (*Brand, bool) {
	for _, b := range brandTable {
		if b.id == id {
			return b, true
		}
	}
	return nil, false
}

// DetectBrand returns the brand of a card number, complete or partly typed.
// digits must be ASCII digits only, as returned by [Normalize]; anything else
// gives nil.
//
// The longest matching prefix range wins, so co-badged local brands are
// reported. While fewer digits are typed than a range has, DetectBrand
// reports the brand of the longest range the digits already match ("4" is
// Visa, though "401178" is Elo); if they match none yet, it reports the one
// brand they can still become ("35" is JCB) and nil when that is more than
// one ("6") or none.
func DetectBrand(digits string) *Brand {
	full, cands := scan(digits)
	if full != nil {
		return full
	}
	if bits.OnesCount32(cands) == 1 {
		return brandTable[bits.TrailingZeros32(cands)]
	}
	return nil
}

// scan returns the brand of the longest range that digits fully match, and
// the set (one bit per brand index) of brands whose longer ranges digits
// could still grow into. It returns nothing for input that is empty, longer
// than 19 digits or not all ASCII digits. It does not allocate.
func scan(digits string) (full *Brand, cands uint32) {
	n := len(digits)
	if n == 0 || n > maxDigits {
		return nil, 0
	}
	var pre [maxPrefix + 1]uint32 // pre[k] is the first k digits as an integer
	for i := 0; i < n; i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return nil, 0
		}
		if i < maxPrefix {
			pre[i+1] = pre[i]*10 + uint32(c-'0')
		}
	}
	rs := byFirstDigit[digits[0]-'0']
	for i := range rs {
		r := &rs[i]
		if r.n > n {
			// Partly typed: could the digits still grow into this range?
			d := pow10[r.n-n]
			if v := pre[n]; v >= r.lo/d && v <= r.hi/d {
				cands |= 1 << r.brand.index
			}
			continue
		}
		if v := pre[r.n]; v >= r.lo && v <= r.hi {
			return r.brand, cands
		}
	}
	return nil, cands
}
