// Package wallet holds what the wallet packages share: the decrypted
// [Payment] a wallet token carries, and the errors that say why a token
// was refused.
//
// The wallets themselves live below it: sdk/wallet/googlepay opens Google
// Pay ECv2 tokens. A [Payment] never prints its number or cryptogram: its
// String, Format, GoString, MarshalJSON and LogValue all redact them.
package wallet

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// Name is a wallet's id, as the edge's API spells it.
type Name string

// The wallets.
// MaxCryptogramLen is the longest cryptogram a wallet payment may carry,
// in characters of its base64 text: what the vault keeps beside the
// number. Both wallets' parsers refuse a longer one as undecryptable.
const MaxCryptogramLen = 255

const (
	GooglePay Name = "google_pay"
	ApplePay  Name = "apple_pay"
)

// AuthMethod says what a wallet payment proves about the card.
type AuthMethod string

// The authentication methods.
const (
	// PANOnly is a card stored in the wallet account (an FPAN): no
	// cryptogram, the merchant may need 3-D Secure.
	PANOnly AuthMethod = "PAN_ONLY"
	// Cryptogram3DS is a device token (a DPAN) with a one-time
	// cryptogram made by the device after the shopper authenticated.
	Cryptogram3DS AuthMethod = "CRYPTOGRAM_3DS"
)

// Payment is a verified, decrypted wallet payment.
//
// Number and Cryptogram are secrets: they are kept out of every string
// form of a Payment (see the package doc). Read the fields directly and
// only to store them.
type Payment struct {
	// Wallet is the wallet the token came from.
	Wallet Name
	// Number is the card number: the device account number (DPAN) of a
	// [Cryptogram3DS] payment, the funding card number (FPAN) of a
	// [PANOnly] one. Digits only.
	Number string
	// ExpMonth (1–12) and ExpYear (four digits) are the number's expiry.
	ExpMonth, ExpYear int
	// AuthMethod says whether a cryptogram comes with the number.
	AuthMethod AuthMethod
	// Cryptogram is the online payment cryptogram of a [Cryptogram3DS]
	// payment, as the wallet gave it (base64); empty for [PANOnly].
	Cryptogram string
	// ECI is the electronic commerce indicator the wallet gave, if any
	// (two digits, e.g. "05"); wallets omit it for some networks.
	ECI string
	// MessageID is the wallet's id of this message (Google's messageId),
	// unique per token: the edge accepts each once.
	MessageID string
	// Expires is when the wallet's message stops being acceptable.
	Expires time.Time
}

// String describes p without its number or cryptogram: the wallet, the
// method, the last four digits and the expiry.
func (p Payment) String() string {
	last4 := ""
	if len(p.Number) >= 4 {
		last4 = p.Number[len(p.Number)-4:]
	}
	s := "wallet.Payment{" + string(p.Wallet) + " " + string(p.AuthMethod) + " …" + last4 +
		" " + strconv.Itoa(p.ExpMonth) + "/" + strconv.Itoa(p.ExpYear)
	if p.Cryptogram != "" {
		s += " cryptogram:[redacted]"
	}
	if p.ECI != "" {
		s += " eci:" + p.ECI
	}
	return s + "}"
}

// Format prints [Payment.String] for every verb, %#v and %+v included, so
// that no fmt call prints the number.
func (p Payment) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// GoString is [Payment.String].
func (p Payment) GoString() string { return p.String() }

// MarshalJSON encodes [Payment.String] as a JSON string: a Payment put
// into a JSON log by mistake shows no secret.
func (p Payment) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(p.String())), nil }

// LogValue is [Payment.String], for log/slog.
func (p Payment) LogValue() slog.Value { return slog.StringValue(p.String()) }

// The errors wallet packages return, wrapped with details. Callers branch
// on them with errors.Is; each carries its [errcode.Code].
var (
	// ErrMalformed: the token, or the message inside it, is not in the
	// wallet's format (bad JSON, a missing field, bad base64, an
	// unsupported protocol version, a point not on the curve).
	ErrMalformed = errcode.New(errcode.WalletTokenMalformed, "wallet: malformed payment token")
	// ErrBadSignature: no trusted key verifies the token's signatures.
	ErrBadSignature = errcode.New(errcode.WalletSignatureInvalid, "wallet: payment token signature does not verify")
	// ErrKeyExpired: the wallet's intermediate signing key had expired.
	ErrKeyExpired = errcode.New(errcode.WalletKeyExpired, "wallet: the token's signing key has expired")
	// ErrMessageExpired: the message is past its expiry.
	ErrMessageExpired = errcode.New(errcode.WalletMessageExpired, "wallet: payment token has expired")
	// ErrWrongRecipient: the token is signed for another recipient (a
	// different merchant id) than the one opening it.
	ErrWrongRecipient = errcode.New(errcode.WalletRecipientMismatch, "wallet: payment token is for another recipient")
	// ErrUnknownKey: none of the configured private keys decrypts the
	// token (it was encrypted to a key this service does not hold).
	ErrUnknownKey = errcode.New(errcode.WalletKeyUnknown, "wallet: no configured key decrypts the payment token")
	// ErrDecrypt: the token decrypted, but not into a payment message.
	ErrDecrypt = errcode.New(errcode.WalletDecryptFailed, "wallet: payment token did not decrypt into a payment")
)
