//go:build !js

package edge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/wallet/applepay"
	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
)

// TestApplePayConfig checks the Apple Pay members of the configuration:
// what ParseConfig refuses, and what New refuses for lack of keys or for
// keys that disagree with the merchant identifier.
func TestApplePayConfig(t *testing.T) {
	a, err := applepaytest.New(applepaytest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := json.Marshal(string(a.RootPEM()))
	h := HashAPIKey("sk_x")
	doc := func(top, merchant string) string {
		if top != "" {
			top += ","
		}
		if merchant != "" {
			merchant = `,"apple_pay":` + merchant
		}
		return `{` + top + `"merchants":[{"id":"m","secret_keys":["` + h + `"]` + merchant + `}]}`
	}
	goodTop := `"apple_pay":{"unsafe_test_root_pem":` + string(root) + `}`
	goodM := `{"merchant_identifier":"merchant.com.example"}`
	for _, tc := range []struct{ name, cfg string }{
		{"no merchant identifier", doc(goodTop, `{"supported_networks":["visa"]}`)},
		{"unknown network", doc(goodTop, `{"merchant_identifier":"merchant.com.example","supported_networks":["VISA"]}`)},
		{"unknown merchant member", doc(goodTop, `{"merchant_identifier":"merchant.com.example","merchant_name":"Shop"}`)},
		{"negative window", doc(`"apple_pay":{"signing_time_window_seconds":-1}`, goodM)},
		{"window over an hour", doc(`"apple_pay":{"signing_time_window_seconds":3601}`, goodM)},
		{"unknown member", doc(`"apple_pay":{"root_pem":"x"}`, goodM)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseConfig([]byte(tc.cfg)); !errors.Is(err, ErrConfig) {
				t.Errorf("ParseConfig = %v, want ErrConfig", err)
			}
		})
	}

	newWith := func(cfgText string, keys *applepay.KeySet) error {
		cfg, err := ParseConfig([]byte(cfgText))
		if err != nil {
			t.Fatal(err)
		}
		ks, _ := envelope.GenerateKeySet()
		keks, _ := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))))
		db, err := sqlitedb.OpenSQL(context.Background(), filepath.Join(t.TempDir(), "t.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = New(Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: sqlunit.OnSQL(db), ApplePayKeys: keys})
		return err
	}
	key := func(mid, certFor string) *applepay.KeySet {
		k, _ := applepaytest.GenerateMerchantKey()
		var cert []byte
		if certFor != "" {
			cert, _ = a.Certificate(k, certFor)
		}
		s := applepay.NewKeySet()
		if _, err := s.AddPEM(mid, k.PEM(), cert, time.Now()); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := newWith(doc(goodTop, goodM), key("m", "")); err != nil {
		t.Errorf("New with Apple Pay configured = %v", err)
	}
	if err := newWith(doc("", goodM), key("m", "merchant.com.example")); err != nil {
		t.Errorf("New with the pinned root and a certified key = %v", err)
	}
	if err := newWith(doc(goodTop, goodM), nil); !errors.Is(err, ErrConfig) {
		t.Errorf("New without an Apple Pay key set = %v, want ErrConfig", err)
	}
	if err := newWith(doc(goodTop, goodM), key("m_else", "")); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `"m"`) {
		t.Errorf("New without a key for the merchant = %v, want ErrConfig naming it", err)
	}
	if err := newWith(doc(goodTop, goodM), key("m", "merchant.com.other")); !errors.Is(err, ErrConfig) {
		t.Errorf("New with a certificate for another merchant identifier = %v, want ErrConfig", err)
	}
	if err := newWith(doc(`"apple_pay":{"unsafe_test_root_pem":"not pem"}`, goodM), key("m", "")); !errors.Is(err, ErrConfig) {
		t.Errorf("New with a test root that is not PEM = %v, want ErrConfig", err)
	}
	retired := key("m", "")
	retired.Retire(retired.Info()[0].PublicKeyHash)
	if err := newWith(doc(goodTop, goodM), retired); !errors.Is(err, ErrConfig) {
		t.Errorf("New with the merchant's only key retired = %v, want ErrConfig", err)
	}
	if _, err := ParseApplePayKeys([]byte(`{"keys":[{"mid":"m"}]}`)); !errors.Is(err, ErrConfig) {
		t.Errorf("ParseApplePayKeys of a bad set = %v, want ErrConfig", err)
	}
}
