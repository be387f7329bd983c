package qr

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The signed QR format, docs/qr-v1.md.
const (
	// sigGUID is sub-object 00 of every template (IDs 80–99) that carries
	// the Sealpay signature.
	sigGUID = "com.sealpay.qr1"
	// sigInfo prefixes the signed message, so that a signature over a QR
	// code can never be taken for a signature over anything else.
	sigInfo = "sealpay/qr/v1\x00"
	// nonceSize is the nonce length in bytes: 96 random bits make two QR
	// codes of one key with the same nonce vanishingly unlikely even after
	// billions of codes.
	nonceSize = 12
	// defaultTTL is the lifetime of a signed code when SignOptions.TTL is 0:
	// long enough to scan and pay at a checkout.
	defaultTTL = 15 * time.Minute
	// maxTemplateValue is EMVCo's limit on a data object's value.
	maxTemplateValue = 99
)

// Sub-object IDs inside the signature templates.
const (
	sigMerchantID = "01"
	sigKeyID      = "02"
	sigExpiry     = "03"
	sigNonce      = "04"
	sigMaxParts   = 3 // 05, 06, 07: the signature, split where the templates fill
)

// SignOptions are the transaction details [Sign] writes into the code.
type SignOptions struct {
	// Amount is the amount to pay as EMVCo writes it (ID 54): digits with
	// at most one ".", up to 13 characters, e.g. "49.90". Empty keeps the
	// base payload's amount, or none (the payer types it).
	Amount string
	// Currency is an ISO 4217 code, alphabetic ("BRL") or numeric ("986"),
	// for ID 53. Empty keeps the base payload's.
	Currency string
	// Reference is the order or bill reference (ID 62, sub-ID 05), up to 25
	// characters. Empty keeps the base payload's.
	Reference string
	// TTL is how long the code stays valid; 0 means 15 minutes. It may not
	// outlive the certificate.
	TTL time.Duration
	// Now is the signing time; the zero value means time.Now().
	Now time.Time
}

// Sign returns base — a merchant's EMVCo payload, typically the static code
// its bank issued — made into a Sealpay-signed dynamic code: the amount,
// currency and reference from opts are written into IDs 54, 53 and 62/05,
// the point of initiation becomes "12" (dynamic) when there is an amount,
// and templates in 80–99 carry the merchant ID, key ID, expiry, a random
// nonce and an Ed25519 signature by key over all of it (docs/qr-v1.md).
// Every wallet still reads the result as the same payment.
//
// cert must be key's certificate. The payee name (ID 59) must be one of the
// certificate's names; when base has none, the certificate's display name
// is used. base must carry at least one merchant account object (02–51),
// and only accounts the certificate registers.
// Errors wrap [ErrCannotSign] or, for a bad base payload, [ErrMalformed] or
// [ErrBadCRC].
func Sign(base string, key *MerchantKey, cert *Certificate, opts SignOptions) (string, error) {
	return sign(base, key, cert, opts, rand.Reader)
}

// sign is Sign with the source of the nonce; tests pass a fixed one to
// make vectors.
func sign(base string, key *MerchantKey, cert *Certificate, opts SignOptions, rnd io.Reader) (string, error) {
	cannot := func(format string, a ...any) error {
		return fmt.Errorf("qr: sign: "+format+": %w", append(a, ErrCannotSign)...)
	}
	if key == nil || cert == nil {
		return "", cannot("key and certificate are required")
	}
	if err := cert.check(); err != nil {
		return "", cannot("%v", err)
	}
	if !bytes.Equal(key.k.public(), cert.PublicKey) {
		return "", cannot("the certificate is for key %s, not %s", cert.KeyID, key.k.kid)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return "", cannot("the certificate is valid from %s to %s only", cert.NotBefore.Format(time.RFC3339), cert.NotAfter.Format(time.RFC3339))
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = defaultTTL
	}
	exp := now.Add(ttl).Unix()
	if ttl < time.Second || exp > cert.NotAfter.Unix() {
		return "", cannot("TTL %s is not positive or outlives the certificate", ttl)
	}

	p, err := Parse(base, Lenient)
	if err != nil {
		return "", fmt.Errorf("qr: sign: base payload: %w", err)
	}
	objs := make([]Object, 0, len(p.Objects)+4)
	for _, o := range p.Objects {
		if o.ID != "63" && !isSigTemplate(o) {
			objs = append(objs, o)
		}
	}
	if opts.Amount != "" {
		if !validAmount(opts.Amount) {
			return "", cannot("amount is not digits with at most one '.' (%d characters)", utf8.RuneCountInString(opts.Amount))
		}
		objs = setObject(objs, Object{ID: "54", Value: opts.Amount})
		objs = setObject(objs, Object{ID: "01", Value: "12"})
	}
	if opts.Currency != "" {
		num, ok := currencyNumeric(opts.Currency)
		if !ok {
			return "", cannot("currency %q is not an ISO 4217 code", truncate(opts.Currency, 8))
		}
		objs = setObject(objs, Object{ID: "53", Value: num})
	}
	if opts.Reference != "" {
		if !validText(opts.Reference, 25) {
			return "", cannot("reference is empty, longer than 25 characters or holds control characters")
		}
		add, _ := find(objs, "62")
		children := slices.Clone(add.Children)
		if children == nil && add.Value != "" {
			return "", cannot("object 62 is not a template")
		}
		children = setObject(children, Object{ID: "05", Value: opts.Reference})
		objs = setObject(objs, Object{ID: "62", Children: children})
	}
	if name, _ := find(objs, "59"); name.Value == "" {
		payee := cert.Name
		if utf8.RuneCountInString(payee) > 25 && len(cert.Names) > 0 {
			payee = cert.Names[0]
		}
		objs = setObject(objs, Object{ID: "59", Value: payee})
	}
	if name, _ := find(objs, "59"); !cert.payeeAllowed(name.Value) {
		return "", cannot("payee name (object 59) is not one of the certificate's names")
	}
	switch bad, ok := cert.payeeAccounts(objs); {
	case ok:
	case bad == "":
		return "", cannot("the payload has no merchant account information (02–51) to pay into")
	default:
		return "", cannot("payee account (object %s) is not one of the certificate's accounts", bad)
	}

	// The signed prefix: the payload as Build writes it, less "6304" and
	// the CRC.
	unsigned, err := Build(objs)
	if err != nil {
		return "", fmt.Errorf("qr: sign: %w", err)
	}
	prefix := unsigned[:len(unsigned)-8]

	nonce := make([]byte, nonceSize)
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return "", fmt.Errorf("qr: sign: reading nonce: %w", err)
	}
	s := sigFields{
		merchantID: cert.MerchantID,
		keyID:      key.k.kid,
		expiry:     exp,
		expiryText: strconv.FormatInt(exp, 10),
		nonce:      b64.EncodeToString(nonce),
	}
	copy(s.sig[:], ed25519.Sign(key.k.priv, s.appendMessage(nil, prefix)))

	var used [100]bool
	for _, o := range objs {
		if id := idNumber(o.ID); id >= 0 {
			used[id] = true
		}
	}
	out, err := s.appendTemplates([]byte(prefix), []byte(b64.EncodeToString(s.sig[:])), &used)
	if err != nil {
		return "", cannot("%v", err)
	}
	out = append(out, "6304"...)
	out = append(out, crcHex(crc16(out))...)
	if n := utf8.RuneCount(out); n > maxChars {
		return "", fmt.Errorf("qr: sign: payload of %d characters, more than %d: %w", n, maxChars, ErrMalformed)
	}
	return string(out), nil
}

// setObject replaces the object with o's ID, or inserts o before the first
// object with a higher ID (never before "00").
func setObject(objs []Object, o Object) []Object {
	for i := range objs {
		if objs[i].ID == o.ID {
			objs = slices.Clone(objs)
			objs[i] = o
			return objs
		}
	}
	for i := range objs {
		if objs[i].ID > o.ID && objs[i].ID != "00" {
			return slices.Insert(slices.Clone(objs), i, o)
		}
	}
	return append(slices.Clone(objs), o)
}

// validAmount accepts EMVCo amounts: 1 to 13 characters, digits with at most
// one ".", at least one digit.
func validAmount(s string) bool {
	if s == "" || len(s) > 13 || s == "." {
		return false
	}
	return strings.Count(s, ".") <= 1 && strings.Trim(s, "0123456789.") == ""
}

// sameAmount reports whether two amounts are equal as decimal numbers:
// leading zeros and a zero fraction do not count, so "010.50", "10.5" and
// "10.500" are equal. An amount that is not valid equals only itself.
func sameAmount(a, b string) bool {
	wa, fa, oka := amountParts(a)
	wb, fb, okb := amountParts(b)
	if !oka || !okb {
		return a == b
	}
	return wa == wb && fa == fb
}

// amountParts splits a valid amount into its whole part without leading
// zeros ("0" for none) and its fraction without trailing zeros.
func amountParts(s string) (whole, frac string, ok bool) {
	if !validAmount(s) {
		return "", "", false
	}
	whole, frac, _ = strings.Cut(s, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	return whole, strings.TrimRight(frac, "0"), true
}

var alphaToNumeric = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for i := range 1000 {
		n := fmt.Sprintf("%03d", i)
		if a := currencyAlpha(n); a != "" {
			m[a] = n
		}
	}
	return m
})

// currencyNumeric returns the ISO 4217 numeric code for an alphabetic or
// numeric code.
func currencyNumeric(c string) (string, bool) {
	if len(c) == 3 && isDigits(c) {
		return c, true
	}
	n, ok := alphaToNumeric()[strings.ToUpper(c)]
	return n, ok
}
