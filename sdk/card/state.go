package card

import (
	"strconv"
	"strings"
	"time"
)

// FieldState is the verdict on one form field as the shopper types, for the
// browser to colour it: valid now, or not yet but still able to become valid
// (like card-validator's isPotentiallyValid), or neither.
type FieldState struct {
	// Valid reports whether the input is complete and valid.
	Valid bool
	// PotentiallyValid reports whether the input is valid or can still
	// become valid by typing more. Empty input is potentially valid.
	PotentiallyValid bool
	// Err says why the input is not valid; it is nil exactly when Valid.
	// Show it when the shopper leaves the field.
	Err error
}

// NumberState is the verdict on a card number field.
type NumberState struct {
	// Brand is the brand detected so far, as [DetectBrand] reports it: nil
	// while unknown or ambiguous.
	Brand *Brand
	FieldState
}

// CheckNumber checks a card number as typed so far. A number is Valid when
// it normalises, has a length its brand issues and passes the Luhn check the
// brand requires; it is PotentiallyValid while some supported brand could
// still complete the typed digits into a valid number.
func CheckNumber(input string) NumberState {
	if strings.Trim(input, " -\u00a0") == "" {
		return NumberState{FieldState: FieldState{
			PotentiallyValid: true,
			Err:              fail(ErrInvalidNumber, "card: invalid number (no digits)"),
		}}
	}
	d, err := Normalize(input)
	if err != nil {
		return NumberState{FieldState: FieldState{Err: err}}
	}
	st := NumberState{Brand: DetectBrand(d)}
	full, cands := scan(d)
	if full != nil {
		if _, err := checkDigits(d); err == nil {
			st.Valid, st.PotentiallyValid = true, true
			return st
		}
	}
	// Could more digits still make a valid number of some brand? The brand
	// matched so far or any brand whose longer ranges the digits can grow
	// into, if it issues numbers longer than those typed.
	if full != nil && full.maxLength() > len(d) {
		st.PotentiallyValid = true
	}
	for i, b := range brandTable {
		if cands&(1<<i) != 0 && b.maxLength() > len(d) {
			st.PotentiallyValid = true
		}
	}
	switch {
	case full == nil && cands == 0:
		st.Err = fail(ErrUnsupportedBrand, "card: unsupported brand ("+itoa(len(d))+" digits, prefix of no supported brand)")
	case st.PotentiallyValid && (full == nil || !full.validLength(len(d))):
		st.Err = fail(ErrInvalidNumber, "card: invalid number ("+itoa(len(d))+" digits, incomplete)")
	default:
		_, st.Err = checkDigits(d)
		if st.Err == nil { // unreachable: a valid number returned above
			st.Err = fail(ErrInvalidNumber, "card: invalid number ("+itoa(len(d))+" digits)")
		}
	}
	return st
}

// CheckExpiry checks an expiry date as typed so far, in any form
// [ParseExpiry] accepts, at time now. It is Valid when complete and the card
// has not expired, by the rule of [Card.Validate], and PotentiallyValid while typing
// can still reach such a date: "1" (January or October to December), "12/"
// and "12/20" (towards 12/2030) are.
func CheckExpiry(input string, now time.Time) FieldState {
	mon, yr, sep, err := splitExpiry(input)
	if err != nil {
		return FieldState{Err: err}
	}
	incomplete := fail(ErrInvalidExpiry, "card: invalid expiry (incomplete)")
	// The month: complete, or a prefix of some month.
	month := 0
	switch {
	case mon == "" && !sep:
		return FieldState{PotentiallyValid: true, Err: incomplete}
	case mon == "" || len(mon) > 2:
		return FieldState{Err: fail(ErrInvalidExpiry, "card: invalid expiry (expected MM/YY or MM/YYYY)")}
	case len(mon) == 1 && !sep:
		// "0" and "1" begin months; "2"–"9" become "02"–"09" in most forms.
		return FieldState{PotentiallyValid: true, Err: incomplete}
	default:
		month = atoi(mon)
		if month < 1 || month > 12 {
			return FieldState{Err: fail(ErrInvalidExpiry, "card: invalid expiry (month "+itoa2(month)+")")}
		}
	}
	// The year: complete with 2 or 4 digits, or a prefix of a coming year.
	if len(yr) == 2 || len(yr) == 4 {
		year := atoi(yr)
		if len(yr) == 2 {
			year += 2000
		}
		if err := checkExpiry(month, year, now); err == nil {
			return FieldState{Valid: true, PotentiallyValid: true}
		} else if len(yr) == 4 || !yearReachable(month, yr, now) {
			return FieldState{Err: err}
		} else {
			return FieldState{PotentiallyValid: true, Err: err}
		}
	}
	if yearReachable(month, yr, now) {
		return FieldState{PotentiallyValid: true, Err: incomplete}
	}
	return FieldState{Err: fail(ErrInvalidExpiry, "card: invalid expiry (no coming year starts with the digits typed)")}
}

// yearReachable reports whether the typed year digits can still be completed,
// as a two- or four-digit year, to one where a card expiring in month is
// valid at now.
func yearReachable(month int, typed string, now time.Time) bool {
	this := now.UTC().Year()
	for y := this - 1; y <= this+maxYearsAhead; y++ {
		if expired(month, y, now) {
			continue
		}
		y4 := strconv.Itoa(y)
		if strings.HasPrefix(y4, typed) && len(typed) < 4 {
			return true
		}
		if y/100 == 20 && len(typed) < 2 && strings.HasPrefix(y4[2:], typed) {
			return true
		}
	}
	return false
}

// CheckCVC checks a security code as typed so far for a card of the given
// brand. It is Valid when it is all digits of the brand's CVC length, and
// PotentiallyValid while shorter. With a nil brand (not known yet), 3 or 4
// digits are valid. Empty input is potentially valid but not valid; a form
// without a CVC field need not call CheckCVC, as the CVC is optional.
func CheckCVC(input string, brand *Brand) FieldState {
	lo, hi := 3, 4
	if brand != nil {
		lo, hi = brand.cvcLength, brand.cvcLength
	}
	switch {
	case input != "" && !isDigits(input):
		return FieldState{Err: fail(ErrInvalidCVC, "card: invalid cvc (not all digits)")}
	case len(input) > hi:
		return FieldState{Err: fail(ErrInvalidCVC, "card: invalid cvc ("+itoa(len(input))+" digits, at most "+itoa(hi)+")")}
	case len(input) < lo:
		return FieldState{PotentiallyValid: true, Err: fail(ErrInvalidCVC, "card: invalid cvc ("+itoa(len(input))+" digits, incomplete)")}
	}
	return FieldState{Valid: true, PotentiallyValid: true}
}
