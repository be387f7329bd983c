package card

import (
	"strconv"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// The sentinel errors. Every error returned by this package wraps exactly one
// of them, so callers branch with errors.Is and [errcode.Of] finds the code.
// Messages name the field and its shape, never its value.
var (
	// ErrInvalidNumber is returned when a card number is empty, holds a
	// character other than an ASCII digit, space, dash or no-break space
	// (letters, non-ASCII digits, zero-width characters), has more than 19
	// digits, has a length its brand does not issue, or fails the Luhn check.
	ErrInvalidNumber = errcode.New(errcode.InvalidCardNumber, "card: invalid number")

	// ErrUnsupportedBrand is returned when a well-formed number starts with
	// a prefix that no brand in [Brands] uses.
	ErrUnsupportedBrand = errcode.New(errcode.UnsupportedBrand, "card: unsupported brand")

	// ErrInvalidExpiry is returned when an expiry month is not 1–12, a year
	// is not four digits (two are accepted by [Parse] and [ParseExpiry]) or
	// is more than 20 years ahead, or an expiry string has another shape.
	ErrInvalidExpiry = errcode.New(errcode.InvalidExpiry, "card: invalid expiry")

	// ErrExpired is returned when a card's expiry month has ended.
	ErrExpired = errcode.New(errcode.CardExpired, "card: card expired")

	// ErrInvalidCVC is returned when a CVC is present but is not all ASCII
	// digits or does not have its brand's length.
	ErrInvalidCVC = errcode.New(errcode.InvalidCVC, "card: invalid cvc")

	// ErrMalformed is returned by [Parse] and [Check] when the card document
	// itself is bad: larger than 4 KiB, not valid UTF-8, not one JSON
	// object, with duplicate or unknown members or trailing data. It is also
	// returned for a cardholder name that is too long or holds control
	// characters. Its code is bad_request.
	ErrMalformed = errcode.New(errcode.BadRequest, "card: malformed card document")
)

// detailError carries a precise message and unwraps to one sentinel, so that
// the message reads "card: invalid number (15 digits, Luhn check failed)"
// without the sentinel's text repeated after it.
type detailError struct {
	msg      string
	sentinel *errcode.Error
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.sentinel }

// fail returns an error with message msg wrapping sentinel. The message
// must never carry a card number, CVC or any other input text: only counts,
// positions, brand ids and fixed words. Messages are built with [itoa]
// rather than fmt, which would add about 100 KB (gzip) to the browser's
// card module.
func fail(sentinel *errcode.Error, msg string) error {
	return &detailError{msg: msg, sentinel: sentinel}
}

// itoa formats n in decimal, for messages.
func itoa(n int) string { return strconv.Itoa(n) }

// itoa2 formats n in decimal with at least two digits, as "%02d" does.
func itoa2(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
