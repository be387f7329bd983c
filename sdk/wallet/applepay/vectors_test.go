package applepay

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet"
)

// The public sample: a real Apple Pay EC_v1 token (sandbox, Mastercard
// device account), signed by Apple's production chain up to Apple Root CA –
// G3, with the merchant's payment processing key and certificate. Source:
// github.com/spreedly/gala, test/fixtures/{token.json,private_key.pem,
// certificate.pem} and the expected values of test/payment_token_test.rb,
// commit 734a1c429b9872171dd6d1e049b17414f0878a21 (MIT licence). Its CMS
// signing time is 2021-09-01T19:03:06Z, inside its leaf's validity
// (2019-05-18 to 2024-05-16); the tests set the clock there.
var galaSigningTime = time.Date(2021, 9, 1, 19, 3, 6, 0, time.UTC)

func galaDecrypter(t testing.TB, now time.Time, withCert bool) *Decrypter {
	t.Helper()
	keyPEM := readTestdata(t, "gala-merchant-key.pem")
	var certPEM []byte
	if withCert {
		certPEM = readTestdata(t, "gala-merchant-cert.pem")
	}
	k, err := ParseMerchantKeyPEM(keyPEM, certPEM)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Keys: []*MerchantKey{k}, Now: func() time.Time { return now }}
	if !withCert {
		cfg.MerchantID = "merchant.test.spreedly.123merchant"
	}
	d, err := NewDecrypter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGalaSample(t *testing.T) {
	token := readTestdata(t, "gala-token.json")
	for _, withCert := range []bool{true, false} {
		name := "merchant id from certificate"
		if !withCert {
			name = "merchant id configured"
		}
		t.Run(name, func(t *testing.T) {
			d := galaDecrypter(t, galaSigningTime.Add(time.Minute), withCert)
			p, err := d.Decrypt(token)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			want := Payment{
				AccountNumber: "5353756319181169",
				ExpYear:       2024, ExpMonth: 9, ExpDay: 30,
				CurrencyCode:                 "840",
				TransactionAmount:            100,
				DeviceManufacturerIdentifier: "050110030273",
				Type:                         Type3DSecure,
				Cryptogram:                   "AMwBRjPWDnAgAA7Rls7mAoABFA==",
				TransactionID:                "f7f133694685bab2f44ae3a7b54e2c0d0d39a3bc73fa2e6b14a2baf628d6ce87",
				SigningTime:                  galaSigningTime,
				Expires:                      galaSigningTime.Add(DefaultSigningTimeWindow),
				PublicKeyHash:                "+9VwJrqieiPF2ZRB0xHFYhgQ6RYza5hfrVLpdB1KtKI=",
			}
			// Mastercard tokens carry no eciIndicator (ECI stays "").
			if *p != want {
				t.Errorf("payment differs from the sample's expected values:\n got %v\nwant %v", p, want)
				if p.AccountNumber != want.AccountNumber {
					t.Error("account number differs")
				}
				if p.Cryptogram != want.Cryptogram {
					t.Error("cryptogram differs")
				}
			}
			wp, ok := p.Wallet()
			if !ok || wp.Wallet != wallet.ApplePay || wp.Number != want.AccountNumber || wp.Cryptogram != want.Cryptogram ||
				wp.AuthMethod != wallet.Cryptogram3DS || wp.ExpMonth != 9 || wp.ExpYear != 2024 || wp.MessageID != want.TransactionID || !wp.Expires.Equal(want.Expires) {
				t.Errorf("Wallet() = %v, %v", wp, ok)
			}
			for _, s := range []string{p.String(), p.GoString(), fmt.Sprintf("%v %+v %#v %s %d", p, *p, wp, *p, *p), string(mustJSON(t, p))} {
				if strings.Contains(s, want.AccountNumber) || strings.Contains(s, want.Cryptogram) {
					t.Error("card number or cryptogram found in Payment.String")
				}
			}
		})
	}
}

// TestGalaSampleClock: the real sample at today's clock is refused as
// expired; around its signing time the window's boundaries hold.
func TestGalaSampleClock(t *testing.T) {
	token := readTestdata(t, "gala-token.json")
	for _, c := range []struct {
		name string
		now  time.Time
		want error
	}{
		{"real clock", time.Now(), ErrMessageExpired},
		{"5 min after", galaSigningTime.Add(5 * time.Minute), nil},
		{"5 min 1 s after", galaSigningTime.Add(5*time.Minute + time.Second), ErrMessageExpired},
		{"5 min before", galaSigningTime.Add(-5 * time.Minute), nil},
		{"5 min 1 s before", galaSigningTime.Add(-5*time.Minute - time.Second), ErrMessageExpired},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := galaDecrypter(t, c.now, true).Decrypt(token)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("Decrypt = %v, want %v", err, c.want)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
