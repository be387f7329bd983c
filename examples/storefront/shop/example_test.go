package shop_test

import (
	"fmt"

	"github.com/sealpay/sealpay/examples/storefront/shop"
)

// Amounts travel in minor units; payment APIs and EMVCo QR codes want
// plain decimals with the currency's own number of digits.
func ExampleFormatMinor() {
	for _, code := range []string{"USD", "JPY", "BRL"} {
		c, _ := shop.CurrencyByCode(code)
		fmt.Println(code, shop.FormatMinor(shop.Matcha.Prices[code], c))
	}
	// Output:
	// USD 38.00
	// JPY 5500
	// BRL 189.90
}

// The page's language comes from ?lang= or the browser's Accept-Language,
// and brings a default currency.
func ExampleNegotiateLocale() {
	l := shop.NegotiateLocale("", "pt-PT,pt;q=0.9,en;q=0.5")
	fmt.Println(l.Tag, l.Currency)
	// Output: pt-BR BRL
}
