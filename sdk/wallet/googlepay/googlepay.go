// Package googlepay verifies and decrypts Google Pay payment tokens
// (protocol version ECv2), as Google's "Payment data cryptography for
// merchants" specifies, with the standard library only.
//
// For most uses, load Google's root keys with [ParseRootKeys] and the
// merchants' keys with [ParseKeySet], make a [Recipient] with
// [NewRecipient] and call [Recipient.Open] on the token string the Google
// Pay API returns in paymentMethodData.tokenizationData.token.
//
// [Recipient.Open] checks, in order: the token's shape and protocol
// version; the intermediate signing key's signature by an unexpired root
// key; the intermediate key's keyExpiration; the message signature for
// recipient "merchant:<merchant id>"; the decryption with one of the
// merchant's keys (ECIES-KEM: ECDH P-256, HKDF-SHA256 with info "Google",
// HMAC-SHA256 tag, AES-256-CTR); the messageExpiration; the payment
// method. Each failure wraps one of the package's errors.
//
// [Payment data cryptography for merchants]: https://developers.google.com/pay/api/web/guides/resources/payment-data-cryptography
package googlepay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/wallet"
)

// The errors of [Recipient.Open]: those of package wallet.
var (
	ErrMalformed      = wallet.ErrMalformed
	ErrBadSignature   = wallet.ErrBadSignature
	ErrKeyExpired     = wallet.ErrKeyExpired
	ErrMessageExpired = wallet.ErrMessageExpired
	ErrWrongRecipient = wallet.ErrWrongRecipient
	ErrUnknownKey     = wallet.ErrUnknownKey
	ErrDecrypt        = wallet.ErrDecrypt
)

// MaxTokenSize is the largest token [Recipient.Open] reads. Google's
// tokens are 2–3 KB.
const MaxTokenSize = 16 << 10

// hkdfInfo is the HKDF info of ECv2's key derivation, as the spec gives it.
const hkdfInfo = "Google"

// Config is what [NewRecipient] needs.
type Config struct {
	// RootKeys are Google's root signing keys for the environment.
	RootKeys *RootKeys
	// MerchantID is the merchant's Google merchant id; tokens must be
	// signed for recipient "merchant:" + MerchantID.
	MerchantID string
	// Keys holds the merchant's decryption keys, under KeyOwner.
	Keys *KeySet
	// KeyOwner is the merchant whose keys in Keys decrypt (the Sealpay
	// merchant id the key set names in "mid").
	KeyOwner string
	// OtherMerchantIDs are the Google merchant ids of other merchants
	// this service knows: a token signed for one of them is refused with
	// [ErrWrongRecipient] rather than [ErrBadSignature].
	OtherMerchantIDs []string
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// A Recipient opens one merchant's Google Pay tokens.
type Recipient struct {
	roots     *RootKeys
	recipient string
	others    []string
	keys      []*ecdh.PrivateKey
	now       func() time.Time
}

// NewRecipient returns a recipient for cfg. The merchant must have a key
// in cfg.Keys for ECv2 tokens; [Recipient.VerifySigningOnly] needs none.
func NewRecipient(cfg Config) (*Recipient, error) {
	if cfg.RootKeys == nil || len(cfg.RootKeys.keys) == 0 {
		return nil, errors.New("googlepay: a recipient needs Google's root keys")
	}
	if cfg.MerchantID == "" {
		return nil, errors.New("googlepay: a recipient needs the Google merchant id")
	}
	r := &Recipient{roots: cfg.RootKeys, recipient: "merchant:" + cfg.MerchantID, now: cfg.Now}
	for _, o := range cfg.OtherMerchantIDs {
		if o != "" && o != cfg.MerchantID {
			r.others = append(r.others, "merchant:"+o)
		}
	}
	if cfg.Keys != nil {
		r.keys = cfg.Keys.decrypters(cfg.KeyOwner)
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// token is the outer JSON of a payment method token.
type token struct {
	ProtocolVersion        string `json:"protocolVersion"`
	Signature              string `json:"signature"`
	IntermediateSigningKey struct {
		SignedKey  string   `json:"signedKey"`
		Signatures []string `json:"signatures"`
	} `json:"intermediateSigningKey"`
	SignedMessage string `json:"signedMessage"`
}

type signedKey struct {
	KeyValue      string `json:"keyValue"`
	KeyExpiration string `json:"keyExpiration"`
}

type signedMessage struct {
	EncryptedMessage   string `json:"encryptedMessage"`
	EphemeralPublicKey string `json:"ephemeralPublicKey"`
	Tag                string `json:"tag"`
}

// message is the decrypted content.
type message struct {
	MessageExpiration    string          `json:"messageExpiration"`
	MessageID            string          `json:"messageId"`
	PaymentMethod        string          `json:"paymentMethod"`
	PaymentMethodDetails json.RawMessage `json:"paymentMethodDetails"`
}

type cardDetails struct {
	PAN             string `json:"pan"`
	ExpirationMonth int    `json:"expirationMonth"`
	ExpirationYear  int    `json:"expirationYear"`
	AuthMethod      string `json:"authMethod"`
	Cryptogram      string `json:"cryptogram"`
	ECIIndicator    string `json:"eciIndicator"`
}

// Open verifies and decrypts an ECv2 token and returns its payment. The
// token is the JSON string Google Pay returns (tokenizationData.token).
func (r *Recipient) Open(tok []byte) (*wallet.Payment, error) {
	pt, err := r.unseal(tok, ECv2)
	if err != nil {
		return nil, err
	}
	return r.payment(pt)
}

// VerifySigningOnly verifies an ECv2SigningOnly token and returns its
// signed message after checking its messageExpiration. Such a token
// carries no card and is never encrypted.
func (r *Recipient) VerifySigningOnly(tok []byte) ([]byte, error) {
	pt, err := r.unseal(tok, ECv2SigningOnly)
	if err != nil {
		return nil, err
	}
	var m message
	if err := json.Unmarshal(pt, &m); err != nil {
		return nil, fmt.Errorf("googlepay: signed message is not JSON: %w", ErrMalformed)
	}
	if err := r.checkExpiry(m.MessageExpiration); err != nil {
		return nil, err
	}
	return pt, nil
}

// unseal runs the checks up to and including decryption and returns the
// plaintext: the decrypted message for ECv2, the signed message for
// ECv2SigningOnly.
func (r *Recipient) unseal(b []byte, protocol string) ([]byte, error) {
	t, sk, err := parseToken(b)
	if err != nil {
		return nil, err
	}
	if t.ProtocolVersion != protocol {
		return nil, fmt.Errorf("googlepay: protocolVersion is not %s: %w", protocol, ErrMalformed)
	}
	now := r.now().UnixMilli()
	// 1. The intermediate key, signed by any unexpired root key of the
	// protocol.
	keySigned := signedString(senderID, protocol, t.IntermediateSigningKey.SignedKey)
	if !r.verifiedByRoot(keySigned, t.IntermediateSigningKey.Signatures, protocol, now) {
		return nil, fmt.Errorf("googlepay: no unexpired root key verifies the intermediate signing key: %w", ErrBadSignature)
	}
	// 2. Its expiry: valid while now < keyExpiration.
	keyExp, err := parseMillis(sk.KeyExpiration)
	if err != nil {
		return nil, fmt.Errorf("googlepay: intermediate keyExpiration: %w", err)
	}
	if now >= keyExp {
		return nil, fmt.Errorf("googlepay: intermediate signing key expired: %w", ErrKeyExpired)
	}
	intermediate, err := parseSPKI(sk.KeyValue)
	if err != nil {
		return nil, fmt.Errorf("googlepay: intermediate keyValue: %w", err)
	}
	// 3. The message, signed by the intermediate key for this recipient.
	sig, err := base64.StdEncoding.DecodeString(t.Signature)
	if err != nil {
		return nil, fmt.Errorf("googlepay: signature is not base64: %w", ErrMalformed)
	}
	if !verify(intermediate, signedString(senderID, r.recipient, protocol, t.SignedMessage), sig) {
		for _, o := range r.others {
			if verify(intermediate, signedString(senderID, o, protocol, t.SignedMessage), sig) {
				return nil, fmt.Errorf("googlepay: message is signed for another merchant: %w", ErrWrongRecipient)
			}
		}
		return nil, fmt.Errorf("googlepay: message signature does not verify: %w", ErrBadSignature)
	}
	if protocol == ECv2SigningOnly {
		return []byte(t.SignedMessage), nil
	}
	// 4. Decryption.
	var sm signedMessage
	if err := strictUnmarshal([]byte(t.SignedMessage), &sm); err != nil || sm.EncryptedMessage == "" || sm.EphemeralPublicKey == "" || sm.Tag == "" {
		return nil, fmt.Errorf("googlepay: signedMessage lacks encryptedMessage, ephemeralPublicKey or tag: %w", ErrMalformed)
	}
	return r.decrypt(sm)
}

// parseToken parses the outer token and the intermediate key's signedKey.
func parseToken(b []byte) (*token, *signedKey, error) {
	if len(b) > MaxTokenSize {
		return nil, nil, fmt.Errorf("googlepay: token is larger than %d bytes: %w", MaxTokenSize, ErrMalformed)
	}
	var t token
	if err := strictUnmarshal(b, &t); err != nil {
		return nil, nil, fmt.Errorf("googlepay: token is not a JSON object of the payment token's shape: %w", ErrMalformed)
	}
	if t.ProtocolVersion == "" || t.Signature == "" || t.SignedMessage == "" ||
		t.IntermediateSigningKey.SignedKey == "" || len(t.IntermediateSigningKey.Signatures) == 0 {
		return nil, nil, fmt.Errorf("googlepay: token lacks protocolVersion, signature, intermediateSigningKey or signedMessage: %w", ErrMalformed)
	}
	if len(t.IntermediateSigningKey.Signatures) > 8 {
		return nil, nil, fmt.Errorf("googlepay: more than 8 intermediate key signatures: %w", ErrMalformed)
	}
	var sk signedKey
	if err := strictUnmarshal([]byte(t.IntermediateSigningKey.SignedKey), &sk); err != nil || sk.KeyValue == "" || sk.KeyExpiration == "" {
		return nil, nil, fmt.Errorf("googlepay: signedKey lacks keyValue or keyExpiration: %w", ErrMalformed)
	}
	return &t, &sk, nil
}

// strictUnmarshal is json.Unmarshal that refuses invalid UTF-8, anything
// but one JSON object, and duplicate members (a second "signedMessage"
// must not be read differently by another parser).
func strictUnmarshal(b []byte, v any) error {
	if !utf8.Valid(b) {
		return errors.New("invalid UTF-8")
	}
	if err := noDuplicates(b); err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// noDuplicates reports an error if the JSON object b, or any object in it,
// names a member twice, or if b is not one object. Names are compared as
// encoding/json matches them to fields, case-insensitively (Unicode
// simple folding): "SIGNEDMESSAGE" is a second "signedMessage".
func noDuplicates(b []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var walk func(depth int) error
	walk = func(depth int) error {
		if depth > 16 {
			return errors.New("nested too deeply")
		}
		tk, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tk.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				ks := foldName(k.(string))
				if seen[ks] {
					return errors.New("duplicate member")
				}
				seen[ks] = true
				if err := walk(depth + 1); err != nil {
					return err
				}
			}
		case '[':
			for dec.More() {
				if err := walk(depth + 1); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	if len(strings.TrimSpace(string(b))) == 0 || strings.TrimSpace(string(b))[0] != '{' {
		return errors.New("not a JSON object")
	}
	if err := walk(0); err != nil {
		return err
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("data after the object")
	}
	return nil
}

// foldName maps each rune of s to the least rune of its simple case
// folding orbit, so that two names encoding/json would match to the same
// field map to the same string.
func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

// signedString is the byte string ECv2 signs: each part preceded by its
// length as 4 bytes little-endian.
//
//	intermediate key: senderId ‖ protocolVersion ‖ signedKey
//	message:          senderId ‖ recipientId ‖ protocolVersion ‖ signedMessage
func signedString(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += 4 + len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(p)))
		out = append(out, p...)
	}
	return out
}

// verify checks an ASN.1 DER ECDSA-P256-SHA256 signature.
func verify(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	h := sha256.Sum256(msg)
	return ecdsa.VerifyASN1(pub, h[:], sig)
}

// verifiedByRoot reports whether any of sigs (base64) verifies msg under
// a root key of protocol that has not expired at now (ms).
func (r *Recipient) verifiedByRoot(msg []byte, sigs []string, protocol string, now int64) bool {
	for _, s := range sigs {
		sig, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			continue
		}
		for _, k := range r.roots.keys {
			if k.protocol == protocol && now < k.expires && verify(k.pub, msg, sig) {
				return true
			}
		}
	}
	return false
}

// decrypt opens an ECv2 signedMessage with the first of the merchant's
// keys whose tag matches.
func (r *Recipient) decrypt(sm signedMessage) ([]byte, error) {
	ephBytes, err1 := base64.StdEncoding.DecodeString(sm.EphemeralPublicKey)
	ct, err2 := base64.StdEncoding.DecodeString(sm.EncryptedMessage)
	tag, err3 := base64.StdEncoding.DecodeString(sm.Tag)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, fmt.Errorf("googlepay: encryptedMessage, ephemeralPublicKey or tag is not base64: %w", ErrMalformed)
	}
	if len(ephBytes) != 65 || ephBytes[0] != 4 {
		return nil, fmt.Errorf("googlepay: ephemeralPublicKey is not an uncompressed P-256 point: %w", ErrMalformed)
	}
	eph, err := ecdh.P256().NewPublicKey(ephBytes)
	if err != nil {
		return nil, fmt.Errorf("googlepay: ephemeralPublicKey is not on P-256: %w", ErrMalformed)
	}
	if len(tag) != sha256.Size {
		return nil, fmt.Errorf("googlepay: tag is not 32 bytes: %w", ErrMalformed)
	}
	if len(r.keys) == 0 {
		return nil, fmt.Errorf("googlepay: the merchant has no decryption key: %w", ErrUnknownKey)
	}
	for _, k := range r.keys {
		shared, err := k.ECDH(eph)
		if err != nil {
			continue
		}
		encKey, macKey, err := deriveKeys(ephBytes, shared)
		if err != nil {
			return nil, fmt.Errorf("googlepay: deriving keys: %w", err)
		}
		mac := hmac.New(sha256.New, macKey)
		mac.Write(ct)
		// hmac.Equal compares in constant time.
		if !hmac.Equal(mac.Sum(nil), tag) {
			continue
		}
		block, err := aes.NewCipher(encKey)
		if err != nil {
			return nil, fmt.Errorf("googlepay: %w", err)
		}
		pt := make([]byte, len(ct))
		// A zero IV is safe: each key is derived for one message from a
		// fresh ephemeral key, and used once.
		cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(pt, ct)
		return pt, nil
	}
	return nil, fmt.Errorf("googlepay: no key of the merchant decrypts the token: %w", ErrUnknownKey)
}

// deriveKeys is ECv2's key derivation: HKDF-SHA256 over ephemeralPublicKey
// ‖ sharedSecret, with a zero salt (RFC 5869's default for none) and info
// "Google", 64 bytes: the AES-256 key, then the HMAC-SHA256 key.
func deriveKeys(eph, shared []byte) (encKey, macKey []byte, err error) {
	ikm := append(append(make([]byte, 0, len(eph)+len(shared)), eph...), shared...)
	k, err := hkdf.Key(sha256.New, ikm, nil, hkdfInfo, 64)
	if err != nil {
		return nil, nil, err
	}
	return k[:32], k[32:], nil
}

// checkExpiry refuses a message at or past its messageExpiration.
func (r *Recipient) checkExpiry(s string) error {
	exp, err := parseMillis(s)
	if err != nil {
		return fmt.Errorf("googlepay: messageExpiration: %w", ErrDecrypt)
	}
	if r.now().UnixMilli() >= exp {
		return fmt.Errorf("googlepay: message expired: %w", ErrMessageExpired)
	}
	return nil
}

// payment checks a decrypted message and returns its payment.
func (r *Recipient) payment(pt []byte) (*wallet.Payment, error) {
	var m message
	if err := strictUnmarshal(pt, &m); err != nil {
		return nil, fmt.Errorf("googlepay: decrypted message is not a JSON object: %w", ErrDecrypt)
	}
	if err := r.checkExpiry(m.MessageExpiration); err != nil {
		return nil, err
	}
	if m.MessageID == "" || len(m.MessageID) > 1024 {
		return nil, fmt.Errorf("googlepay: messageId is missing or over 1024 bytes: %w", ErrDecrypt)
	}
	if m.PaymentMethod != "CARD" {
		return nil, fmt.Errorf("googlepay: paymentMethod is not CARD: %w", ErrDecrypt)
	}
	var d cardDetails
	if err := json.Unmarshal(m.PaymentMethodDetails, &d); err != nil {
		return nil, fmt.Errorf("googlepay: paymentMethodDetails is not of the card shape: %w", ErrDecrypt)
	}
	if !digits(d.PAN, 12, 19) {
		return nil, fmt.Errorf("googlepay: pan is not 12 to 19 digits: %w", ErrDecrypt)
	}
	if d.ExpirationMonth < 1 || d.ExpirationMonth > 12 || d.ExpirationYear < 2000 || d.ExpirationYear > 2199 {
		return nil, fmt.Errorf("googlepay: expirationMonth or expirationYear out of range: %w", ErrDecrypt)
	}
	exp, _ := parseMillis(m.MessageExpiration)
	p := &wallet.Payment{
		Wallet: wallet.GooglePay, Number: d.PAN, ExpMonth: d.ExpirationMonth, ExpYear: d.ExpirationYear,
		MessageID: m.MessageID, Expires: time.UnixMilli(exp).UTC(),
	}
	switch wallet.AuthMethod(d.AuthMethod) {
	case wallet.PANOnly:
		p.AuthMethod = wallet.PANOnly
	case wallet.Cryptogram3DS:
		if d.Cryptogram == "" || len(d.Cryptogram) > wallet.MaxCryptogramLen {
			return nil, fmt.Errorf("googlepay: CRYPTOGRAM_3DS without a cryptogram: %w", ErrDecrypt)
		}
		if _, err := base64.StdEncoding.DecodeString(d.Cryptogram); err != nil {
			return nil, fmt.Errorf("googlepay: cryptogram is not base64: %w", ErrDecrypt)
		}
		if d.ECIIndicator != "" && !digits(d.ECIIndicator, 1, 2) {
			return nil, fmt.Errorf("googlepay: eciIndicator is not one or two digits: %w", ErrDecrypt)
		}
		p.AuthMethod, p.Cryptogram, p.ECI = wallet.Cryptogram3DS, d.Cryptogram, d.ECIIndicator
	default:
		return nil, fmt.Errorf("googlepay: authMethod is neither PAN_ONLY nor CRYPTOGRAM_3DS: %w", ErrDecrypt)
	}
	return p, nil
}

func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
