package shop

import (
	"fmt"
	"strconv"
	"strings"
)

// Currency is a currency the shop sells in.
type Currency struct {
	// Code is the ISO 4217 alphabetic code, e.g. "JPY".
	Code string
	// Numeric is the ISO 4217 numeric code, e.g. "392" (EMVCo QR ID 53).
	Numeric string
	// Minor is the number of digits after the decimal point (ISO 4217
	// "minor unit"): 2 for USD, 0 for JPY.
	Minor int
	// Symbol is shown in the currency selector.
	Symbol string
}

// Currencies are the shop's currencies, with their ISO 4217 minor units
// (https://www.six-group.com/en/products-services/financial-information/data-standards.html).
var Currencies = []Currency{
	{Code: "USD", Numeric: "840", Minor: 2, Symbol: "$"},
	{Code: "EUR", Numeric: "978", Minor: 2, Symbol: "€"},
	{Code: "JPY", Numeric: "392", Minor: 0, Symbol: "¥"},
	{Code: "BRL", Numeric: "986", Minor: 2, Symbol: "R$"},
	{Code: "CNY", Numeric: "156", Minor: 2, Symbol: "¥"},
}

// CurrencyByCode returns the shop currency with ISO 4217 code c.
func CurrencyByCode(c string) (Currency, bool) {
	for _, cur := range Currencies {
		if cur.Code == c {
			return cur, true
		}
	}
	return Currency{}, false
}

// Product is the one item the example shop sells.
type Product struct {
	ID string
	// Prices are in minor units per currency code: set per market, not
	// converted at a daily rate, as cross-border shops usually do.
	Prices map[string]int64
}

// Matcha is the shop's product. Its name and description are in the
// translations (keys "product_name" and "product_desc").
var Matcha = Product{
	ID: "matcha-bowl",
	Prices: map[string]int64{
		"USD": 3800,  // $38.00
		"EUR": 3500,  // €35.00
		"JPY": 5500,  // ¥5,500 (no minor unit)
		"BRL": 18990, // R$ 189,90
		"CNY": 26800, // ¥268.00
	},
}

// ProductByID returns the product with id.
func ProductByID(id string) (Product, bool) {
	if id == Matcha.ID {
		return Matcha, true
	}
	return Product{}, false
}

// FormatMinor writes an amount in minor units as the plain decimal string
// that payment APIs and EMVCo QR codes (ID 54) use: FormatMinor(18990,
// BRL) is "189.90", FormatMinor(5500, JPY) is "5500". Shoppers see amounts
// formatted for their language by the page (Intl.NumberFormat).
func FormatMinor(amount int64, c Currency) string {
	neg := amount < 0
	if neg {
		amount = -amount
	}
	s := strconv.FormatInt(amount, 10)
	if c.Minor > 0 {
		if len(s) <= c.Minor {
			s = strings.Repeat("0", c.Minor-len(s)+1) + s
		}
		s = s[:len(s)-c.Minor] + "." + s[len(s)-c.Minor:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ParseMinor reads a plain decimal amount ("189.90", "5500") into minor
// units of c. It refuses signs, exponents, grouping and more decimals than
// the currency has.
func ParseMinor(s string, c Currency) (int64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasDot && (frac == "" || len(frac) > c.Minor)) {
		return 0, fmt.Errorf("shop: amount %q is not a plain decimal with at most %d decimals", s, c.Minor)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("shop: amount %q is not a plain decimal", s)
		}
	}
	frac += strings.Repeat("0", c.Minor-len(frac))
	return strconv.ParseInt(whole+frac, 10, 64)
}
