package qr_test

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/sealpay/sealpay/sdk/qr"
)

// A merchant's static Pix code, as its bank issues it.
const staticPix = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

// certify stands for the registry's onboarding: it certifies the
// merchant's key for its name and for the accounts of its static code.
func certify(root *qr.RootKey, key *qr.MerchantKey, static string) *qr.Certificate {
	p, _ := qr.Parse(static, qr.Lenient)
	now := time.Now()
	cert, err := root.Certify(qr.Certificate{
		MerchantID: "m_fulano", Name: "Fulano de Tal", Accounts: p.Accounts(), PublicKey: key.Public(),
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
	})
	if err != nil {
		panic(err)
	}
	return cert
}

func ExampleSign() {
	// In production the registry's root key stays offline and certifies the
	// merchant's key once, at onboarding; the merchant loads its key with
	// qr.ParseMerchantKey from its secret store.
	root, _ := qr.GenerateRootKey()
	key, _ := qr.GenerateMerchantKey()
	cert := certify(root, key, staticPix)

	payload, err := qr.Sign(staticPix, key, cert, qr.SignOptions{Amount: "49.90", Currency: "BRL", Reference: "PEDIDO123"})
	if err != nil {
		panic(err)
	}
	// Any wallet reads the signed code as the same Pix payment.
	p, _ := qr.Parse(payload, qr.Strict)
	fmt.Println(p.Scheme().ID, p.MerchantName(), p.Amount(), p.CurrencyCode(), p.Reference())
	// Output: pix Fulano de Tal 49.90 BRL PEDIDO123
}

func ExampleVerify() {
	// The registry publishes a signed trust bundle; the app pins the
	// registry's root public key in its code.
	root, _ := qr.GenerateRootKey()
	key, _ := qr.GenerateMerchantKey()
	cert := certify(root, key, staticPix)
	now := time.Now()
	bundle, _ := root.SignBundle(qr.Bundle{Version: 1, IssuedAt: now, Certificates: []qr.Certificate{*cert}})
	trust, err := qr.LoadTrustBundle(bundle, []ed25519.PublicKey{root.Public()}, now)
	if err != nil {
		panic(err)
	}
	payload, _ := qr.Sign(staticPix, key, cert, qr.SignOptions{Amount: "49.90", Currency: "BRL"})

	v := qr.Verify(payload, trust, qr.VerifyOptions{
		Expect: &qr.Expectation{Amount: "49.90", Currency: "BRL"},
		Lang:   "pt-BR",
	})
	fmt.Println(v.Status, "—", v.Headline, "— warnings:", len(v.Warnings))

	v = qr.Verify(staticPix, trust, qr.VerifyOptions{Lang: "en-GB"})
	fmt.Println(v.Status, "—", v.Headline)
	// Output:
	// verified — Verificado: Fulano de Tal — warnings: 0
	// unsigned — Unsigned QR — check the payee
}
