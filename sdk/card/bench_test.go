package card

import "testing"

// The benchmarks use Stripe's public test cards (testdata/test-cards.json).

func BenchmarkValidate(b *testing.B) {
	c := Card{Number: "4242 4242 4242 4242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Name: "A. Shopper"}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Validate(now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectBrand(b *testing.B) {
	for _, in := range []struct{ name, digits string }{
		{"full", "4242424242424242"},
		{"partial", "62"},
		{"co-badged", "5066991111111118"},
	} {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if DetectBrand(in.digits) == nil {
					b.Fatal("no brand")
				}
			}
		})
	}
}

func BenchmarkLuhn(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !Luhn("6205500000000000004") {
			b.Fatal("Luhn failed")
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	for _, in := range []struct{ name, input string }{
		{"digits", "4242424242424242"},
		{"spaced", "4242 4242 4242 4242"},
	} {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Normalize(in.input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckNumber(b *testing.B) {
	for _, in := range []struct{ name, input string }{
		{"valid", "4242 4242 4242 4242"},
		{"partial", "4242 42"},
	} {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				CheckNumber(in.input)
			}
		})
	}
}
