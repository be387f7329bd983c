// Package card normalises and validates payment card input: numbers, brands,
// expiry dates, CVCs and masked display.
//
// For most uses, call [Parse] on the card JSON and then [Card.Validate]. In a
// checkout form, call [CheckNumber], [CheckExpiry] and [CheckCVC] as the
// shopper types, and [FormatNumber] to space the digits. [Check] gives the
// JSON verdict that "sealpay card check" prints.
//
// Nothing here returns or prints a whole card number or CVC except the Card
// fields themselves: errors, [Card.String], [Mask] and [Result] show at most
// the brand, the first six and the last four digits.
package card

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Card is the plaintext card, the one JSON shape used everywhere:
//
//	{"number":"4111111111111111","exp_month":12,"exp_year":2030,"cvc":"123","name":"A. Shopper"}
//
// CVC and Name are optional. A Card's String method redacts the number and CVC.
type Card struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc,omitempty"`
	Name     string `json:"name,omitempty"`
}

// MaxDocumentSize is the largest card document [Parse] and [Check] accept.
const MaxDocumentSize = 4 << 10

// maxNameLength is the longest cardholder name accepted, in characters,
// after trimming. Cards emboss at most 26 (ISO/IEC 7813 track 1); online
// forms take longer names, and 64 leaves room for them.
const maxNameLength = 64

// Parse decodes a card document strictly and normalises it: spaces, dashes
// and no-break spaces are removed from the number, the name is trimmed and
// a two-digit exp_year YY becomes 20YY. It does not check the brand, Luhn
// digit, expiry or CVC; call [Card.Validate] for that.
//
// Parse rejects, with an error wrapping [ErrMalformed], a document larger
// than [MaxDocumentSize], not valid UTF-8 (a string's escaped lone surrogate,
// such as "\ud800", included), not a single JSON object, or with
// duplicate or unknown members or trailing data. A missing or wrong-typed
// member, or a number that does not normalise, gives [ErrInvalidNumber],
// [ErrInvalidExpiry] or [ErrInvalidCVC] for its field, as does a CVC that is
// not 3 or 4 digits; a name that [Card.Validate] would refuse gives
// [ErrMalformed]. "cvc" and "name" may be null, meaning absent. A document
// that is not valid JSON gives [ErrMalformed], whatever else is wrong in it.
func Parse(b []byte) (Card, error) {
	if len(b) > MaxDocumentSize {
		return Card{}, fail(ErrMalformed, "card: document larger than "+itoa(MaxDocumentSize)+" bytes")
	}
	if !utf8.Valid(b) {
		return Card{}, fail(ErrMalformed, "card: document is not valid UTF-8")
	}
	// The document is checked whole first, so that one that is not valid
	// JSON is malformed whatever else is wrong in it. Repeated names pass
	// this check: a repeated top-level member is refused below in its own
	// words, and any nested value is refused for its member, as the wrong
	// type. Any nesting fits in the size limit.
	allowDups := jsontext.AllowDuplicateNames(true)
	if !jsontext.Value(b).IsValid(allowDups) {
		return Card{}, fail(ErrMalformed, "card: document is not valid JSON")
	}
	d := jsontext.NewDecoder(bytes.NewBuffer(b), allowDups)
	if d.PeekKind() != '{' {
		return Card{}, fail(ErrMalformed, "card: document is not a JSON object")
	}
	if _, err := d.ReadToken(); err != nil {
		return Card{}, fail(ErrMalformed, "card: document is not valid JSON")
	}
	// Members are checked in order, so the first unknown or repeated name
	// is the one reported.
	var c Card
	var seen [len(fieldNames)]bool
	for d.PeekKind() == '"' {
		name, err := d.ReadValue()
		if err != nil {
			return Card{}, fail(ErrMalformed, "card: document is not valid JSON")
		}
		val, err := d.ReadValue()
		if err != nil {
			return Card{}, fail(ErrMalformed, "card: document is not valid JSON")
		}
		f := fieldIndex(unquote(name))
		if f < 0 {
			// The member name is not quoted: it is input, and could be anything.
			return Card{}, fail(ErrMalformed, "card: unknown member (want only number, exp_month, exp_year, cvc, name)")
		}
		if seen[f] {
			return Card{}, fail(ErrMalformed, "card: duplicate member \""+fieldNames[f]+"\"")
		}
		seen[f] = true
		if err := c.set(f, val); err != nil {
			return Card{}, err
		}
	}
	switch {
	case !seen[fieldNumber]:
		return Card{}, fail(ErrInvalidNumber, "card: missing member \"number\"")
	case !seen[fieldExpMonth]:
		return Card{}, fail(ErrInvalidExpiry, "card: missing member \"exp_month\"")
	case !seen[fieldExpYear]:
		return Card{}, fail(ErrInvalidExpiry, "card: missing member \"exp_year\"")
	}
	return c, nil
}

const (
	fieldNumber = iota
	fieldExpMonth
	fieldExpYear
	fieldCVC
	fieldName
)

var fieldNames = [...]string{"number", "exp_month", "exp_year", "cvc", "name"}

func fieldIndex(key string) int {
	for i, n := range fieldNames {
		if n == key {
			return i
		}
	}
	return -1
}

// set stores the value of member f, as JSON text, into c.
func (c *Card) set(f int, val jsontext.Value) error {
	kind := val.Kind()
	switch f {
	case fieldNumber:
		if kind != '"' {
			return fail(ErrInvalidNumber, "card: \"number\" must be a JSON string")
		}
		digits, err := Normalize(unquote(val))
		if err != nil {
			return err
		}
		c.Number = digits
	case fieldExpMonth, fieldExpYear:
		if kind != '0' {
			return notInteger(f)
		}
		// Integers only: "12.0" and "1e1" are refused, as are values that
		// overflow 32 bits; the digits are not echoed.
		n, err := strconv.ParseInt(string(val), 10, 32)
		if err != nil {
			return notInteger(f)
		}
		if f == fieldExpMonth {
			c.ExpMonth = int(n)
		} else {
			if n >= 0 && n <= 99 {
				n += 2000 // a two-digit year YY is 20YY
			}
			c.ExpYear = int(n)
		}
	case fieldCVC, fieldName:
		if kind != '"' && kind != 'n' {
			if f == fieldCVC {
				return fail(ErrInvalidCVC, "card: \"cvc\" must be a JSON string")
			}
			return fail(ErrMalformed, "card: \"name\" must be a JSON string")
		}
		var s string // "" for null
		if kind == '"' {
			s = unquote(val)
		}
		if f == fieldName {
			if err := checkName(s); err != nil {
				return err
			}
			c.Name = strings.TrimSpace(s)
			return nil
		}
		// The length for the brand is Validate's job; the shape is checked
		// here so that a parsed card is always small.
		if s != "" && (!isDigits(s) || len(s) < 3 || len(s) > 4) {
			return fail(ErrInvalidCVC, "card: invalid cvc (not 3 or 4 digits)")
		}
		c.CVC = s
	}
	return nil
}

// unquote returns the text of a JSON string already checked as valid.
func unquote(v jsontext.Value) string {
	s, _ := jsontext.AppendUnquote(nil, v)
	return string(s)
}

func notInteger(f int) error {
	return fail(ErrInvalidExpiry, "card: \""+fieldNames[f]+"\" must be a JSON integer")
}

// Validate checks a card at time now, in this order:
//
//   - the number normalises, starts with the prefix of a supported brand
//     ([ErrUnsupportedBrand] if not), has a length that brand issues and
//     passes the Luhn check where the brand requires it ([ErrInvalidNumber]);
//   - the expiry month is 1–12 and the year has four digits and is at most
//     20 years ahead ([ErrInvalidExpiry]), and the expiry month has not
//     ended ([ErrExpired]). A card is valid through the last day of its
//     expiry month, and generously so: until that month has ended in every
//     time zone, which is 12:00 UTC on the first day of the next month;
//   - the CVC, if present, is digits of the brand's CVC length ([ErrInvalidCVC]);
//   - the name, if present, is at most 64 characters once trimmed and holds
//     no control or bidirectional-override characters ([ErrMalformed]).
//
// It returns the first failure.
func (c Card) Validate(now time.Time) error {
	digits, err := Normalize(c.Number)
	if err != nil {
		return err
	}
	b, err := checkDigits(digits)
	if err != nil {
		return err
	}
	if err := checkExpiry(c.ExpMonth, c.ExpYear, now); err != nil {
		return err
	}
	if c.CVC != "" {
		if !isDigits(c.CVC) {
			return fail(ErrInvalidCVC, "card: invalid cvc (not all digits)")
		}
		if len(c.CVC) != b.cvcLength {
			return fail(ErrInvalidCVC, "card: invalid cvc ("+itoa(len(c.CVC))+" digits, "+b.id+" needs "+itoa(b.cvcLength)+")")
		}
	}
	return checkName(c.Name)
}

// checkDigits checks a normalised number: known brand, its length, Luhn.
func checkDigits(d string) (*Brand, error) {
	if len(d) < minDigits {
		return nil, fail(ErrInvalidNumber, "card: invalid number ("+itoa(len(d))+" digits, too short)")
	}
	full, _ := scan(d)
	if full == nil {
		return nil, fail(ErrUnsupportedBrand, "card: unsupported brand ("+itoa(len(d))+" digits, prefix of no supported brand)")
	}
	if !full.validLength(len(d)) {
		return full, fail(ErrInvalidNumber, "card: invalid number ("+itoa(len(d))+" digits, not a "+full.id+" length)")
	}
	if full.luhn && !Luhn(d) {
		return full, fail(ErrInvalidNumber, "card: invalid number ("+itoa(len(d))+" digits, Luhn check failed)")
	}
	return full, nil
}

func checkName(name string) error {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) {
		return fail(ErrMalformed, "card: invalid name (not valid UTF-8)")
	}
	if n := utf8.RuneCountInString(name); n > maxNameLength {
		return fail(ErrMalformed, "card: invalid name ("+itoa(n)+" characters, at most "+itoa(maxNameLength)+")")
	}
	for _, r := range name {
		// Bidirectional embeddings, overrides and isolates can make a name
		// display as something else; zero-width joiners stay, as some
		// scripts need them.
		if unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return fail(ErrMalformed, "card: invalid name (control character)")
		}
	}
	return nil
}

// String returns a redacted description with the brand and, for a number of
// 12 digits or more, the last four digits: "card(visa ****4242)". It never
// shows the number, CVC, expiry or name.
func (c Card) String() string {
	d := keepDigits(c.Number, maxDigits)
	brand := "unknown"
	if b := DetectBrand(d); b != nil && len(d) >= minDigits {
		brand = b.id
	}
	if l4 := Last4(d); l4 != "" {
		return "card(" + brand + " ****" + l4 + ")"
	}
	return "card(" + brand + ")"
}

// GoString returns the same redacted description in Go syntax, for %#v.
func (c Card) GoString() string {
	d := keepDigits(c.Number, maxDigits)
	brand := ""
	if b := DetectBrand(d); b != nil && len(d) >= minDigits {
		brand = b.id
	}
	return "card.Card{Brand:" + strconv.Quote(brand) + ", Last4:" + strconv.Quote(Last4(d)) + `, Number:"[redacted]", CVC:"[redacted]"}`
}

// Format makes every fmt verb print the redacted [Card.String] (or
// [Card.GoString] for %#v), so that %v, %+v, %d, %x or %q cannot print the
// fields of a Card.
func (c Card) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, c.GoString())
		return
	}
	io.WriteString(f, c.String())
}
