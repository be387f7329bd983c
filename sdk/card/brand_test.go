package card

import (
	"slices"
	"strconv"
	"testing"
)

func TestBrandTable(t *testing.T) {
	// The brand ids of DESIGN.md, in its order.
	want := []string{"visa", "mastercard", "amex", "discover", "diners", "jcb",
		"unionpay", "maestro", "mir", "rupay", "elo", "hipercard", "troy",
		"verve", "dankort", "bccard"}
	var got []string
	for _, b := range Brands() {
		got = append(got, b.ID())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Brands() ids = %v, want %v", got, want)
	}
	if len(brandTable) > 32 {
		t.Fatalf("%d brands; candidate sets hold 32", len(brandTable))
	}
	for _, b := range Brands() {
		if b.Name() == "" || b.CVCName() == "" {
			t.Errorf("%s: empty name or CVC name", b)
		}
		if b.CVCLength() != 3 && b.CVCLength() != 4 {
			t.Errorf("%s: CVCLength() = %d, want 3 or 4", b, b.CVCLength())
		}
		l := b.Lengths()
		if len(l) == 0 || !slices.IsSorted(l) || l[0] < minDigits || l[len(l)-1] > maxDigits {
			t.Errorf("%s: Lengths() = %v, want sorted within %d..%d", b, l, minDigits, maxDigits)
		}
		if len(b.prefixes) == 0 {
			t.Errorf("%s: no prefixes", b)
		}
		// Only UnionPay issues numbers without a Luhn check digit.
		if got, want := b.LuhnRequired(), b.ID() != "unionpay"; got != want {
			t.Errorf("%s: LuhnRequired() = %v, want %v", b, got, want)
		}
		if b.String() != b.ID() {
			t.Errorf("String() = %q, want %q", b.String(), b.ID())
		}
		if got, ok := BrandByID(b.ID()); !ok || got != b {
			t.Errorf("BrandByID(%q) = %v, %v, want %v, true", b.ID(), got, ok, b)
		}
	}
	if b, ok := BrandByID("visa-electron"); ok || b != nil {
		t.Errorf("BrandByID(unknown) = %v, %v, want nil, false", b, ok)
	}
	// No two ranges of the same length overlap, so that the longest match is
	// always one brand.
	for i, r := range ranges {
		for _, s := range ranges[i+1:] {
			if r.n == s.n && r.lo <= s.hi && s.lo <= r.hi {
				t.Errorf("ranges %d-%d (%s) and %d-%d (%s) overlap", r.lo, r.hi, r.brand, s.lo, s.hi, s.brand)
			}
		}
	}
	// The first-digit index holds every range once, under its first digit.
	total := 0
	for d, rs := range byFirstDigit {
		total += len(rs)
		for _, r := range rs {
			if strconv.FormatUint(uint64(r.lo), 10)[0]-'0' != byte(d) {
				t.Errorf("range %d-%d filed under %d", r.lo, r.hi, d)
			}
		}
	}
	if total != len(ranges) {
		t.Errorf("byFirstDigit holds %d ranges, want %d", total, len(ranges))
	}
	// The accessors hand out copies.
	v := brandTable[0]
	v.Lengths()[0] = 99
	v.Gaps(16)[0] = 99
	if v.Lengths()[0] == 99 || v.Gaps(16)[0] == 99 {
		t.Error("Lengths or Gaps returned the table's own slice")
	}
	Brands()[0] = nil
	if Brands()[0] == nil {
		t.Error("Brands returned the table itself")
	}
}

func TestBuildRangesRejectsBadPrefixes(t *testing.T) {
	for _, p := range []string{"", "4x", "55-51", "5-55", "0", "1234567", "12-"} {
		t.Run(p, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("buildRanges accepted prefix %q", p)
				}
			}()
			buildRanges([]*Brand{{id: "test", prefixes: []string{p}}})
		})
	}
}

func TestDetectBrandTestCards(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range loadTestCards(t) {
		seen[c.Brand] = true
		t.Run(c.Brand+"/"+c.Source, func(t *testing.T) {
			b := DetectBrand(c.Number)
			if b == nil || b.ID() != c.Brand {
				t.Errorf("DetectBrand(%s) = %v, want %s", Mask(c.Number), b, c.Brand)
			}
			if b != nil && !slices.Contains(b.Lengths(), len(c.Number)) {
				t.Errorf("%s: %d digits not in %v", Mask(c.Number), len(c.Number), b.Lengths())
			}
		})
	}
	for _, b := range Brands() {
		if !seen[b.ID()] {
			t.Errorf("test-cards.json has no number for %s", b)
		}
	}
}

// TestDetectBrandBoundaries checks the edges of each range: the first and
// last prefix inside, and the first outside on each side. Prefixes are
// typed as is, so they also exercise detection on partial input.
func TestDetectBrandBoundaries(t *testing.T) {
	tests := []struct {
		prefix string
		want   string // "" for nil
	}{
		{"3", ""}, {"4", "visa"}, {"49", "visa"}, {"5", ""},

		{"50", "maestro"}, {"51", "mastercard"}, {"55", "mastercard"}, {"56", "maestro"},
		{"2220", ""}, {"2221", "mastercard"}, {"2720", "mastercard"}, {"2721", ""},
		{"222", "mastercard"}, {"27", "mastercard"}, {"28", ""},

		{"33", ""}, {"34", "amex"}, {"35", "jcb"}, {"37", "amex"},

		{"6010", "rupay"}, {"6011", "discover"}, {"6012", "rupay"},
		{"643", ""}, {"644", "discover"}, {"649", "discover"}, {"650", "discover"}, {"64", "discover"},
		{"65", "discover"}, {"66", ""},

		{"299", ""}, {"300", "diners"}, {"305", "diners"}, {"306", ""},
		{"3094", ""}, {"3095", "diners"}, {"3096", ""}, {"30", "diners"},
		{"36", "diners"}, {"38", "diners"}, {"39", "diners"}, {"40", "visa"},

		{"3527", ""}, {"3528", "jcb"}, {"3589", "jcb"}, {"3590", ""},

		{"61", ""}, {"62", "unionpay"}, {"63", "maestro"},
		{"809", ""}, {"810", "unionpay"}, {"811", "rupay"}, {"8109", "unionpay"},
		{"8110", "unionpay"}, {"8171", "unionpay"}, {"8172", "rupay"},

		{"59", "maestro"}, {"66", ""}, {"67", "maestro"}, {"68", ""},

		{"2199", ""}, {"2200", "mir"}, {"2204", "mir"}, {"2205", ""}, {"220", "mir"}, {"22", ""},

		{"59", "maestro"}, {"60", "rupay"}, {"507", "maestro"}, {"508", "rupay"}, {"509", "maestro"},
		{"6520", "discover"}, {"6521", "rupay"}, {"6522", "rupay"}, {"6523", "discover"},
		{"80", ""}, {"81", "rupay"}, {"82", "rupay"}, {"83", ""}, {"8", ""},

		{"401177", "visa"}, {"401178", "elo"}, {"401179", "elo"}, {"401180", "visa"},
		{"431273", "visa"}, {"431274", "elo"}, {"431275", "visa"},
		{"457630", "visa"}, {"457631", "elo"}, {"457632", "elo"}, {"457633", "visa"},
		{"504174", "maestro"}, {"504175", "elo"}, {"504176", "maestro"},
		{"506698", "maestro"}, {"506699", "elo"}, {"506778", "elo"}, {"506779", "maestro"},
		{"508999", "rupay"}, {"509000", "elo"}, {"509999", "elo"},
		{"627779", "unionpay"}, {"627780", "elo"}, {"627781", "unionpay"},
		{"636296", "maestro"}, {"636297", "elo"}, {"636298", "maestro"},
		{"650030", "discover"}, {"650031", "elo"}, {"650033", "elo"}, {"650034", "discover"},
		{"650051", "elo"}, {"650052", "discover"},
		{"655020", "discover"}, {"655021", "elo"}, {"655058", "elo"}, {"655059", "discover"},

		{"606281", "rupay"}, {"606282", "hipercard"}, {"606283", "rupay"},
		{"384099", "diners"}, {"384100", "hipercard"}, {"384101", "diners"},
		{"384160", "hipercard"}, {"384161", "diners"},

		{"9", "troy"}, {"97", "troy"}, {"9791", ""}, {"9792", "troy"}, {"9793", ""}, {"98", ""},

		{"505", "maestro"}, {"5059", "maestro"}, {"5060", "verve"}, {"5061", "verve"}, {"5062", "maestro"},
		{"507864", "maestro"}, {"507865", "verve"}, {"507964", "verve"}, {"507965", "maestro"},
		{"650001", "discover"}, {"650002", "verve"}, {"650027", "verve"}, {"650028", "discover"},

		{"5018", "maestro"}, {"5019", "dankort"}, {"5020", "maestro"},
		{"4570", "visa"}, {"4571", "dankort"}, {"4572", "visa"},

		{"6540", "discover"}, {"6541", "bccard"}, {"6542", "discover"},
		{"6555", "discover"}, {"6556", "bccard"}, {"6557", "discover"},
		{"655589", "discover"}, {"655590", "bccard"}, {"655591", "discover"},

		{"", ""}, {"0", ""}, {"1", ""}, {"7", ""},
	}
	for _, tc := range tests {
		t.Run(tc.prefix, func(t *testing.T) {
			got := DetectBrand(tc.prefix)
			if id := idOf(got); id != tc.want {
				t.Errorf("DetectBrand(%q) = %q, want %q", tc.prefix, id, tc.want)
			}
		})
	}
}

// TestDetectBrandEveryRange checks that the first and last prefix of every
// range in the table, typed on its own, give the range's brand, and that the
// prefixes just outside do not come from this range.
func TestDetectBrandEveryRange(t *testing.T) {
	for _, r := range ranges {
		for _, v := range []uint32{r.lo, r.hi} {
			p := strconv.FormatUint(uint64(v), 10)
			if got := DetectBrand(p); got != r.brand {
				t.Errorf("DetectBrand(%q) = %v, want %v", p, got, r.brand)
			}
		}
		for _, v := range []uint32{r.lo - 1, r.hi + 1} {
			p := strconv.FormatUint(uint64(v), 10)
			if len(p) != r.n {
				continue // 4-1 is "3": a shorter prefix, not a neighbour
			}
			if got := DetectBrand(p); got == r.brand && !inOtherRange(p, r) {
				t.Errorf("DetectBrand(%q) = %v just outside %d-%d", p, got, r.lo, r.hi)
			}
		}
	}
}

// inOtherRange reports whether p lies in, or can still grow into, a range
// of r's brand other than r.
func inOtherRange(p string, r prefixRange) bool {
	for _, s := range ranges {
		if s.brand != r.brand || s == r {
			continue
		}
		if s.n <= len(p) {
			v, _ := strconv.ParseUint(p[:s.n], 10, 32)
			if uint32(v) >= s.lo && uint32(v) <= s.hi {
				return true
			}
			continue
		}
		v, _ := strconv.ParseUint(p, 10, 32)
		if d := pow10[s.n-len(p)]; uint32(v) >= s.lo/d && uint32(v) <= s.hi/d {
			return true
		}
	}
	return false
}

func TestDetectBrandRejectsNonDigits(t *testing.T) {
	for _, in := range []string{"4242 4242", "4242-4242", "x", "４２", "4242424242424242424242"} {
		if b := DetectBrand(in); b != nil {
			t.Errorf("DetectBrand(%s) = %v, want nil", shown(in), b)
		}
	}
}

func TestBrandGaps(t *testing.T) {
	tests := []struct {
		brand string
		n     int
		want  []int
	}{
		{"visa", 16, []int{4, 8, 12}},
		{"visa", 19, []int{4, 8, 12, 16}},
		{"visa", 13, []int{4, 8, 12}},
		{"visa", 4, nil},
		{"amex", 15, []int{4, 10}},
		{"diners", 14, []int{4, 10}},
		{"diners", 16, []int{4, 8, 12}},
		{"unionpay", 19, []int{4, 8, 12, 16}},
	}
	for _, tc := range tests {
		b, _ := BrandByID(tc.brand)
		if got := b.Gaps(tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("%s.Gaps(%d) = %v, want %v", tc.brand, tc.n, got, tc.want)
		}
	}
}

func idOf(b *Brand) string {
	if b == nil {
		return ""
	}
	return b.ID()
}
