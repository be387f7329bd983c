package edge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/token"
	"github.com/sealpay/sealpay/sdk/wallet"
	"github.com/sealpay/sealpay/sdk/wallet/applepay"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
)

// Wallet payments (docs/wallets.md): POST /v1/tokens with
// {"wallet":"google_pay","payment_data":"<the token string>"} opens the
// wallet's token for the merchant, stores its number like a card's and its
// cryptogram and ECI like a CVC, and answers like a card tokenize.

var (
	errWalletNotEnabled = errcode.New(errcode.WalletNotEnabled, "edge: this wallet is not enabled for the merchant")
	errWalletMethod     = errcode.New(errcode.WalletNotEnabled, "edge: the wallet payment's auth method or card network is not one the merchant allows")
)

// GooglePayConfig is the edge's Google Pay setting: the environment and
// Google's root signing keys for it, from Google's key file (config,
// never fetched).
type GooglePayConfig struct {
	// Environment is "TEST" or "PRODUCTION".
	Environment string `json:"environment"`
	// RootKeys is Google's root signing key file, inline (its JSON as is).
	RootKeys json.RawMessage `json:"root_keys,omitempty"`
	// RootKeysFile is a file holding it (native only), resolved relative
	// to the configuration file.
	RootKeysFile string `json:"root_keys_file,omitempty"`

	roots *googlepay.RootKeys
}

// MerchantGooglePay turns Google Pay on for a merchant.
type MerchantGooglePay struct {
	// MerchantID is the merchant's Google merchant id: tokens must be
	// signed for recipient "merchant:" + MerchantID.
	MerchantID string `json:"merchant_id"`
	// MerchantName is shown in Google's payment sheet.
	MerchantName string `json:"merchant_name"`
	// AllowedCardNetworks are Google Pay network names (VISA,
	// MASTERCARD, AMEX, DISCOVER, JCB, INTERAC, ELO, MAESTRO,
	// ELECTRON); empty means ["MASTERCARD","VISA"].
	AllowedCardNetworks []string `json:"allowed_card_networks,omitempty"`
	// AllowedAuthMethods are PAN_ONLY and/or CRYPTOGRAM_3DS; empty means
	// both.
	AllowedAuthMethods []string `json:"allowed_auth_methods,omitempty"`
}

// googlePayNetworks maps Google Pay's network names to brand ids.
var googlePayNetworks = map[string]string{
	"AMEX": "amex", "DISCOVER": "discover", "ELECTRON": "visa", "ELO": "elo", "INTERAC": "interac",
	"JCB": "jcb", "MAESTRO": "maestro", "MASTERCARD": "mastercard", "VISA": "visa",
}

// compile checks m's Google Pay setting and fills in the defaults.
func (g *MerchantGooglePay) compile() error {
	if g.MerchantID == "" || len(g.MerchantID) > 64 {
		return fmt.Errorf("google_pay.merchant_id must be the Google merchant id")
	}
	if g.MerchantName == "" || len(g.MerchantName) > 100 {
		return fmt.Errorf("google_pay.merchant_name must be 1 to 100 characters")
	}
	if len(g.AllowedCardNetworks) == 0 {
		g.AllowedCardNetworks = []string{"MASTERCARD", "VISA"}
	}
	for _, n := range g.AllowedCardNetworks {
		if _, ok := googlePayNetworks[n]; !ok {
			return fmt.Errorf("google_pay.allowed_card_networks: unknown network %q", n)
		}
	}
	if len(g.AllowedAuthMethods) == 0 {
		g.AllowedAuthMethods = []string{string(wallet.PANOnly), string(wallet.Cryptogram3DS)}
	}
	for _, a := range g.AllowedAuthMethods {
		if a != string(wallet.PANOnly) && a != string(wallet.Cryptogram3DS) {
			return fmt.Errorf("google_pay.allowed_auth_methods: %q is neither PAN_ONLY nor CRYPTOGRAM_3DS", a)
		}
	}
	return nil
}

// compile parses the root keys.
func (g *GooglePayConfig) compile() error {
	if len(g.RootKeys) == 0 {
		if g.RootKeysFile != "" {
			return nil // LoadConfig reads it
		}
		return fmt.Errorf("edge: google_pay needs root_keys (Google's key file) or root_keys_file: %w", ErrConfig)
	}
	roots, err := googlepay.ParseRootKeys(googlepay.Environment(g.Environment), g.RootKeys)
	if err != nil {
		return fmt.Errorf("edge: google_pay.root_keys: %v: %w", err, ErrConfig)
	}
	g.roots = roots
	return nil
}

// walletState is what the handler keeps for wallets.
type walletState struct {
	env    string
	gpay   map[string]*googlepay.Recipient // by Sealpay merchant id
	gpKeys *googlepay.KeySet
	apay   map[string]*applepay.Decrypter // by Sealpay merchant id
}

// newWalletState makes a Google Pay recipient for each merchant that has
// Google Pay on; each needs a primary key in keys.
func newWalletState(cfg *Config, keys *googlepay.KeySet, now func() time.Time) (walletState, error) {
	ws := walletState{gpay: map[string]*googlepay.Recipient{}, gpKeys: keys}
	var others []string
	for _, m := range cfg.Merchants {
		if m.GooglePay != nil {
			others = append(others, m.GooglePay.MerchantID)
		}
	}
	if len(others) == 0 {
		return ws, nil
	}
	if cfg.GooglePay == nil || cfg.GooglePay.roots == nil {
		return ws, fmt.Errorf("edge: merchants have google_pay but the edge has no google_pay root_keys: %w", ErrConfig)
	}
	ws.env = cfg.GooglePay.Environment
	for _, m := range cfg.Merchants {
		if m.GooglePay == nil {
			continue
		}
		if keys == nil || keys.PublicKey(m.ID) == "" {
			return ws, fmt.Errorf("edge: merchant %q has google_pay but no key in the Google Pay key set (sealpay wallet keys new): %w", m.ID, ErrConfig)
		}
		r, err := googlepay.NewRecipient(googlepay.Config{
			RootKeys: cfg.GooglePay.roots, MerchantID: m.GooglePay.MerchantID,
			Keys: keys, KeyOwner: m.ID, OtherMerchantIDs: others, Now: now,
		})
		if err != nil {
			return ws, fmt.Errorf("edge: merchant %q: %v: %w", m.ID, err, ErrConfig)
		}
		ws.gpay[m.ID] = r
	}
	return ws, nil
}

// openWallet verifies and decrypts a wallet token for c's merchant.
func (h *Handler) openWallet(c *call, name string, data json.RawMessage) (*wallet.Payment, error) {
	switch wallet.Name(name) {
	case wallet.GooglePay:
		if h.wallets.gpay[c.merchant.ID] == nil {
			return nil, errWalletNotEnabled
		}
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("edge: payment_data must be the Google Pay token, a JSON string: %w", wallet.ErrMalformed)
		}
		return h.openGooglePay(c, s)
	case wallet.ApplePay:
		if h.wallets.apay[c.merchant.ID] == nil {
			return nil, errWalletNotEnabled
		}
		// The paymentData object, or the same as a JSON string.
		var s string
		if json.Unmarshal(data, &s) == nil {
			data = json.RawMessage(s)
		}
		return h.openApplePay(c, data)
	}
	return nil, fmt.Errorf("edge: \"wallet\" must be google_pay or apple_pay: %w", ErrBadRequest)
}

// openGooglePay opens a Google Pay token (the tokenizationData.token
// string) for c's merchant.
func (h *Handler) openGooglePay(c *call, tok string) (*wallet.Payment, error) {
	r := h.wallets.gpay[c.merchant.ID]
	if r == nil {
		return nil, errWalletNotEnabled
	}
	p, err := r.Open([]byte(tok))
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.merchant.GooglePay.AllowedAuthMethods, string(p.AuthMethod)) {
		return nil, errWalletMethod
	}
	return p, nil
}

// prepareWallet checks a wallet payment's card and returns the token it
// will be and the statements that store it: the number as a card, the
// cryptogram and ECI like a CVC, the message id as a jti (each wallet
// message is accepted once).
func (h *Handler) prepareWallet(ctx context.Context, c *call, p *wallet.Payment, singleUse bool) (token.Stored, []sqlunit.Stmt, error) {
	cd := card.Card{Number: p.Number, ExpMonth: p.ExpMonth, ExpYear: p.ExpYear}
	if err := cd.Validate(c.now); err != nil {
		return token.Stored{}, nil, err
	}
	brand := card.DetectBrand(p.Number)
	if brand == nil {
		return token.Stored{}, nil, card.ErrUnsupportedBrand
	}
	if p.Wallet == wallet.GooglePay && c.merchant.GooglePay != nil && !networkAllowed(googlePayNetworks, c.merchant.GooglePay.AllowedCardNetworks, brand.ID()) {
		return token.Stored{}, nil, errWalletMethod
	}
	if p.Wallet == wallet.ApplePay && c.merchant.ApplePay != nil && !networkAllowed(applePayNetworks, c.merchant.ApplePay.SupportedNetworks, brand.ID()) {
		return token.Stored{}, nil, errWalletMethod
	}
	sum := sha256.Sum256([]byte(string(p.Wallet) + "\x00" + p.MessageID))
	s, stmts, err := h.vault.PrepareTokenize(ctx, c.merchant.ID, cd, brand.ID(), token.TokenizeOptions{
		SingleUse: singleUse,
		// The jti outlives the message: a replay is refused as a
		// replay for as long as the message could still be accepted.
		JTI:        "wallet:" + hex.EncodeToString(sum[:16]),
		JTIExpires: p.Expires.Add(envelopeSkew),
		Cryptogram: p.Cryptogram,
		ECI:        p.ECI,
	})
	if err != nil {
		return token.Stored{}, nil, err
	}
	c.tokens = append(c.tokens, s.Token)
	return s, stmts, nil
}

// networkAllowed reports whether brand is the brand of one of networks,
// named as in names (a wallet's network names to brand ids).
func networkAllowed(names map[string]string, networks []string, brand string) bool {
	return slices.ContainsFunc(networks, func(n string) bool { return names[n] == brand })
}

// tokenizeWallet is POST /v1/tokens for a wallet token.
func (h *Handler) tokenizeWallet(c *call, req tokenizeRequest, singleUse bool) (*response, error) {
	p, err := h.openWallet(c, req.Wallet, req.PaymentData)
	if err != nil {
		h.risk.attempt(c.r.Context(), c, "", err)
		return nil, err
	}
	ctx := dbContext(c.r.Context())
	s, stmts, err := h.prepareWallet(ctx, c, p, singleUse)
	if err == nil {
		stmts = append(stmts, h.risk.recordStmts(c, s.Fingerprint)...)
		_, err = h.vault.Exec(ctx, sqlunit.Unit{Stmts: stmts, Tail: h.success(c, "tokenize")})
	}
	if err != nil {
		h.risk.attempt(c.r.Context(), c, "", err)
		c.tokens = nil
		return nil, err
	}
	a := answerFor(s, false)
	a.Wallet, a.AuthMethod = string(p.Wallet), string(p.AuthMethod)
	if s.SingleUse {
		exp := s.Expires.UTC()
		a.Expires = &exp
	}
	return &response{status: 201, body: a}, nil
}

// googlePayInfo is the Google Pay part of GET /v1/wallets: what the
// frame's button needs for PaymentDataRequest.
type googlePayInfo struct {
	Environment         string   `json:"environment"`
	MerchantID          string   `json:"merchant_id"`
	MerchantName        string   `json:"merchant_name"`
	ProtocolVersion     string   `json:"protocol_version"`
	PublicKey           string   `json:"public_key"`
	AllowedCardNetworks []string `json:"allowed_card_networks"`
	AllowedAuthMethods  []string `json:"allowed_auth_methods"`
}

// walletsAnswer is the answer of GET /v1/wallets; a wallet the merchant
// has not turned on is null.
type walletsAnswer struct {
	GooglePay *googlePayInfo `json:"google_pay"`
	ApplePay  *applePayInfo  `json:"apple_pay"`
}

// walletInfo answers GET /v1/wallets.
func (h *Handler) walletInfo(c *call) (*response, error) {
	c.target = "wallets"
	var a walletsAnswer
	if g := c.merchant.GooglePay; g != nil && h.wallets.gpay[c.merchant.ID] != nil {
		a.GooglePay = &googlePayInfo{
			Environment: h.wallets.env, MerchantID: g.MerchantID, MerchantName: g.MerchantName,
			ProtocolVersion: googlepay.ECv2, PublicKey: h.wallets.gpKeys.PublicKey(c.merchant.ID),
			AllowedCardNetworks: g.AllowedCardNetworks, AllowedAuthMethods: g.AllowedAuthMethods,
		}
	}
	if ap := c.merchant.ApplePay; ap != nil && h.wallets.apay[c.merchant.ID] != nil {
		a.ApplePay = &applePayInfo{
			MerchantIdentifier: ap.MerchantIdentifier, SupportedNetworks: ap.SupportedNetworks,
			MerchantCapabilities: []string{"supports3DS"}, Version: applepay.Version,
		}
	}
	return &response{status: 200, body: a}, nil
}

// looksLikeGooglePayToken reports whether a forwarded string value is a
// Google Pay token (a JSON object with protocolVersion and signedMessage).
func looksLikeGooglePayToken(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "{") && strings.Contains(t, `"protocolVersion"`) && strings.Contains(t, `"signedMessage"`)
}

// ParseGooglePayKeys parses the merchants' Google Pay key set (the
// google_pay_keys_file, or the Worker's SEALPAY_GOOGLE_PAY_KEYS secret),
// a file written by `sealpay wallet keys new`.
func ParseGooglePayKeys(b []byte) (*googlepay.KeySet, error) {
	ks, err := googlepay.ParseKeySet(b)
	if err != nil {
		return nil, fmt.Errorf("edge: Google Pay key set: %v: %w", err, ErrConfig)
	}
	return ks, nil
}
