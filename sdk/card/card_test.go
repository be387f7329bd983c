package card

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// now is the fixed clock of these tests: 15 March 2026, 10:00 UTC.
var now = time.Date(2026, time.March, 15, 10, 0, 0, 0, time.UTC)

func TestParseVectors(t *testing.T) {
	for _, v := range loadParseVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			c, err := Parse(v.bytes(t))
			if v.Expect == "ok" {
				if err != nil {
					t.Fatalf("Parse() error = %v, want nil", err)
				}
				if v.Card == nil || c != *v.Card {
					t.Errorf("Parse() = %#v, want the vector's card", c)
				}
				return
			}
			want, ok := sentinels[errcode.Code(v.Expect)]
			if !ok {
				t.Fatalf("vector expects unknown code %q", v.Expect)
			}
			if !errors.Is(err, want) || !isPackageError(err) {
				t.Errorf("Parse() error = %v (code %s), want %s", err, errcode.Of(err), v.Expect)
			}
			if c != (Card{}) {
				t.Errorf("Parse() returned a card with an error")
			}
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	doc := []byte(`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"name":"`)
	doc = append(doc, bytes.Repeat([]byte("a"), MaxDocumentSize)...)
	doc = append(doc, `"}`...)
	if _, err := Parse(doc); !errors.Is(err, ErrMalformed) {
		t.Errorf("Parse(%d bytes) error = %v, want ErrMalformed", len(doc), err)
	}
	// Just under the limit, whitespace padding is fine.
	ok := []byte(`{"number":"4242424242424242","exp_month":12,"exp_year":2030}`)
	ok = append(ok, bytes.Repeat([]byte(" "), MaxDocumentSize-len(ok))...)
	if _, err := Parse(ok); err != nil {
		t.Errorf("Parse(%d bytes) error = %v, want nil", len(ok), err)
	}
}

// valid is a card that passes Validate at now: Stripe's public test Visa.
var valid = Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Name: "A. Shopper"}

func TestValidateTestCards(t *testing.T) {
	for _, tc := range loadTestCards(t) {
		b, _ := BrandByID(tc.Brand)
		c := Card{Number: tc.Number, ExpMonth: 1, ExpYear: 2029, CVC: strings.Repeat("7", b.CVCLength())}
		err := c.Validate(now)
		if (err == nil) != tc.Valid {
			t.Errorf("Validate(%s, %s) = %v, want valid %v", tc.Brand, Mask(tc.Number), err, tc.Valid)
		}
		// The same number with spaces, as typed, validates the same way.
		c.Number = FormatNumber(tc.Number)
		if err2 := c.Validate(now); (err2 == nil) != (err == nil) {
			t.Errorf("Validate(%s formatted) = %v, unformatted %v", Mask(tc.Number), err2, err)
		}
	}
}

// TestValidateBadInput covers DESIGN.md's bad-input list for cards:
// letters, zero-width and non-ASCII digits, Luhn-valid garbage and wrong
// lengths, expiry month 00 or 13, and the CVC and name rules.
func TestValidateBadInput(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Card)
		want error
	}{
		{"letters", func(c *Card) { c.Number = "4242 4242 4242 42A2" }, ErrInvalidNumber},
		{"zero-width", func(c *Card) { c.Number = "4242\u200b424242424242" }, ErrInvalidNumber},
		{"Arabic-Indic digits", func(c *Card) { c.Number = "\u0664\u0662\u0664\u0662424242424242" }, ErrInvalidNumber},
		{"fullwidth digits", func(c *Card) { c.Number = "４２４２424242424242" }, ErrInvalidNumber},
		{"empty number", func(c *Card) { c.Number = "" }, ErrInvalidNumber},
		{"Luhn failure", func(c *Card) { c.Number = "4242424242424241" }, ErrInvalidNumber},
		{"Luhn-valid 17-digit Visa", func(c *Card) { c.Number = "42424242424242426" }, ErrInvalidNumber},
		{"Luhn-valid 15-digit Visa", func(c *Card) { c.Number = "424242424242424" }, ErrInvalidNumber},
		{"Luhn-valid 16-digit Amex", func(c *Card) { c.Number = "3782822463100051" }, ErrInvalidNumber},
		{"Luhn-valid 18-digit Mastercard", func(c *Card) { c.Number = "510000000000000008" }, ErrInvalidNumber},
		{"Luhn-valid 15-digit UnionPay", func(c *Card) { c.Number = "620000000000000" }, ErrInvalidNumber},
		{"Luhn-valid 14-digit Troy", func(c *Card) { c.Number = "97920000000003" }, ErrInvalidNumber},
		{"Luhn-valid 15-digit Elo", func(c *Card) { c.Number = "401178000000009" }, ErrInvalidNumber},
		{"Luhn-valid 15-digit Mir", func(c *Card) { c.Number = "220000000000004" }, ErrInvalidNumber},
		{"Luhn-valid 11 digits", func(c *Card) { c.Number = "42424242420" }, ErrInvalidNumber},
		{"20 digits", func(c *Card) { c.Number = "42424242424242424242" }, ErrInvalidNumber},
		{"Luhn-valid zeros", func(c *Card) { c.Number = "0000000000000000" }, ErrUnsupportedBrand},
		{"Luhn-valid unknown prefix", func(c *Card) { c.Number = "1234567812345670" }, ErrUnsupportedBrand},
		{"Luhn-valid UATP", func(c *Card) { c.Number = "135410014004955" }, ErrUnsupportedBrand},
		{"month 00", func(c *Card) { c.ExpMonth = 0 }, ErrInvalidExpiry},
		{"month 13", func(c *Card) { c.ExpMonth = 13 }, ErrInvalidExpiry},
		{"month -1", func(c *Card) { c.ExpMonth = -1 }, ErrInvalidExpiry},
		{"two-digit year", func(c *Card) { c.ExpYear = 30 }, ErrInvalidExpiry},
		{"five-digit year", func(c *Card) { c.ExpYear = 20300 }, ErrInvalidExpiry},
		{"year 21 years ahead", func(c *Card) { c.ExpYear = 2047 }, ErrInvalidExpiry},
		{"expired last year", func(c *Card) { c.ExpYear = 2025 }, ErrExpired},
		{"expired last month", func(c *Card) { c.ExpMonth, c.ExpYear = 2, 2026 }, ErrExpired},
		{"expired long ago", func(c *Card) { c.ExpMonth, c.ExpYear = 1, 1999 }, ErrExpired},
		{"CVC too long for Visa", func(c *Card) { c.CVC = "1234" }, ErrInvalidCVC},
		{"CVC too short", func(c *Card) { c.CVC = "12" }, ErrInvalidCVC},
		{"CVC with a letter", func(c *Card) { c.CVC = "12a" }, ErrInvalidCVC},
		{"CVC with a space", func(c *Card) { c.CVC = "12 3" }, ErrInvalidCVC},
		{"CVC in non-ASCII digits", func(c *Card) { c.CVC = "\u0661\u0662\u0663" }, ErrInvalidCVC},
		{"3-digit CVC for Amex", func(c *Card) { c.Number, c.CVC = "378282246310005", "123" }, ErrInvalidCVC},
		{"name too long", func(c *Card) { c.Name = strings.Repeat("é", 65) }, ErrMalformed},
		{"name with NUL", func(c *Card) { c.Name = "A\x00B" }, ErrMalformed},
		{"name with newline", func(c *Card) { c.Name = "A\nB" }, ErrMalformed},
		{"name with right-to-left override", func(c *Card) { c.Name = "A\u202eB" }, ErrMalformed},
		{"name with invalid UTF-8", func(c *Card) { c.Name = "A\xffB" }, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.edit(&c)
			err := c.Validate(now)
			if !errors.Is(err, tc.want) || !isPackageError(err) {
				t.Errorf("Validate() = %v (code %s), want %v", err, errcode.Of(err), tc.want)
			}
		})
	}
}

func TestValidateGood(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Card)
	}{
		{"as is", func(c *Card) {}},
		{"no CVC", func(c *Card) { c.CVC = "" }},
		{"no name", func(c *Card) { c.Name = "" }},
		{"number with separators", func(c *Card) { c.Number = "4242-4242 4242\u00a04242" }},
		{"4-digit CVC for Amex", func(c *Card) { c.Number, c.CVC = "378282246310005", "1234" }},
		{"expires this month", func(c *Card) { c.ExpMonth, c.ExpYear = 3, 2026 }},
		{"20 years ahead", func(c *Card) { c.ExpYear = 2046 }},
		{"64-character name", func(c *Card) { c.Name = strings.Repeat("é", 64) }},
		{"name with surrounding spaces", func(c *Card) { c.Name = "  " + strings.Repeat("a", 64) + " " }},
		{"name with zero-width joiner", func(c *Card) { c.Name = "क्\u200dष" }},
		{"non-Latin name", func(c *Card) { c.Name = "山田 太郎" }},
		{"UnionPay failing Luhn", func(c *Card) { c.Number = "6200000000000001" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.edit(&c)
			if err := c.Validate(now); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

// TestValidateExpiryBoundary pins the documented rule: valid through the
// last day of the expiry month, until midnight in UTC−12.
func TestValidateExpiryBoundary(t *testing.T) {
	c := Card{Number: "4242424242424242", ExpMonth: 6, ExpYear: 2026}
	tests := []struct {
		at   time.Time
		want error
	}{
		{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), nil},
		{time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC), nil},
		{time.Date(2026, 7, 1, 11, 59, 59, 999999999, time.UTC), nil},
		{time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), ErrExpired},
		// The same instant seen from another zone is the same instant.
		{time.Date(2026, 7, 1, 21, 0, 0, 0, time.FixedZone("JST", 9*3600)), ErrExpired},
		{time.Date(2026, 7, 1, 0, 30, 0, 0, time.FixedZone("HST", -10*3600)), nil},
	}
	for _, tc := range tests {
		err := c.Validate(tc.at)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("Validate(06/2026) at %v = %v, want %v", tc.at, err, tc.want)
		}
	}
	// December rolls into the next year.
	dec := Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2026}
	if err := dec.Validate(time.Date(2027, 1, 1, 11, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("Validate(12/2026) on 1 January 2027 11:00 UTC = %v, want nil", err)
	}
	if err := dec.Validate(time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)); !errors.Is(err, ErrExpired) {
		t.Errorf("Validate(12/2026) on 1 January 2027 12:00 UTC = %v, want ErrExpired", err)
	}
}

func TestValidateMessages(t *testing.T) {
	tests := []struct {
		edit func(*Card)
		want string
	}{
		{func(c *Card) { c.Number = "4242424242424241" }, "card: invalid number (16 digits, Luhn check failed)"},
		{func(c *Card) { c.Number = "42424242424242426" }, "card: invalid number (17 digits, not a visa length)"},
		{func(c *Card) { c.Number = "1234567812345670" }, "card: unsupported brand (16 digits, prefix of no supported brand)"},
		{func(c *Card) { c.ExpMonth = 13 }, "card: invalid expiry (month 13, want 1 to 12)"},
		{func(c *Card) { c.ExpYear = 2025 }, "card: card expired (end of 12/2025)"},
		{func(c *Card) { c.Number, c.CVC = "378282246310005", "123" }, "card: invalid cvc (3 digits, amex needs 4)"},
	}
	for _, tc := range tests {
		c := valid
		tc.edit(&c)
		if err := c.Validate(now); err == nil || err.Error() != tc.want {
			t.Errorf("Validate() = %v, want %q", err, tc.want)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		in          string
		month, year int
	}{
		{"12/30", 12, 2030},
		{"12/2030", 12, 2030},
		{"12 / 30", 12, 2030},
		{" 01/27 ", 1, 2027},
		{"1/27", 1, 2027},
		{"01-2027", 1, 2027},
		{"0127", 1, 2027},
		{"012027", 1, 2027},
		{"12 30", 12, 2030},
		{"09/00", 9, 2000},
	}
	for _, tc := range tests {
		m, y, err := ParseExpiry(tc.in)
		if err != nil || m != tc.month || y != tc.year {
			t.Errorf("ParseExpiry(%q) = %d, %d, %v, want %d, %d, nil", tc.in, m, y, err, tc.month, tc.year)
		}
	}
	for _, in := range []string{
		"00/30", "13/30", "00/2030", "13/2030", "0030", "1330", "99/99",
		"", "/", "12/", "/30", "12/3", "12/203", "12/20301", "123", "12345",
		"1/2/30", "12//30", "ab/cd", "12/3O", "１２/３０", "12.30", "120/30",
		"12/30 extra", strings.Repeat("1", 40),
	} {
		m, y, err := ParseExpiry(in)
		if !errors.Is(err, ErrInvalidExpiry) || m != 0 || y != 0 {
			t.Errorf("ParseExpiry(%q) = %d, %d, %v, want 0, 0, ErrInvalidExpiry", in, m, y, err)
		}
	}
}

// TestRedaction checks that a Card prints as brand and last four digits
// under every fmt verb, through pointers and inside other values.
func TestRedaction(t *testing.T) {
	c := Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "987", Name: "A. Shopper"}
	// got is masked in the messages: it is what might leak.
	if got, want := c.String(), "card(visa ****4242)"; got != want {
		t.Errorf("String() = %q, want %q", redactNumbers(got), want)
	}
	if got, want := c.GoString(), `card.Card{Brand:"visa", Last4:"4242", Number:"[redacted]", CVC:"[redacted]"}`; got != want {
		t.Errorf("GoString() = %q, want %q", redactNumbers(got), want)
	}
	outer := struct {
		C Card
		P *Card
	}{c, &c}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10.3v", "%-v"} {
		for _, arg := range []any{c, &c, outer, []Card{c}, map[string]Card{"k": c}} {
			out := fmt.Sprintf(format, arg)
			for i, secret := range []string{"4242424242424242", "424242424242", "987", "A. Shopper", "2030"} {
				if strings.Contains(out, secret) {
					// Neither the output nor the secret: they are what leaked.
					t.Errorf("Sprintf(%q, %T) shows secret %d (number, its first 12 digits, CVC, name, expiry year)", format, arg, i)
				}
			}
		}
	}
	short := Card{Number: "4242"}
	if got, want := short.String(), "card(unknown)"; got != want {
		t.Errorf("String() of a short number = %q, want %q", redactNumbers(got), want)
	}
	if got, want := (Card{Number: "1234567812345670"}).String(), "card(unknown ****5670)"; got != want {
		t.Errorf("String() of an unknown brand = %q, want %q", redactNumbers(got), want)
	}
}
