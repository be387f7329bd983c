package envelope

import (
	"testing"
	"time"
)

func BenchmarkSeal(b *testing.B) {
	ks := vectorKeySet(b)
	pub := ks.Public()
	opts := SealOptions{MerchantID: "m_demo", Origin: "https://shop.example", Now: testNow}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Seal(pub, testCard, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	ks := vectorKeySet(b)
	opts := SealOptions{MerchantID: "m_demo", Origin: "https://shop.example", Now: testNow}
	env, err := Seal(ks.Public(), testCard, opts)
	if err != nil {
		b.Fatal(err)
	}
	oo := OpenOptions{MerchantID: "m_demo", Origin: "https://shop.example", Now: testNow.Add(time.Minute)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(ks, env, oo); err != nil {
			b.Fatal(err)
		}
	}
}
