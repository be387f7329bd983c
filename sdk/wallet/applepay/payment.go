package applepay

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/sealpay/sealpay/sdk/wallet"
)

// The payment data types of [Payment.Type].
const (
	Type3DSecure = "3DSecure"
	TypeEMV      = "EMV"
)

// A Payment is a verified, decrypted Apple Pay token. AccountNumber and
// Cryptogram are secrets: String, GoString, Format, MarshalJSON and LogValue
// never show them (nor the EMV data), only the last four digits.
type Payment struct {
	// AccountNumber is applicationPrimaryAccountNumber, the device account
	// number (DPAN), digits only.
	AccountNumber string
	// ExpYear, ExpMonth and ExpDay are applicationExpirationDate (YYMMDD),
	// the year in full.
	ExpYear, ExpMonth, ExpDay int
	// CurrencyCode is the ISO 4217 numeric code, such as "840".
	CurrencyCode string
	// TransactionAmount is in the currency's minor units.
	TransactionAmount int64
	// CardholderName is optional.
	CardholderName string
	// DeviceManufacturerIdentifier is a hex string.
	DeviceManufacturerIdentifier string
	// Type is Type3DSecure or TypeEMV (paymentDataType).
	Type string
	// Cryptogram is onlinePaymentCryptogram (base64, as Apple gives it) and
	// ECI the eciIndicator, which may be empty; 3DSecure only.
	Cryptogram, ECI string
	// EMVData (base64) and EncryptedPINData (hex); EMV only.
	EMVData, EncryptedPINData string

	// From the token, not the ciphertext:

	// TransactionID is header.transactionId, in hex.
	TransactionID string
	// ApplicationData is header.applicationData, in hex; empty if absent.
	ApplicationData string
	// SigningTime is the CMS signing time, UTC, and Expires the moment the
	// token stops being acceptable: SigningTime plus the decrypter's
	// [Config.SigningTimeWindow].
	SigningTime, Expires time.Time
	// PublicKeyHash names the merchant key that decrypted it (base64).
	PublicKeyHash string
}

// String describes the payment without its secrets.
func (p Payment) String() string {
	last4 := ""
	if n := len(p.AccountNumber); n >= 4 {
		last4 = p.AccountNumber[n-4:]
	}
	return fmt.Sprintf("applepay.Payment{type=%s last4=%s exp=%04d-%02d amount=%d currency=%s}",
		p.Type, last4, p.ExpYear, p.ExpMonth, p.TransactionAmount, p.CurrencyCode)
}

// GoString is String, so that %#v redacts too.
func (p Payment) GoString() string { return p.String() }

// Format prints [Payment.String] for every verb.
func (p Payment) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// MarshalJSON encodes [Payment.String] as a JSON string, so that a Payment
// put into a JSON log by mistake shows no secret.
func (p Payment) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(p.String())), nil }

// LogValue is [Payment.String], for log/slog.
func (p Payment) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Wallet returns the payment as sdk/wallet's common shape, for storage: a
// 3DSecure payment is a [wallet.Cryptogram3DS] one with the device account
// number, and its MessageID the transactionId (unique per token). EMV
// payments have no wallet shape: ok is false.
func (p *Payment) Wallet() (wp wallet.Payment, ok bool) {
	if p.Type != Type3DSecure {
		return wallet.Payment{}, false
	}
	return wallet.Payment{
		Wallet:     wallet.ApplePay,
		Number:     p.AccountNumber,
		ExpMonth:   p.ExpMonth,
		ExpYear:    p.ExpYear,
		AuthMethod: wallet.Cryptogram3DS,
		Cryptogram: p.Cryptogram,
		ECI:        p.ECI,
		MessageID:  p.TransactionID,
		Expires:    p.Expires,
	}, true
}

// plaintext is the decrypted JSON. Unknown members are allowed: Apple adds
// members (merchantTokenIdentifier, authenticationResponses, …) over time.
type plaintext struct {
	AccountNumber  string          `json:"applicationPrimaryAccountNumber"`
	Expiration     string          `json:"applicationExpirationDate"`
	CurrencyCode   string          `json:"currencyCode"`
	Amount         jsontext.Value  `json:"transactionAmount"`
	CardholderName string          `json:"cardholderName"`
	DeviceManuf    string          `json:"deviceManufacturerIdentifier"`
	Type           string          `json:"paymentDataType"`
	PaymentData    plaintextDetail `json:"paymentData"`
}

type plaintextDetail struct {
	Cryptogram       string `json:"onlinePaymentCryptogram"`
	ECI              string `json:"eciIndicator"`
	EMVData          string `json:"emvData"`
	EncryptedPINData string `json:"encryptedPINData"`
}

// parsePlaintext checks the decrypted payment data. Errors wrap
// [ErrDecrypt] (it decrypted, but not into a payment, as sdk/wallet has
// it) and name fields only.
func parsePlaintext(b []byte) (Payment, error) {
	var w plaintext
	if err := json.Unmarshal(b, &w); err != nil {
		return Payment{}, fmt.Errorf("%w: decrypted payment data: %s", ErrDecrypt, jsonProblem(err))
	}
	bad := func(field string) (Payment, error) {
		return Payment{}, fmt.Errorf("%w: decrypted payment data: %s is missing or invalid", ErrDecrypt, field)
	}
	p := Payment{
		AccountNumber:                w.AccountNumber,
		CurrencyCode:                 w.CurrencyCode,
		CardholderName:               w.CardholderName,
		DeviceManufacturerIdentifier: w.DeviceManuf,
		Type:                         w.Type,
	}
	if n := len(p.AccountNumber); n < 12 || n > 19 || !digits(p.AccountNumber) {
		return bad("applicationPrimaryAccountNumber")
	}
	if len(w.Expiration) != 6 || !digits(w.Expiration) {
		return bad("applicationExpirationDate")
	}
	yy, _ := strconv.Atoi(w.Expiration[0:2])
	mm, _ := strconv.Atoi(w.Expiration[2:4])
	dd, _ := strconv.Atoi(w.Expiration[4:6])
	if mm < 1 || mm > 12 || dd < 1 || dd > daysIn(2000+yy, mm) {
		return bad("applicationExpirationDate")
	}
	p.ExpYear, p.ExpMonth, p.ExpDay = 2000+yy, mm, dd
	if len(p.CurrencyCode) != 3 || !digits(p.CurrencyCode) {
		return bad("currencyCode")
	}
	amount, err := strconv.ParseInt(string(w.Amount), 10, 64)
	if err != nil || amount < 0 {
		return bad("transactionAmount")
	}
	p.TransactionAmount = amount
	if p.DeviceManufacturerIdentifier != "" {
		if _, err := hex.DecodeString(p.DeviceManufacturerIdentifier); err != nil {
			return bad("deviceManufacturerIdentifier")
		}
	}
	switch p.Type {
	case Type3DSecure:
		c, err := base64.StdEncoding.DecodeString(w.PaymentData.Cryptogram)
		if err != nil || len(c) == 0 || len(w.PaymentData.Cryptogram) > wallet.MaxCryptogramLen {
			return bad("paymentData.onlinePaymentCryptogram")
		}
		if w.PaymentData.ECI != "" && (len(w.PaymentData.ECI) > 2 || !digits(w.PaymentData.ECI)) {
			return bad("paymentData.eciIndicator")
		}
		p.Cryptogram, p.ECI = w.PaymentData.Cryptogram, w.PaymentData.ECI
	case TypeEMV:
		e, err := base64.StdEncoding.DecodeString(w.PaymentData.EMVData)
		if err != nil || len(e) == 0 {
			return bad("paymentData.emvData")
		}
		if w.PaymentData.EncryptedPINData != "" {
			if _, err := hex.DecodeString(w.PaymentData.EncryptedPINData); err != nil {
				return bad("paymentData.encryptedPINData")
			}
		}
		p.EMVData, p.EncryptedPINData = w.PaymentData.EMVData, w.PaymentData.EncryptedPINData
	default:
		return bad("paymentDataType")
	}
	return p, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
