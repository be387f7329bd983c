package applepay

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// MaxPaymentDataSize bounds the paymentData JSON that [Decrypter.Decrypt]
// reads. Apple's tokens are a few kilobytes, most of it the
// signature's two certificates.
const MaxPaymentDataSize = 32 << 10

// Version is the only token version this package accepts.
const Version = "EC_v1"

// A paymentToken is the parsed, not yet verified, paymentData of a PKPaymentToken.
// Its byte fields hold the decoded values; nothing in it is secret (the
// card data is inside the ciphertext).
type paymentToken struct {
	Data      []byte // the ciphertext with its 16-byte GCM tag
	Signature []byte // the DER (or BER) CMS SignedData, detached
	Header    tokenHeader
}

// A tokenHeader is the header object of an EC_v1 token.
type tokenHeader struct {
	EphemeralPublicKey []byte // DER SubjectPublicKeyInfo of a P-256 point
	PublicKeyHash      []byte // SHA-256 of the merchant key's DER SubjectPublicKeyInfo
	TransactionID      []byte // decoded from hex
	ApplicationData    []byte // decoded from hex; nil when absent
}

// wire is the JSON shape. Unknown members are refused, duplicates too (the
// json package's default), so that what is signed is all there is.
type wire struct {
	Version   string     `json:"version"`
	Data      string     `json:"data"`
	Signature string     `json:"signature"`
	Header    wireHeader `json:"header"`
}

type wireHeader struct {
	EphemeralPublicKey string  `json:"ephemeralPublicKey"`
	PublicKeyHash      string  `json:"publicKeyHash"`
	TransactionID      string  `json:"transactionId"`
	ApplicationData    *string `json:"applicationData"`
}

// parseToken parses paymentData without verifying anything; Decrypt calls
// it first. Errors wrap [ErrMalformed].
func parseToken(paymentData []byte) (*paymentToken, error) {
	if len(paymentData) > MaxPaymentDataSize {
		return nil, fmt.Errorf("%w: paymentData is over %d bytes", ErrMalformed, MaxPaymentDataSize)
	}
	if len(bytes.TrimSpace(paymentData)) == 0 || bytes.TrimSpace(paymentData)[0] != '{' {
		return nil, fmt.Errorf("%w: paymentData is not a JSON object", ErrMalformed)
	}
	var w wire
	if err := json.Unmarshal(paymentData, &w, json.RejectUnknownMembers(true)); err != nil {
		return nil, fmt.Errorf("%w: paymentData JSON: %s", ErrMalformed, jsonProblem(err))
	}
	if w.Version != Version {
		return nil, fmt.Errorf("%w: version is not %s", ErrMalformed, Version)
	}
	t := &paymentToken{}
	var err error
	if t.Data, err = decodeB64("data", w.Data); err != nil {
		return nil, err
	}
	if len(t.Data) < 16 {
		return nil, fmt.Errorf("%w: data is shorter than a GCM tag", ErrMalformed)
	}
	if t.Signature, err = decodeB64("signature", w.Signature); err != nil {
		return nil, err
	}
	h := &t.Header
	if h.EphemeralPublicKey, err = decodeB64("header.ephemeralPublicKey", w.Header.EphemeralPublicKey); err != nil {
		return nil, err
	}
	if h.PublicKeyHash, err = decodeB64("header.publicKeyHash", w.Header.PublicKeyHash); err != nil {
		return nil, err
	}
	if len(h.PublicKeyHash) != 32 {
		return nil, fmt.Errorf("%w: header.publicKeyHash is not 32 bytes", ErrMalformed)
	}
	if h.TransactionID, err = decodeHex("header.transactionId", w.Header.TransactionID); err != nil {
		return nil, err
	}
	if w.Header.ApplicationData != nil {
		if h.ApplicationData, err = decodeHex("header.applicationData", *w.Header.ApplicationData); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// signedContent is what Apple's CMS signature covers: ephemeralPublicKey ‖
// data ‖ transactionId ‖ applicationData, each decoded.
func (t *paymentToken) signedContent() []byte {
	h := t.Header
	b := make([]byte, 0, len(h.EphemeralPublicKey)+len(t.Data)+len(h.TransactionID)+len(h.ApplicationData))
	b = append(b, h.EphemeralPublicKey...)
	b = append(b, t.Data...)
	b = append(b, h.TransactionID...)
	return append(b, h.ApplicationData...)
}

// decodeB64 decodes standard base64 with padding, as Apple writes it.
func decodeB64(field, s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: %s is missing", ErrMalformed, field)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64", ErrMalformed, field)
	}
	return b, nil
}

func decodeHex(field, s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: %s is missing", ErrMalformed, field)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not hex", ErrMalformed, field)
	}
	return b, nil
}

// jsonProblem names what is wrong with a JSON document without quoting it.
func jsonProblem(err error) string {
	var se *json.SemanticError
	if errors.As(err, &se) {
		if se.JSONPointer != "" {
			return "bad member " + string(se.JSONPointer)
		}
		return "wrong type"
	}
	var xe *jsontext.SyntacticError
	if errors.As(err, &xe) {
		if xe.Err == jsontext.ErrDuplicateName {
			return "duplicate member " + string(xe.JSONPointer)
		}
		return "syntax error"
	}
	return "invalid"
}
