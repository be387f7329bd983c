package card

import (
	"strings"
	"time"
)

// maxYearsAhead bounds how far in the future an expiry year may be. Cards
// are issued for at most about ten years; twenty leaves room and still
// catches a year typed wrong.
const maxYearsAhead = 20

// ParseExpiry parses an expiry date as printed on a card or typed in a form:
// "MM/YY", "MM/YYYY", "MM / YY", "MM-YY", "M/YY", "MMYY" or "MMYYYY". A
// two-digit year YY means 20YY. Month 00 or 13, or any other shape, gives an
// error wrapping [ErrInvalidExpiry]. ParseExpiry does not check whether the
// date has passed; [Card.Validate] and [CheckExpiry] do.
func ParseExpiry(s string) (month, year int, err error) {
	mon, yr, sep, err := splitExpiry(s)
	if err != nil {
		return 0, 0, err
	}
	if !sep && len(mon) != 2 {
		return 0, 0, fail(ErrInvalidExpiry, "card: invalid expiry (expected MM/YY or MM/YYYY)")
	}
	if len(mon) == 0 || len(mon) > 2 || (len(yr) != 2 && len(yr) != 4) {
		return 0, 0, fail(ErrInvalidExpiry, "card: invalid expiry (expected MM/YY or MM/YYYY)")
	}
	month = atoi(mon)
	if month < 1 || month > 12 {
		return 0, 0, fail(ErrInvalidExpiry, "card: invalid expiry (month "+itoa2(month)+")")
	}
	year = atoi(yr)
	if len(yr) == 2 {
		year += 2000
	}
	return month, year, nil
}

// splitExpiry splits typed expiry text into its month and year digits. sep
// reports whether a separator ('/', '-' or spaces) was present; without one,
// the first two digits are the month.
func splitExpiry(s string) (mon, yr string, sep bool, err error) {
	if len(s) > 16 {
		return "", "", false, fail(ErrInvalidExpiry, "card: invalid expiry (input too long)")
	}
	s = strings.Trim(s, " ")
	if i := strings.IndexAny(s, "/-"); i >= 0 {
		mon, yr, sep = strings.Trim(s[:i], " "), strings.Trim(s[i+1:], " "), true
	} else if i := strings.IndexByte(s, ' '); i >= 0 {
		mon, yr, sep = s[:i], strings.Trim(s[i+1:], " "), true
	} else {
		mon, yr = s[:min(2, len(s))], s[min(2, len(s)):]
	}
	if (mon != "" && !isDigits(mon)) || (yr != "" && !isDigits(yr)) {
		return "", "", false, fail(ErrInvalidExpiry, "card: invalid expiry (expected digits, '/' and spaces)")
	}
	if len(yr) > 4 {
		return "", "", false, fail(ErrInvalidExpiry, "card: invalid expiry (year has more than 4 digits)")
	}
	return mon, yr, sep, nil
}

// atoi converts at most four ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// checkExpiry reports whether a card expiring in month/year is still valid
// at now. A card is valid through the last day of its expiry month. Issuers
// decide in their own time zone, so Sealpay is generous: the month ends when
// it has ended everywhere, at midnight in UTC−12, the last time zone to
// leave it (12:00 UTC on the first day of the next month).
func checkExpiry(month, year int, now time.Time) error {
	if month < 1 || month > 12 {
		return fail(ErrInvalidExpiry, "card: invalid expiry (month "+itoa(month)+", want 1 to 12)")
	}
	if year < 1000 || year > 9999 {
		return fail(ErrInvalidExpiry, "card: invalid expiry (year is not 4 digits)")
	}
	if year > now.UTC().Year()+maxYearsAhead {
		return fail(ErrInvalidExpiry, "card: invalid expiry (year more than "+itoa(maxYearsAhead)+" years ahead)")
	}
	if expired(month, year, now) {
		return fail(ErrExpired, "card: card expired (end of "+itoa2(month)+"/"+itoa(year)+")")
	}
	return nil
}

func expired(month, year int, now time.Time) bool {
	end := time.Date(year, time.Month(month)+1, 1, 12, 0, 0, 0, time.UTC)
	return !now.Before(end)
}
