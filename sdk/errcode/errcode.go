// Package errcode defines Sealpay's stable, machine-readable error codes.
//
// Every failure that reaches a user — on the command line, over HTTP or in
// JavaScript — carries one [Code]. Packages in sdk/ export sentinel errors
// made with [New]; detailed errors wrap a sentinel with %w, so that
// errors.Is works and [Of] finds the code anywhere in the chain:
//
//	return fmt.Errorf("card: invalid number (15 digits, Luhn check failed): %w", card.ErrInvalidNumber)
//
// Messages name fields and shapes, never a card number, CVC, key or token.
package errcode

import "errors"

// Code is a stable snake_case error code. The list is documented in
// docs/error-codes.md; codes are never renamed once shipped.
type Code string

// The codes. See docs/error-codes.md for when each occurs.
const (
	InvalidEnvelope     Code = "invalid_envelope"
	UnsupportedVersion  Code = "unsupported_version"
	UnknownKey          Code = "unknown_key"
	DecryptFailed       Code = "decrypt_failed"
	EnvelopeExpired     Code = "envelope_expired"
	EnvelopeNotYetValid Code = "envelope_not_yet_valid"
	WrongMerchant       Code = "wrong_merchant"
	WrongOrigin         Code = "wrong_origin"
	Replayed            Code = "replayed"
	InvalidCardNumber   Code = "invalid_card_number"
	UnsupportedBrand    Code = "unsupported_brand"
	InvalidExpiry       Code = "invalid_expiry"
	CardExpired         Code = "card_expired"
	InvalidCVC          Code = "invalid_cvc"
	QRMalformed         Code = "qr_malformed"
	QRBadCRC            Code = "qr_bad_crc"
	QRUnsigned          Code = "qr_unsigned"
	QRBadSignature      Code = "qr_bad_signature"
	QRUnknownKey        Code = "qr_unknown_key"
	QRRevoked           Code = "qr_revoked"
	QRExpired           Code = "qr_expired"
	QRReplayed          Code = "qr_replayed"
	QRMismatch          Code = "qr_mismatch"
	QRSuspiciousURL     Code = "qr_suspicious_url"
	Unauthorized        Code = "unauthorized"
	ForbiddenOrigin     Code = "forbidden_origin"
	RelayHostForbidden  Code = "relay_host_forbidden"
	RelayRouteForbidden Code = "relay_route_forbidden"
	RateLimited         Code = "rate_limited"
	NotFound            Code = "not_found"
	NotAcceptable       Code = "not_acceptable"
	PayloadTooLarge     Code = "payload_too_large"
	BadRequest          Code = "bad_request"
	UpstreamError       Code = "upstream_error"
	InsecureKeyFile     Code = "insecure_key_file"
	UnsealedCardNumber  Code = "unsealed_card_number"
	Internal            Code = "internal"
)

// The codes of idempotency keys (docs/edge-api.md, "Idempotency keys").
const (
	IdempotencyMismatch   Code = "idempotency_mismatch"
	IdempotencyInProgress Code = "idempotency_in_progress"
)

// The codes of wallet payment tokens (docs/wallets.md): Google Pay and
// Apple Pay tokens given to POST /v1/tokens as "payment_data".
const (
	WalletTokenMalformed    Code = "wallet_token_malformed"
	WalletSignatureInvalid  Code = "wallet_signature_invalid"
	WalletKeyExpired        Code = "wallet_key_expired"
	WalletMessageExpired    Code = "wallet_message_expired"
	WalletRecipientMismatch Code = "wallet_recipient_mismatch"
	WalletKeyUnknown        Code = "wallet_key_unknown"
	WalletDecryptFailed     Code = "wallet_decrypt_failed"
	WalletNotEnabled        Code = "wallet_not_enabled"
)

// Error is a sentinel error carrying a [Code]. Make one with [New]; compare
// with errors.Is against the package's exported sentinel.
type Error struct {
	code Code
	msg  string
}

// New returns a sentinel error with the given code and message. The message
// must not contain secrets; it is shown to users.
func New(code Code, msg string) *Error { return &Error{code: code, msg: msg} }

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Code returns the error's code.
func (e *Error) Code() Code { return e.code }

// Coder is implemented by errors that carry a [Code].
type Coder interface {
	error
	Code() Code
}

// Of returns the first code found in err's chain, or [Internal] if there is
// none. Of(nil) is "".
func Of(err error) Code {
	if err == nil {
		return ""
	}
	var c Coder
	if errors.As(err, &c) {
		return c.Code()
	}
	return Internal
}
