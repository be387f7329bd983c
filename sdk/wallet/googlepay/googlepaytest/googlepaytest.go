// Package googlepaytest is a stand-in for Google in tests: it makes
// Google Pay ECv2 payment tokens as Google's "Payment data cryptography
// for merchants" describes them, signed by a root and an intermediate key
// it holds and encrypted to a merchant's public key.
//
// It is written from the spec alone, with no code of package googlepay,
// so that tests of that package check it against a second reading of the
// spec. It is not Google: only tests trust its root keys.
package googlepaytest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Google holds the stand-in's signing keys.
type Google struct {
	Root         *ecdsa.PrivateKey
	Intermediate *ecdsa.PrivateKey
}

// New returns a stand-in with fresh P-256 root and intermediate keys.
func New() (*Google, error) {
	root, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	inter, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Google{Root: root, Intermediate: inter}, nil
}

// SPKI returns pub as Google writes keyValue: base64 X.509
// SubjectPublicKeyInfo.
func SPKI(pub *ecdsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("googlepaytest: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(der)
}

// RootKeysJSON returns a root key file in Google's shape holding the
// stand-in's root key for protocol "ECv2", expiring at exp.
func (g *Google) RootKeysJSON(exp time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"keyValue": SPKI(&g.Root.PublicKey), "protocolVersion": "ECv2", "keyExpiration": Millis(exp),
	}}})
	return b
}

// Millis writes t as Google writes times: decimal milliseconds since the
// epoch, in a string.
func Millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// Payment is the card inside a token.
type Payment struct {
	PAN               string
	ExpMonth, ExpYear int
	AuthMethod        string // "PAN_ONLY" or "CRYPTOGRAM_3DS"
	Cryptogram        string
	ECI               string
}

// Message is what a token carries, in the shape the spec gives:
// messageExpiration, messageId, paymentMethod "CARD" and
// paymentMethodDetails.
func Message(p Payment, id string, exp time.Time) []byte {
	d := map[string]any{"pan": p.PAN, "expirationMonth": p.ExpMonth, "expirationYear": p.ExpYear, "authMethod": p.AuthMethod}
	if p.Cryptogram != "" {
		d["cryptogram"] = p.Cryptogram
	}
	if p.ECI != "" {
		d["eciIndicator"] = p.ECI
	}
	b, _ := json.Marshal(map[string]any{
		"messageExpiration": Millis(exp), "messageId": id, "paymentMethod": "CARD",
		"gatewayMerchantId": "unused-for-direct", "paymentMethodDetails": d,
	})
	return b
}

// Token is a token's parts, to change before [Token.Sign] and
// [Token.JSON] in tampering tests.
type Token struct {
	ProtocolVersion string
	RecipientID     string // what the message signature covers
	SignedKey       string // the JSON of keyValue and keyExpiration
	KeySignatures   []string
	SignedMessage   string
	Signature       string
}

// Seal encrypts message to the merchant's public key (the uncompressed
// point) and signs it for recipientID ("merchant:<id>") with an
// intermediate key valid until keyExp.
func (g *Google) Seal(merchantPub []byte, recipientID string, message []byte, keyExp time.Time) (*Token, error) {
	sm, err := Encrypt(merchantPub, message)
	if err != nil {
		return nil, err
	}
	t := &Token{ProtocolVersion: "ECv2", RecipientID: recipientID, SignedMessage: sm}
	skb, _ := json.Marshal(map[string]string{"keyValue": SPKI(&g.Intermediate.PublicKey), "keyExpiration": Millis(keyExp)})
	t.SignedKey = string(skb)
	if err := g.Sign(t); err != nil {
		return nil, err
	}
	return t, nil
}

// Sign signs t's intermediate key with the root key and its message with
// the intermediate key, over the byte strings of the spec.
func (g *Google) Sign(t *Token) error {
	ks, err := sign(g.Root, signed("Google", t.ProtocolVersion, t.SignedKey))
	if err != nil {
		return err
	}
	t.KeySignatures = []string{ks}
	t.Signature, err = sign(g.Intermediate, signed("Google", t.RecipientID, t.ProtocolVersion, t.SignedMessage))
	return err
}

// JSON returns the token as the Google Pay API hands it over
// (tokenizationData.token).
func (t *Token) JSON() string {
	b, _ := json.Marshal(map[string]any{
		"protocolVersion": t.ProtocolVersion,
		"signature":       t.Signature,
		"intermediateSigningKey": map[string]any{
			"signedKey": t.SignedKey, "signatures": t.KeySignatures,
		},
		"signedMessage": t.SignedMessage,
	})
	return string(b)
}

// signed is each part preceded by its length, 4 bytes little-endian.
func signed(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

func sign(k *ecdsa.PrivateKey, msg []byte) (string, error) {
	h := sha256.Sum256(msg)
	sig, err := ecdsa.SignASN1(rand.Reader, k, h[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Encrypt is ECv2's encryption (ECIES-KEM): an ephemeral P-256 key,
// HKDF-SHA256(ephemeral public key ‖ shared secret, zero salt, "Google")
// into an AES-256-CTR key and an HMAC-SHA256 key, and the signedMessage
// JSON of encryptedMessage, ephemeralPublicKey and tag.
func Encrypt(merchantPub, message []byte) (string, error) {
	pub, err := ecdh.P256().NewPublicKey(merchantPub)
	if err != nil {
		return "", fmt.Errorf("googlepaytest: merchant key: %w", err)
	}
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	shared, err := eph.ECDH(pub)
	if err != nil {
		return "", err
	}
	ephPub := eph.PublicKey().Bytes()
	keys, err := hkdf.Key(sha256.New, append(append([]byte{}, ephPub...), shared...), make([]byte, 32), "Google", 64)
	if err != nil {
		return "", err
	}
	block, _ := aes.NewCipher(keys[:32])
	ct := make([]byte, len(message))
	cipher.NewCTR(block, make([]byte, 16)).XORKeyStream(ct, message)
	mac := hmac.New(sha256.New, keys[32:])
	mac.Write(ct)
	b, _ := json.Marshal(map[string]string{
		"encryptedMessage":   base64.StdEncoding.EncodeToString(ct),
		"ephemeralPublicKey": base64.StdEncoding.EncodeToString(ephPub),
		"tag":                base64.StdEncoding.EncodeToString(mac.Sum(nil)),
	})
	return string(b), nil
}
