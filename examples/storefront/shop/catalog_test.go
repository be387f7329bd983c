package shop

import (
	"encoding/json"
	"os"
	"testing"
)

type amountCase struct {
	Currency string `json:"currency"`
	Minor    int64  `json:"minor"`
	Decimal  string `json:"decimal"`
}

func loadAmounts(t testing.TB) (good, bad []amountCase) {
	b, err := os.ReadFile("testdata/amounts.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases, Bad []amountCase }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 || len(doc.Bad) == 0 {
		t.Fatal("testdata/amounts.json has no cases")
	}
	return doc.Cases, doc.Bad
}

func currency(t testing.TB, code string) Currency {
	c, ok := CurrencyByCode(code)
	if !ok {
		t.Fatalf("CurrencyByCode(%q) not found", code)
	}
	return c
}

func TestFormatParseMinor(t *testing.T) {
	good, bad := loadAmounts(t)
	for _, tc := range good {
		t.Run(tc.Currency+"/"+tc.Decimal, func(t *testing.T) {
			c := currency(t, tc.Currency)
			if got := FormatMinor(tc.Minor, c); got != tc.Decimal {
				t.Errorf("FormatMinor(%d, %s) = %q, want %q", tc.Minor, tc.Currency, got, tc.Decimal)
			}
			got, err := ParseMinor(tc.Decimal, c)
			if err != nil || got != tc.Minor {
				t.Errorf("ParseMinor(%q, %s) = %d, %v, want %d", tc.Decimal, tc.Currency, got, err, tc.Minor)
			}
		})
	}
	for _, tc := range bad {
		t.Run("bad/"+tc.Currency+"/"+tc.Decimal, func(t *testing.T) {
			if got, err := ParseMinor(tc.Decimal, currency(t, tc.Currency)); err == nil {
				t.Errorf("ParseMinor(%q, %s) = %d, nil, want an error", tc.Decimal, tc.Currency, got)
			}
		})
	}
}

func TestCatalog(t *testing.T) {
	want := map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "BRL": 2, "CNY": 2}
	for code, minor := range want {
		c := currency(t, code)
		if c.Minor != minor {
			t.Errorf("%s minor units = %d, want %d", code, c.Minor, minor)
		}
		if p := Matcha.Prices[code]; p <= 0 {
			t.Errorf("Matcha has no price in %s", code)
		}
	}
	if len(Currencies) != len(want) {
		t.Errorf("len(Currencies) = %d, want %d", len(Currencies), len(want))
	}
	for _, l := range Locales {
		if _, ok := CurrencyByCode(l.Currency); !ok {
			t.Errorf("locale %s defaults to %s, which the shop does not sell in", l.Tag, l.Currency)
		}
	}
}

// FuzzMinor checks the round trip: any amount ParseMinor accepts formats
// back to the same minor units, and a formatted amount parses back.
func FuzzMinor(f *testing.F) {
	good, bad := loadAmounts(f)
	for _, tc := range append(good, bad...) {
		f.Add(tc.Currency, tc.Decimal)
	}
	f.Fuzz(func(t *testing.T, code, s string) {
		c, ok := CurrencyByCode(code)
		if !ok {
			return
		}
		n, err := ParseMinor(s, c)
		if err != nil {
			return
		}
		back := FormatMinor(n, c)
		if n2, err := ParseMinor(back, c); err != nil || n2 != n {
			t.Fatalf("ParseMinor(FormatMinor(%d)) = %d, %v", n, n2, err)
		}
	})
}
