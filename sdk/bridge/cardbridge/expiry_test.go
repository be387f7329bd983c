package cardbridge

import (
	"errors"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
)

// referenceExpiry is card.Validate's expiry rule written with the time
// package's calendar (time.Date and Time.Year), which package card no
// longer calls so that the card module does not link time zone rules.
func referenceExpiry(month, year int, now time.Time) error {
	switch {
	case month < 1 || month > 12, year < 1000 || year > 9999, year > now.UTC().Year()+20:
		return card.ErrInvalidExpiry
	case !now.Before(time.Date(year, time.Month(month)+1, 1, 12, 0, 0, 0, time.UTC)):
		return card.ErrExpired
	}
	return nil
}

// TestExpiryMatchesTimePackage checks card's own calendar arithmetic
// against the time package at every instant where a verdict can change
// (12:00 UTC on the 1st of each month, and each new year, for the cards
// whose verdict changes there) from 1900 to 2400, in several time zones.
func TestExpiryMatchesTimePackage(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("UTC-12", -12*3600), time.FixedZone("UTC+14", 14*3600)}
	var nows []time.Time
	for y := 1900; y <= 2400; y++ {
		for m := time.January; m <= time.December; m++ {
			noon := time.Date(y, m, 1, 12, 0, 0, 0, time.UTC)
			nows = append(nows, noon, noon.Add(-time.Nanosecond), noon.Add(-time.Second))
		}
		newYear := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		nows = append(nows, newYear, newYear.Add(-time.Second))
	}
	c := testCard
	checked := 0
	for i, now := range nows {
		now = now.In(zones[i%len(zones)])
		y, m := now.UTC().Year(), int(now.UTC().Month())
		for _, exp := range [][2]int{
			{m, y}, {m - 1, y}, {m + 1, y}, {12, y - 1}, {1, y + 1},
			{12, y + 20}, {1, y + 21}, {12, y + 19}, {1, y}, {12, y},
		} {
			c.ExpMonth, c.ExpYear = exp[0], exp[1]
			want := referenceExpiry(c.ExpMonth, c.ExpYear, now)
			err := c.Validate(now)
			if !errors.Is(err, card.ErrExpired) && !errors.Is(err, card.ErrInvalidExpiry) && err != nil {
				t.Fatalf("Validate = %v, want an expiry verdict", err)
			}
			if (want == nil) != (err == nil) || want != nil && !errors.Is(err, want) {
				t.Fatalf("at %v, expiry %02d/%d: Validate = %v, time package says %v", now, c.ExpMonth, c.ExpYear, err, want)
			}
			checked++
		}
	}
	if checked < 100000 {
		t.Fatalf("checked %d verdicts, want every boundary of five centuries", checked)
	}
}

// TestCheckExpiryAcrossYears checks the checkCard expiry field where
// the year changes: the same typed expiry is complete on the last day of a
// year and still, or no longer, a year away on the next.
func TestCheckExpiryAcrossYears(t *testing.T) {
	for _, tc := range []struct {
		now   time.Time
		typed string
		valid bool
	}{
		{time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), "12 / 26", true},
		{time.Date(2027, 1, 1, 11, 59, 59, 0, time.UTC), "12 / 26", true},
		{time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), "12 / 26", false},
		{time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), "01 / 2047", false}, // 21 years ahead
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "01 / 2047", true},
		{time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC), "02 / 00", true},
		{time.Date(2000, 3, 1, 12, 0, 0, 0, time.UTC), "02 / 00", false},
	} {
		got := card.CheckExpiry(tc.typed, tc.now).Valid
		if got != tc.valid {
			t.Errorf("CheckExpiry(%q) at %v: valid = %v, want %v", tc.typed, tc.now, got, tc.valid)
		}
	}
}
