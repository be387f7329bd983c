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
	if year > utcYear(now)+maxYearsAhead {
		return fail(ErrInvalidExpiry, "card: invalid expiry (year more than "+itoa(maxYearsAhead)+" years ahead)")
	}
	if expired(month, year, now) {
		return fail(ErrExpired, "card: card expired (end of "+itoa2(month)+"/"+itoa(year)+")")
	}
	return nil
}

func expired(month, year int, now time.Time) bool {
	y, m := int64(year), int64(month)+1
	if m > 12 {
		y, m = y+1, 1
	}
	end := daysFromCivil(y, m, 1)*secondsPerDay + 12*3600 // 12:00 UTC on the 1st
	return now.Unix() >= end
}

// The calendar arithmetic below replaces time.Date and Time.Year, which
// look up time zones and so link the time package's zone rules (7 KB gzip)
// into the browser's card module. Both use the proleptic Gregorian
// calendar of the time package; the cardbridge tests compare expiry
// verdicts with time.Date's over four centuries.

const secondsPerDay = 86400

// utcYear returns t's year in UTC.
func utcYear(t time.Time) int {
	return int(civilYear(floorDiv(t.Unix(), secondsPerDay)))
}

// floorDiv divides rounding toward negative infinity; b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// daysFromCivil returns the days from 1970-01-01 to year y, month m
// (1–12), day d: the days_from_civil algorithm of
// http://howardhinnant.github.io/date_algorithms.html, which counts in
// 400-year eras of 146,097 days, each year starting on March 1st so that
// the leap day comes last.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400                     // year of era, 0–399
	doy := (153*((m+9)%12)+2)/5 + d - 1    // day of the March-based year, 0–365
	doe := yoe*365 + yoe/4 - yoe/100 + doy // day of era, 0–146096
	return era*146097 + doe - 719468       // 719468: days from 0000-03-01 to 1970-01-01
}

// civilYear returns the year of the day z days after 1970-01-01: the year
// part of civil_from_days from the same page.
func civilYear(z int64) int64 {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	if mp := (5*doy + 2) / 153; mp >= 10 { // January or February: the next civil year
		return yoe + era*400 + 1
	}
	return yoe + era*400
}
