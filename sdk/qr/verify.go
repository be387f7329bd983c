package qr

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// clockSkew is the tolerance on signature expiry and certificate validity:
// phones' clocks drift, and a code should not fail at the till because of
// it.
const clockSkew = 5 * time.Minute

// Status is a verdict's outcome.
type Status string

// The three outcomes of [Verify].
const (
	// Verified: a good signature by a certified, unrevoked merchant key,
	// in time, not replayed, and matching what the checkout expects.
	Verified Status = "verified"
	// Unsigned: a well-formed code that carries no signature, such as a
	// bank's static Pix or PromptPay code. Show the payee and warn.
	Unsigned Status = "unsigned"
	// Rejected: do not pay. Reasons says why.
	Rejected Status = "rejected"
)

// Reason is one finding of [Verify].
type Reason struct {
	// Code is the stable error code, e.g. "qr_bad_signature".
	Code errcode.Code `json:"code"`
	// Detail narrows the code where it helps: for qr_suspicious_url the
	// check that failed ("lookalike", "shortener", …), for qr_mismatch the
	// field ("amount", "currency", "payee"), for qr_expired what expired
	// ("signature", "certificate", or "trust_bundle": the verifier's trust
	// bundle is out of date), for qr_bad_signature what the certificate
	// does not cover ("merchant_id", "payee_name", "payee_account").
	Detail string `json:"detail,omitempty"`
	// Message is the localized text for the shopper.
	Message string `json:"message"`
}

// Verdict is the result of [Verify]. Its JSON form is also the HTTP and
// JavaScript verdict.
type Verdict struct {
	Status Status `json:"status"`
	// Headline is the one line to show: "Verified: {merchant}", "Unsigned
	// QR — check the payee" or "Do not pay: {first reason}", localized.
	Headline string `json:"headline"`
	// Reasons is empty for a verified code, holds one qr_unsigned reason
	// for an unsigned one, and at least one other reason otherwise.
	Reasons []Reason `json:"reasons"`
	// Warnings are findings that do not stop a code from verifying, in the
	// shape of reasons; set only when Status is Verified. This version of
	// Verify defines one: qr_replayed (detail used_at_checkout) when the
	// code's nonce was already used at the merchant's checkout, for a
	// Verify that is not the checkout's own (see [VerifyOptions.Nonces]).
	// Show any that appear.
	Warnings []Reason `json:"warnings,omitempty"`
	// Merchant and MerchantID are the certified display name and ID; set
	// only when Status is Verified.
	Merchant   string `json:"merchant,omitempty"`
	MerchantID string `json:"merchant_id,omitempty"`
	// Scheme is the payment scheme's ID ("pix", "promptpay", …; "upi",
	// "wechatpay", "alipay" or "url" for links).
	Scheme string `json:"scheme,omitempty"`
	// Payee is what the code names as the payee (ID 59; a link's host).
	// Unless Status is Verified, nobody vouches for it.
	Payee     string `json:"payee,omitempty"`
	Amount    string `json:"amount,omitempty"`
	Currency  string `json:"currency,omitempty"`
	Reference string `json:"reference,omitempty"`
	// ExpiresAt is the signed expiry, Unix seconds, for signed codes.
	ExpiresAt int64 `json:"expires_at,omitempty"`
	// Lang is the language of the messages, e.g. "pt-BR".
	Lang string `json:"lang"`
}

// Expectation is what the checkout expects the code to say. Empty fields
// are not checked.
type Expectation struct {
	// Payee is the merchant the shopper is paying: compared, ignoring case
	// and spacing, with the payee name (ID 59) and, for a verified code,
	// with the certified merchant ID and names.
	Payee string
	// Amount is compared as a decimal number ("10.5" equals "10.50").
	Amount string
	// Currency is an ISO 4217 code, alphabetic or numeric.
	Currency string
	// Domains are the merchant's web domains, for the look-alike checks on
	// link codes, in addition to those certified in the trust bundle.
	Domains []string
}

// VerifyOptions configure [Verify].
type VerifyOptions struct {
	// Expect, if set, rejects a code that differs from it (qr_mismatch).
	Expect *Expectation
	// Nonces, if set, keeps each signed code's nonce. Only the checkout's
	// own verify of its own code (Checkout is the code's merchant) records
	// it, and rejects a code whose nonce it recorded before (qr_replayed);
	// nonces are recorded only for codes that pass every other check. Any
	// other verify — the shopper's, anyone's — only looks the nonce up: a
	// code whose nonce the checkout recorded is still Verified, with a
	// qr_replayed warning (the code was already used to pay), so that
	// nobody can use up a code's nonce by verifying it first.
	Nonces NonceStore
	// Checkout is the merchant ID of the checkout that runs this Verify,
	// as the caller has established it (the edge: from the merchant's
	// secret key). Empty for everyone else.
	Checkout string
	// Now is the time to check expiry against; zero means time.Now().
	Now time.Time
	// Lang is a BCP 47 tag or an Accept-Language value for the messages;
	// it is matched to the supported languages, falling back to English.
	Lang string
}

// Verify checks a scanned payment QR code and returns the verdict to show
// the shopper. It never fails: every problem is a [Reason].
//
// An EMVCo payload is parsed ([Lenient]); if it carries a Sealpay signature
// (docs/qr-v1.md), the signing key must be certified in trust and not
// revoked, the signature must verify, the signed merchant ID must be the
// certificate's, the payee name one of the certificate's names and each
// merchant account object (02–51) one of its accounts (else
// qr_bad_signature, detail "merchant_id", "payee_name" or "payee_account"),
// and the code, the certificate and the trust bundle must be in date. A payload that is a URL
// goes through the quishing checks of docs/qr-v1.md §6, each finding a
// qr_suspicious_url reason. Then the expectation is compared, and last the
// nonce store consulted.
func Verify(payload string, trust *TrustBundle, opts VerifyOptions) *Verdict {
	v := new(Verdict)
	c := verifier{v: v, lang: matchLang(opts.Lang), opts: opts, trust: trust, now: opts.Now}
	if c.now.IsZero() {
		c.now = time.Now()
	}
	v.Lang = c.lang
	c.run(payload)
	c.finish()
	return v
}

// verifier is one Verify call. It lives on the stack: the verdict and
// the reasons of a rejected code are all Verify allocates besides the
// parsed payload.
type verifier struct {
	v     *Verdict
	lang  string
	opts  VerifyOptions
	trust *TrustBundle
	now   time.Time
	cert  *trustedCert // set once the signature is authenticated
	rs    []Reason
	warn  []Reason
}

func (c *verifier) add(code errcode.Code, detail string) {
	c.rs = append(c.rs, newReason(code, detail, c.lang))
}

func (c *verifier) run(payload string) {
	if looksLikeURL(payload) {
		c.link(payload)
		c.expect()
		return
	}
	p, err := Parse(payload, Lenient)
	if err != nil {
		if errors.Is(err, ErrBadCRC) {
			c.add(errcode.QRBadCRC, "")
		} else {
			c.add(errcode.QRMalformed, "")
		}
		return
	}
	v := c.v
	v.Scheme = p.Scheme().ID
	v.Payee = p.MerchantName()
	v.Amount = p.Amount()
	v.Currency = p.CurrencyCode()
	if v.Currency == "" {
		v.Currency = p.Currency()
	}
	v.Reference = p.Reference()

	var s sigFields
	found, prefix, err := findSignature(p, &s)
	switch {
	case err != nil:
		c.add(errcode.QRMalformed, "signature")
		return
	case !found:
		c.add(errcode.QRUnsigned, "")
		c.expect()
		return
	}
	v.ExpiresAt = s.expiry
	var cert *trustedCert
	if c.trust != nil {
		cert = c.trust.certs[s.keyID]
		// First, so that the headline says why: a stale bundle may lack
		// revocations (and this merchant's certificate).
		if c.trust.expired(c.now) {
			c.add(errcode.QRExpired, "trust_bundle")
		}
	}
	switch {
	case cert == nil:
		c.add(errcode.QRUnknownKey, "")
	case c.trust.isRevoked(s.keyID):
		c.add(errcode.QRRevoked, "")
	case !cert.verify(&s, prefix):
		c.add(errcode.QRBadSignature, "")
	case s.merchantID != cert.MerchantID:
		c.add(errcode.QRBadSignature, "merchant_id")
	case !cert.payeeAllowed(v.Payee):
		c.add(errcode.QRBadSignature, "payee_name")
	case !accountsOK(&cert.Certificate, p.Objects):
		// A certificate without accounts covers none: loaders refuse such
		// certificates, and this keeps a hand-built one from verifying.
		c.add(errcode.QRBadSignature, "payee_account")
	default:
		c.cert = cert
		if c.now.After(time.Unix(s.expiry, 0).Add(clockSkew)) {
			c.add(errcode.QRExpired, "signature")
		}
		if !cert.validAt(c.now) {
			c.add(errcode.QRExpired, "certificate")
		}
	}
	c.expect()
	if len(c.rs) == 0 && c.opts.Nonces != nil {
		nonce := s.keyID + "." + s.nonce
		if c.opts.Checkout != "" && c.opts.Checkout == c.cert.MerchantID {
			replayed, err := c.opts.Nonces.Seen(nonce, time.Unix(s.expiry, 0).Add(clockSkew))
			switch {
			case err != nil:
				c.add(errcode.Internal, "nonce_store")
			case replayed:
				c.add(errcode.QRReplayed, "")
			}
			return
		}
		used, err := c.opts.Nonces.Recorded(nonce)
		switch {
		case err != nil:
			c.add(errcode.Internal, "nonce_store")
		case used:
			c.warn = append(c.warn, newReason(errcode.QRReplayed, "used_at_checkout", c.lang))
		}
	}
}

func accountsOK(c *Certificate, objs []Object) bool {
	_, ok := c.payeeAccounts(objs)
	return ok
}

// expect compares the code with the checkout's expectation.
func (c *verifier) expect() {
	e := c.opts.Expect
	if e == nil {
		return
	}
	if e.Payee != "" && !c.payeeMatches(e.Payee) {
		c.add(errcode.QRMismatch, "payee")
	}
	if e.Amount != "" && !sameAmount(e.Amount, c.v.Amount) {
		c.add(errcode.QRMismatch, "amount")
	}
	if e.Currency != "" {
		want, ok1 := currencyNumeric(e.Currency)
		got, ok2 := currencyNumeric(c.v.Currency)
		if !ok1 || !ok2 || want != got {
			c.add(errcode.QRMismatch, "currency")
		}
	}
}

func (c *verifier) payeeMatches(want string) bool {
	if sameName(want, c.v.Payee) {
		return true
	}
	return c.cert != nil && (want == c.cert.MerchantID || c.cert.payeeAllowed(want))
}

// link checks a URL-style code.
func (c *verifier) link(raw string) {
	var domains []string
	if c.opts.Expect != nil {
		domains = append(domains, c.opts.Expect.Domains...)
	}
	if c.trust != nil {
		domains = append(domains, c.trust.domains...)
	}
	found := false
	checkURL(raw, domains, func(d string) {
		found = true
		if !slices.ContainsFunc(c.rs, func(r Reason) bool { return r.Detail == d }) {
			c.add(errcode.QRSuspiciousURL, d)
		}
	})
	if !found {
		c.add(errcode.QRUnsigned, "")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "upi":
		q := u.Query()
		c.v.Scheme, c.v.Payee, c.v.Amount, c.v.Currency = "upi", q.Get("pn"), q.Get("am"), q.Get("cu")
		c.v.Reference = q.Get("tr")
	case scheme == "wxp":
		c.v.Scheme = "wechatpay"
	default:
		c.v.Scheme = "url"
		c.v.Payee = strings.ToLower(u.Hostname())
		if c.v.Payee == "qr.alipay.com" {
			c.v.Scheme = "alipay"
		}
	}
	if len(c.v.Payee) > 256 {
		c.v.Payee = truncate(c.v.Payee, 64)
	}
}

// finish sets the status and headline from the reasons.
func (c *verifier) finish() {
	v := c.v
	v.Reasons = c.rs
	if v.Reasons == nil {
		v.Reasons = []Reason{}
	}
	var first *Reason
	for i := range v.Reasons {
		if v.Reasons[i].Code != errcode.QRUnsigned {
			first = &v.Reasons[i]
			break
		}
	}
	switch {
	case first != nil:
		v.Status = Rejected
		v.Headline = message("headline.rejected", c.lang, "reason", first.Message)
	case len(v.Reasons) > 0:
		v.Status = Unsigned
		v.Headline = message("headline.unsigned", c.lang)
	case c.cert != nil:
		v.Status = Verified
		v.Merchant, v.MerchantID = c.cert.Name, c.cert.MerchantID
		v.Warnings = c.warn
		v.Headline = message("headline.verified", c.lang, "merchant", v.Merchant)
	default:
		// Unreachable: every path without a certificate adds a reason.
		c.add(errcode.Internal, "")
		c.finish()
	}
}

func (t *TrustBundle) isRevoked(kid string) bool {
	_, ok := t.revoked[kid]
	return ok
}

// looksLikeURL reports whether a payload is a URI ("https://…", "upi:…")
// rather than an EMVCo payload, which starts with the digits "00".
func looksLikeURL(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 1 || i > 32 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}
