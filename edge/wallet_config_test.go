//go:build !js

package edge

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/wallet"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay/googlepaytest"
)

// TestWalletConfig checks the Google Pay members of the configuration:
// what ParseConfig refuses, and what New refuses for lack of keys.
func TestWalletConfig(t *testing.T) {
	g, err := googlepaytest.New()
	if err != nil {
		t.Fatal(err)
	}
	roots := string(g.RootKeysJSON(time.Now().Add(time.Hour)))
	h := HashAPIKey("sk_x")
	doc := func(top, merchant string) string {
		if top != "" {
			top += ","
		}
		if merchant != "" {
			merchant = `,"google_pay":` + merchant
		}
		return `{` + top + `"merchants":[{"id":"m","secret_keys":["` + h + `"]` + merchant + `}]}`
	}
	goodTop := `"google_pay":{"environment":"TEST","root_keys":` + roots + `}`
	goodM := `{"merchant_id":"BCR2DN4T1","merchant_name":"Shop"}`
	for _, tc := range []struct{ name, cfg string }{
		{"environment", doc(`"google_pay":{"environment":"SANDBOX","root_keys":`+roots+`}`, goodM)},
		{"no root keys", doc(`"google_pay":{"environment":"TEST"}`, goodM)},
		{"root keys not Google's shape", doc(`"google_pay":{"environment":"TEST","root_keys":{"keys":[]}}`, goodM)},
		{"unknown member", doc(`"google_pay":{"environment":"TEST","root_keys":`+roots+`,"fetch":true}`, goodM)},
		{"no merchant id", doc(goodTop, `{"merchant_name":"Shop"}`)},
		{"no merchant name", doc(goodTop, `{"merchant_id":"BCR2DN4T1"}`)},
		{"unknown network", doc(goodTop, `{"merchant_id":"BCR2DN4T1","merchant_name":"Shop","allowed_card_networks":["DINERS"]}`)},
		{"unknown auth method", doc(goodTop, `{"merchant_id":"BCR2DN4T1","merchant_name":"Shop","allowed_auth_methods":["3DS"]}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseConfig([]byte(tc.cfg)); !errors.Is(err, ErrConfig) {
				t.Errorf("ParseConfig = %v, want ErrConfig", err)
			}
		})
	}

	newWith := func(cfgText string, keys *googlepay.KeySet) error {
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
		_, err = New(Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: sqlunit.OnSQL(db), GooglePayKeys: keys})
		return err
	}
	mine := googlepay.NewKeySet()
	mine.Add("m")
	others := googlepay.NewKeySet()
	others.Add("m_else")
	if err := newWith(doc(goodTop, goodM), mine); err != nil {
		t.Errorf("New with Google Pay configured = %v", err)
	}
	if err := newWith(doc(goodTop, goodM), nil); !errors.Is(err, ErrConfig) {
		t.Errorf("New without a Google Pay key set = %v, want ErrConfig", err)
	}
	if err := newWith(doc(goodTop, goodM), others); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `"m"`) {
		t.Errorf("New without a key for the merchant = %v, want ErrConfig naming it", err)
	}
	if err := newWith(doc("", goodM), mine); !errors.Is(err, ErrConfig) {
		t.Errorf("New with a merchant's google_pay but no root keys = %v, want ErrConfig", err)
	}
	if err := newWith(doc(goodTop, ""), nil); err != nil {
		t.Errorf("New with root keys and no merchant using them = %v", err)
	}
	if _, err := ParseGooglePayKeys([]byte(`{"keys":[{"kty":"EC"}]}`)); !errors.Is(err, ErrConfig) {
		t.Errorf("ParseGooglePayKeys of a bad set = %v, want ErrConfig", err)
	}
}

// TestWalletFailuresAreCardFailures: a refused wallet token counts for
// the card-testing defence like a bad envelope; a wallet the merchant has
// not turned on does not.
func TestWalletFailuresAreCardFailures(t *testing.T) {
	for _, err := range []error{wallet.ErrMalformed, wallet.ErrBadSignature, wallet.ErrKeyExpired, wallet.ErrMessageExpired,
		wallet.ErrWrongRecipient, wallet.ErrUnknownKey, wallet.ErrDecrypt} {
		if !isCardFailure(fmt.Errorf("edge: %w", err)) {
			t.Errorf("isCardFailure(%v) = false, want true", err)
		}
	}
	if isCardFailure(errWalletNotEnabled) {
		t.Error("isCardFailure(wallet_not_enabled) = true, want false")
	}
}
