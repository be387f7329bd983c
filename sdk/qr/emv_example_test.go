package qr_test

import (
	"fmt"

	"github.com/sealpay/sealpay/sdk/qr"
)

func ExampleParse() {
	// The static BR Code example of Banco Central do Brasil's Pix manual.
	// In a checkout the payload comes from a scanned QR code.
	const payload = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

	p, err := qr.Parse(payload, qr.Lenient)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Scheme().Name, p.Scheme().Country)
	fmt.Println(p.MerchantName(), "/", p.City())
	fmt.Println(p.CurrencyCode(), p.Currency(), "amount:", p.Amount() == "")
	fmt.Println("reference:", p.Reference())
	key, _ := p.Lookup("26", "01")
	fmt.Println("pix key:", key)
	fmt.Println("warnings:", len(p.Warnings))
	// Output:
	// Pix BR
	// Fulano de Tal / BRASILIA
	// BRL 986 amount: true
	// reference: ***
	// pix key: 123e4567-e12b-12d1-a456-426655440000
	// warnings: 0
}

func ExampleBuild() {
	payload, err := qr.Build([]qr.Object{
		{ID: "00", Value: "01"},
		{ID: "01", Value: "12"},
		{ID: "26", Children: []qr.Object{
			{ID: "00", Value: "hk.com.hkicl"},
			{ID: "03", Value: "+852-67891234"},
		}},
		{ID: "52", Value: "0000"},
		{ID: "53", Value: "344"},
		{ID: "54", Value: "100"},
		{ID: "58", Value: "HK"},
		{ID: "59", Value: "company_1_data"},
		{ID: "60", Value: "HK"},
		{ID: "62", Children: []qr.Object{{ID: "05", Value: "INV/TEST/0001"}}},
	})
	fmt.Println(payload, err)
	// Output:
	// 00020101021226330012hk.com.hkicl0313+852-6789123452040000530334454031005802HK5914company_1_data6002HK62170513INV/TEST/00016304A154 <nil>
}
