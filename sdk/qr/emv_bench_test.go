package qr

import "testing"

// The Thai QR payload of odoo addons/l10n_th tests, a typical PromptPay
// merchant code.
const promptPayOdoo = "00020101021229370016A0000006770101110113006681070406052040000530376454031005802TH5914company_1_data6008Thailand63048B76"

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct{ name, payload string }{
		{"pix", pixManualStatic},
		{"promptpay", promptPayOdoo},
		{"emvco-spec", emvcoSpecExample},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.payload)))
			for b.Loop() {
				if _, err := Parse(bc.payload, Strict); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	p, err := Parse(emvcoSpecExample, Strict)
	if err != nil {
		b.Fatal(err)
	}
	objs := p.Objects[:len(p.Objects)-1]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(objs); err != nil {
			b.Fatal(err)
		}
	}
}
