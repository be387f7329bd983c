package card

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// Result is the verdict of [Check], printed as JSON by "sealpay card check".
// It never holds a whole card number: Formatted and Masked show at most the
// first six and last four digits.
type Result struct {
	Valid bool `json:"valid"`
	// PotentiallyValid is set for a bare number only; see [CheckNumber].
	PotentiallyValid *bool `json:"potentially_valid,omitempty"`

	Brand     string `json:"brand,omitempty"`
	BrandName string `json:"brand_name,omitempty"`
	CVCName   string `json:"cvc_name,omitempty"`
	CVCLength int    `json:"cvc_length,omitempty"`
	Lengths   []int  `json:"lengths,omitempty"`
	Gaps      []int  `json:"gaps,omitempty"`

	Formatted string `json:"formatted,omitempty"` // the masked number with the brand's gaps
	Masked    string `json:"masked,omitempty"`
	Last4     string `json:"last4,omitempty"`
	Luhn      bool   `json:"luhn"`

	Error *ResultError `json:"error,omitempty"`
}

// ResultError is the error of a [Result], as in every Sealpay error body.
type ResultError struct {
	Code    errcode.Code `json:"code"`
	Message string       `json:"message"`
}

// Check checks input at time now and describes it. input is either a card
// document (see [Parse]), checked with [Card.Validate], or a bare number with
// optional spaces and dashes, checked with [CheckNumber]; surrounding
// whitespace such as a trailing newline is ignored.
func Check(input []byte, now time.Time) Result {
	if len(input) > MaxDocumentSize {
		return Result{Error: resultError(fail(ErrMalformed, "card: input larger than "+itoa(MaxDocumentSize)+" bytes"))}
	}
	in := bytes.TrimSpace(input)
	if len(in) > 0 && in[0] == '{' {
		c, err := Parse(in)
		if err != nil {
			return Result{Error: resultError(err)}
		}
		r := describe(c.Number)
		if err := c.Validate(now); err != nil {
			r.Error = resultError(err)
		} else {
			r.Valid = true
		}
		return r
	}
	if !utf8.Valid(in) {
		return Result{Error: resultError(fail(ErrInvalidNumber, "card: invalid number (invalid UTF-8)"))}
	}
	st := CheckNumber(string(in))
	var r Result
	if d, err := Normalize(string(in)); err == nil {
		r = describe(d)
	}
	r.Valid = st.Valid
	r.PotentiallyValid = &st.PotentiallyValid
	if st.Err != nil {
		r.Error = resultError(st.Err)
	}
	return r
}

// describe fills in what can be shown of a normalised number.
func describe(digits string) Result {
	r := Result{
		Masked: Mask(digits),
		Last4:  Last4(digits),
		Luhn:   Luhn(digits),
	}
	b := DetectBrand(digits)
	r.Formatted = group(r.Masked, b.gapsFor(len(digits)), ' ')
	if b != nil {
		r.Brand, r.BrandName = b.id, b.name
		r.CVCName, r.CVCLength = b.cvcName, b.cvcLength
		r.Lengths, r.Gaps = b.Lengths(), b.Gaps(len(digits))
	}
	return r
}

func resultError(err error) *ResultError {
	return &ResultError{Code: errcode.Of(err), Message: err.Error()}
}
