package qr

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestPayeeAccounts(t *testing.T) {
	visa := Object{ID: "02", Value: "4000123412341234"}
	cert := &Certificate{Accounts: []Object{pixAccount, visa}}
	tests := []struct {
		name string
		objs []Object
		bad  string
		ok   bool
	}{
		{"registered template", []Object{{ID: "00", Value: "01"}, pixAccount, {ID: "59", Value: "x"}}, "", true},
		{"registered template and network", []Object{visa, pixAccount}, "", true},
		{"template under another ID", []Object{{ID: "51", Value: pixAccount.Value}}, "", true},
		{"other template value", []Object{muleAccount}, "26", false},
		{"registered and an extra template", []Object{pixAccount, {ID: "27", Value: muleAccount.Value}}, "27", false},
		{"template value as a network object", []Object{{ID: "02", Value: pixAccount.Value}}, "02", false},
		{"network value under another network ID", []Object{{ID: "04", Value: visa.Value}}, "04", false},
		{"network value as a template", []Object{{ID: "26", Value: visa.Value}}, "26", false},
		{"GUID in another case", []Object{{ID: "26", Value: strings.Replace(pixAccount.Value, "br.gov.bcb.pix", "BR.GOV.BCB.PIX", 1)}}, "26", false},
		{"no account object", []Object{{ID: "00", Value: "01"}, {ID: "59", Value: "x"}, {ID: "62", Value: pixAccount.Value}}, "", false},
		{"none at all", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad, ok := cert.payeeAccounts(tc.objs)
			if bad != tc.bad || ok != tc.ok {
				t.Errorf("payeeAccounts = %q, %v, want %q, %v", bad, ok, tc.bad, tc.ok)
			}
		})
	}
}

func TestCertifyAccounts(t *testing.T) {
	f := newFixture(t)
	tmpl := Certificate{MerchantID: "m_1", Name: "Loja", PublicKey: f.fulano.Public(), NotBefore: fxNotBefore, NotAfter: fxNotAfter}

	t.Run("normalised", func(t *testing.T) {
		c := tmpl
		c.Accounts = []Object{
			{ID: "26", Children: []Object{{ID: "00", Value: "br.gov.bcb.pix"}, {ID: "01", Value: "123e4567-e12b-12d1-a456-426655440000"}}},
			{ID: "27", Value: pixAccount.Value}, // the same account under another ID
			{ID: "02", Value: "4000123412341234"},
		}
		got, err := f.root.Certify(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Accounts) != 2 || got.Accounts[0].Value != pixAccount.Value || got.Accounts[1].ID != "02" {
			t.Fatalf("Accounts = %+v, want the Pix template then the Visa object", got.Accounts)
		}
		if guid := got.Accounts[0].Children[0].Value; guid != "br.gov.bcb.pix" {
			t.Errorf("Accounts[0] GUID = %q, want br.gov.bcb.pix", guid)
		}
		// The caller's template is not aliased.
		c.Accounts[0].Children[0].Value = "x"
		if got.Accounts[0].Children[0].Value != "br.gov.bcb.pix" {
			t.Error("Certify kept a reference to the template's accounts")
		}
		b, _ := json.Marshal(got)
		if !bytes.Contains(b, []byte(`"accounts":["26580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000","02164000123412341234"]`)) {
			t.Errorf("certificate JSON %s lacks the accounts in EMVCo form", b)
		}
		back, err := ParseCertificate(b)
		if err != nil {
			t.Fatalf("ParseCertificate = %v", err)
		}
		if b2, _ := json.Marshal(back); !bytes.Equal(b, b2) || !back.verify(f.root.Public()) {
			t.Errorf("round trip: %s, want %s (signature ok: %v)", b2, b, back.verify(f.root.Public()))
		}
		// The signature covers the accounts.
		back.Accounts[0] = Object{ID: "26", Value: muleAccount.Value}
		if back.verify(f.root.Public()) {
			t.Error("certificate with a changed account still verifies")
		}
	})

	many := make([]Object, maxAccounts+1)
	for i := range many {
		many[i] = pixKey(strings.Repeat("k", i+1))
	}
	for _, tc := range []struct {
		name     string
		accounts []Object
	}{
		{"ID 01", []Object{{ID: "01", Value: "12"}}},
		{"ID 52", []Object{{ID: "52", Value: "5411"}}},
		{"ID not digits", []Object{{ID: "2x", Value: "1"}}},
		{"empty network value", []Object{{ID: "02", Value: ""}}},
		{"network object with sub-objects", []Object{{ID: "02", Children: []Object{{ID: "00", Value: "x"}}}}},
		{"template not data objects", []Object{{ID: "26", Value: "br.gov.bcb.pix"}}},
		{"template without GUID first", []Object{{ID: "26", Value: "0105abcde0014br.gov.bcb.pix"}}},
		{"template with empty GUID", []Object{{ID: "26", Value: "00000105abcde"}}},
		{"control character", []Object{{ID: "02", Value: "4000\n1234"}}},
		{"over 99 characters", []Object{{ID: "02", Value: strings.Repeat("1", 100)}}},
		{"too many", many},
		{"GUID only", []Object{{ID: "26", Value: "0014br.gov.bcb.pix"}}},
		{"unknown scheme, GUID only", []Object{{ID: "26", Value: "0011com.example"}}},
		{"GUID with a space", []Object{{ID: "26", Value: "0008com pay.0103abc"}}},
		{"GUID of 33 characters", []Object{{ID: "26", Value: "0033" + strings.Repeat("g", 33) + "0103abc"}}},
		{"Pix key of no kind", []Object{pixKey("fulano")}},
		{"Pix CPF of 10 digits", []Object{pixKey("1234567890")}},
		{"Pix phone outside Brazil", []Object{pixKey("+15551234567")}},
		{"Pix e-mail without a domain", []Object{pixKey("fulano@")}},
		{"Pix UUID with a non-hex digit", []Object{pixKey("123e4567-e12b-12d1-a456-42665544000g")}},
		{"Pix key in 02 only", []Object{{ID: "26", Value: "0014br.gov.bcb.pix0211fulano@x.y"}}},
		{"PromptPay local mobile number", []Object{{ID: "29", Value: "0016A00000067701011101130812345678000"}}},
		{"PromptPay two proxies", []Object{{ID: "29", Value: "0016A00000067701011101130066812345678" + "02130105536012345"}}},
		{"PromptPay no proxy", []Object{{ID: "29", Value: "0016A0000006770101110503abc"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tmpl
			c.Accounts = tc.accounts
			if _, err := f.root.Certify(c); !errors.Is(err, ErrInvalidCertificate) {
				t.Errorf("Certify = %v, want ErrInvalidCertificate", err)
			}
		})
	}

	// Accounts that pass the registry's rules.
	for _, tc := range []struct {
		name    string
		account Object
	}{
		{"Pix CPF", pixKey("12345678909")},
		{"Pix CNPJ", pixKey("12345678000195")},
		{"Pix phone", pixKey("+5561988887777")},
		{"Pix e-mail", pixKey("fulano@example.com")},
		{"Pix random key", pixAccount},
		{"Pix dynamic location", Object{ID: "26", Value: "0014br.gov.bcb.pix2531pix.example.com/qr/v2/cobv/abc1"}},
		{"PromptPay mobile", Object{ID: "29", Value: "0016A00000067701011101130066812345678"}},
		{"PromptPay tax ID", Object{ID: "29", Value: "0016A00000067701011102130105536012345"}},
		{"PromptPay e-wallet", Object{ID: "29", Value: "0016A0000006770101110315140000000000001"}},
		{"KHQR account ID in 00", Object{ID: "29", Value: "0011fulano@abaa"}},
		{"unknown scheme with an account", Object{ID: "26", Value: "0011com.example0103abc"}},
		{"card network", Object{ID: "02", Value: "4000 1234"}},
	} {
		t.Run("accepted: "+tc.name, func(t *testing.T) {
			c := tmpl
			c.Accounts = []Object{tc.account}
			if _, err := f.root.Certify(c); err != nil {
				t.Errorf("Certify = %v, want a certificate", err)
			}
		})
	}

	// A certificate file whose accounts are not canonical is refused.
	good, _ := json.Marshal(f.certFulano)
	for _, tc := range []struct{ name, old, new string }{
		{"two objects in one entry", `"26580014`, `"02011026580014`},
		{"trailing data", `426655440000"`, `426655440000X"`},
		{"duplicate", `"accounts":["26580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"`, `"accounts":["26580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000","27580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"`},
	} {
		t.Run("file: "+tc.name, func(t *testing.T) {
			if !bytes.Contains(good, []byte(tc.old)) {
				t.Fatalf("certificate JSON has no %s", tc.old)
			}
			if _, err := ParseCertificate(bytes.Replace(good, []byte(tc.old), []byte(tc.new), 1)); !errors.Is(err, ErrInvalidCertificate) {
				t.Errorf("ParseCertificate = %v, want ErrInvalidCertificate", err)
			}
		})
	}
}
