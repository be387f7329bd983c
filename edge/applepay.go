package edge

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet"
	"github.com/sealpay/sealpay/sdk/wallet/applepay"
)

// ApplePayConfig is the edge's Apple Pay setting. The trust anchor is the
// Apple Root CA – G3 pinned in sdk/wallet/applepay; nothing here replaces
// it in production.
type ApplePayConfig struct {
	// SigningTimeWindowSeconds bounds how far a token's CMS signing time
	// may be from the edge's clock, either way; 0 means 300.
	SigningTimeWindowSeconds int `json:"signing_time_window_seconds,omitempty"`
	// UnsafeTestRootPEM replaces the pinned Apple root with a stand-in's
	// (PEM). For tests only: an edge configured with it refuses every
	// real Apple Pay token.
	UnsafeTestRootPEM string `json:"unsafe_test_root_pem,omitempty"`
}

// MerchantApplePay turns Apple Pay on for a merchant.
type MerchantApplePay struct {
	// MerchantIdentifier is the merchant identifier registered with Apple
	// ("merchant.com.example"); the key derivation binds tokens to it.
	MerchantIdentifier string `json:"merchant_identifier"`
	// SupportedNetworks are Apple Pay network names (amex, chinaUnionPay,
	// discover, electron, elo, jcb, maestro, masterCard, mir, visa); empty
	// means ["masterCard","visa"].
	SupportedNetworks []string `json:"supported_networks,omitempty"`
}

// applePayNetworks maps Apple Pay's network names to brand ids.
var applePayNetworks = map[string]string{
	"amex": "amex", "chinaUnionPay": "unionpay", "discover": "discover", "electron": "visa", "elo": "elo",
	"jcb": "jcb", "maestro": "maestro", "masterCard": "mastercard", "mir": "mir", "visa": "visa",
}

// compile checks m's Apple Pay setting and fills in the defaults.
func (a *MerchantApplePay) compile() error {
	if a.MerchantIdentifier == "" || len(a.MerchantIdentifier) > 128 {
		return fmt.Errorf("apple_pay.merchant_identifier must be the Apple merchant identifier")
	}
	if len(a.SupportedNetworks) == 0 {
		a.SupportedNetworks = []string{"masterCard", "visa"}
	}
	for _, n := range a.SupportedNetworks {
		if _, ok := applePayNetworks[n]; !ok {
			return fmt.Errorf("apple_pay.supported_networks: unknown network %q", n)
		}
	}
	return nil
}

// compile checks the edge's Apple Pay setting.
func (a *ApplePayConfig) compile() error {
	if a.SigningTimeWindowSeconds < 0 || a.SigningTimeWindowSeconds > 3600 {
		return fmt.Errorf("edge: apple_pay.signing_time_window_seconds must be 0 to 3600: %w", ErrConfig)
	}
	return nil
}

// window is the configured signing time window.
func (a *ApplePayConfig) window() time.Duration {
	if a == nil || a.SigningTimeWindowSeconds == 0 {
		return applepay.DefaultSigningTimeWindow
	}
	return time.Duration(a.SigningTimeWindowSeconds) * time.Second
}

// ParseApplePayKeys parses the merchants' Apple Pay payment processing key
// set (the apple_pay_keys_file, or the SEALPAY_APPLE_PAY_KEYS secret).
func ParseApplePayKeys(b []byte) (*applepay.KeySet, error) {
	ks, err := applepay.ParseKeySet(b)
	if err != nil {
		return nil, fmt.Errorf("edge: Apple Pay keys: %v: %w", err, ErrConfig)
	}
	return ks, nil
}

// newApplePayDecrypters makes a decrypter for each merchant that has
// Apple Pay on; each needs an enabled key in keys.
func newApplePayDecrypters(cfg *Config, keys *applepay.KeySet, now func() time.Time) (map[string]*applepay.Decrypter, error) {
	out := map[string]*applepay.Decrypter{}
	for _, m := range cfg.Merchants {
		if m.ApplePay == nil {
			continue
		}
		var mk []*applepay.MerchantKey
		if keys != nil {
			mk = keys.Keys(m.ID)
		}
		if len(mk) == 0 {
			return nil, fmt.Errorf("edge: merchant %q has apple_pay but no enabled key in the Apple Pay key set (sealpay wallet keys new --wallet apple_pay): %w", m.ID, ErrConfig)
		}
		ac := applepay.Config{Keys: mk, MerchantID: m.ApplePay.MerchantIdentifier, Now: now, SigningTimeWindow: cfg.ApplePay.window()}
		if cfg.ApplePay != nil && cfg.ApplePay.UnsafeTestRootPEM != "" {
			ac.UnsafeTestRootPEM = []byte(cfg.ApplePay.UnsafeTestRootPEM)
		}
		d, err := applepay.NewDecrypter(ac)
		if err != nil {
			return nil, fmt.Errorf("edge: merchant %q: %v: %w", m.ID, err, ErrConfig)
		}
		out[m.ID] = d
	}
	return out, nil
}

// openApplePay verifies and decrypts an Apple Pay token (the paymentData
// object) for c's merchant.
func (h *Handler) openApplePay(c *call, data json.RawMessage) (*wallet.Payment, error) {
	d := h.wallets.apay[c.merchant.ID]
	if d == nil {
		return nil, errWalletNotEnabled
	}
	p, err := d.Decrypt(data)
	if err != nil {
		return nil, err
	}
	wp, ok := p.Wallet()
	if !ok {
		return nil, errWalletMethod // EMV payment data: no place for it in the vault
	}
	return &wp, nil
}

// applePayInfo is the Apple Pay part of GET /v1/wallets: what the
// merchant's page needs for its ApplePayPaymentRequest (the session
// itself, with merchant validation, is the merchant's).
type applePayInfo struct {
	MerchantIdentifier   string   `json:"merchant_identifier"`
	SupportedNetworks    []string `json:"supported_networks"`
	MerchantCapabilities []string `json:"merchant_capabilities"`
	Version              string   `json:"version"`
}

// looksLikeApplePayToken reports whether a forwarded string value is an
// Apple Pay paymentData object (JSON with version EC_v1, a header and a
// signature).
func looksLikeApplePayToken(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "{") && strings.Contains(t, `"EC_v1"`) && strings.Contains(t, `"header"`) && strings.Contains(t, `"signature"`)
}
