package cardbridge

import (
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
)

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
