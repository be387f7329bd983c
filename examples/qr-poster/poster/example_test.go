package poster_test

import (
	"fmt"

	"github.com/sealpay/sealpay/examples/qr-poster/poster"
	"github.com/sealpay/sealpay/sdk/qr"
)

// A tampered copy is a well-formed payload with a correct CRC: only a
// signature check tells it from the original.
func ExampleTamper() {
	original, _ := qr.Build([]qr.Object{
		{ID: "00", Value: "01"}, {ID: "01", Value: "12"},
		{ID: "26", Children: []qr.Object{{ID: "00", Value: "com.sealpay"}, {ID: "01", Value: "m_hikari"}}},
		{ID: "52", Value: "5719"}, {ID: "53", Value: "392"}, {ID: "54", Value: "5500"},
		{ID: "58", Value: "JP"}, {ID: "59", Value: "HIKARI CERAMICS"}, {ID: "60", Value: "KYOTO"},
	})
	tampered, _ := poster.Tamper(original, "55000")
	p, err := qr.Parse(tampered, qr.Strict)
	fmt.Println(err == nil, p.Amount(), p.MerchantName(), tampered[len(tampered)-8:] != original[len(original)-8:])
	// Output: true 55000 HIKARI CERAMICS true
}
