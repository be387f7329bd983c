package card

import (
	"errors"
	"fmt"
	"testing"
)

func TestCheckNumber(t *testing.T) {
	tests := []struct {
		in               string
		brand            string
		valid, potential bool
		err              error
	}{
		{"", "", false, true, ErrInvalidNumber},
		{" ", "", false, true, ErrInvalidNumber},
		{"4", "visa", false, true, ErrInvalidNumber},
		{"4242 4242", "visa", false, true, ErrInvalidNumber},
		{"4242 4242 4242 4242", "visa", true, true, nil},
		{"4242-4242-4242-4242", "visa", true, true, nil},
		// 16 digits failing Luhn: Visa also issues 18 and 19 digits.
		{"4242 4242 4242 4241", "visa", false, true, ErrInvalidNumber},
		{"4242 4242 4242 4242 426", "visa", false, false, ErrInvalidNumber},
		{"5555 5555 5555 4444", "mastercard", true, true, nil},
		{"5555 5555 5555 4445", "mastercard", false, false, ErrInvalidNumber},
		{"5555 5555 5555 44445", "mastercard", false, false, ErrInvalidNumber},
		{"3782 822463 10005", "amex", true, true, nil},
		{"3782 822463 100051", "amex", false, false, ErrInvalidNumber},
		{"3", "", false, true, ErrInvalidNumber},
		{"35", "jcb", false, true, ErrInvalidNumber},
		{"6", "", false, true, ErrInvalidNumber},
		{"62", "unionpay", false, true, ErrInvalidNumber},
		{"6200 0000 0000 0001", "unionpay", true, true, nil},
		{"22", "", false, true, ErrInvalidNumber},
		{"2200 0000 0000 0053", "mir", true, true, nil},
		{"1", "", false, false, ErrUnsupportedBrand},
		{"1234 5678 1234 5670", "", false, false, ErrUnsupportedBrand},
		{"66", "", false, false, ErrUnsupportedBrand},
		{"4242 424O", "", false, false, ErrInvalidNumber},
		{"4242\u200b", "", false, false, ErrInvalidNumber},
		{"\u0664\u0662", "", false, false, ErrInvalidNumber},
		{"4242 4242 4242 4242 4242", "", false, false, ErrInvalidNumber},
		// Maestro is valid from 12 digits and still growing to 19.
		{"6759 0000 0000 5", "maestro", true, true, nil},
		{"6759 0000 0000 6", "maestro", false, true, ErrInvalidNumber},
	}
	for i, tc := range tests {
		// Subtest names show up in failures too: the masked input, not the input.
		t.Run(fmt.Sprintf("%02d:%s", i, Mask(tc.in)), func(t *testing.T) {
			st := CheckNumber(tc.in)
			if idOf(st.Brand) != tc.brand || st.Valid != tc.valid || st.PotentiallyValid != tc.potential {
				t.Errorf("CheckNumber(%s) = {%q valid:%v potentially:%v}, want {%q valid:%v potentially:%v}",
					shown(tc.in), idOf(st.Brand), st.Valid, st.PotentiallyValid, tc.brand, tc.valid, tc.potential)
			}
			if tc.err == nil && st.Err != nil || tc.err != nil && !errors.Is(st.Err, tc.err) {
				t.Errorf("CheckNumber(%s).Err = %v, want %v", shown(tc.in), st.Err, tc.err)
			}
			if st.Err != nil && !isPackageError(st.Err) {
				t.Errorf("CheckNumber(%s).Err = %v, not a package error", shown(tc.in), st.Err)
			}
		})
	}
}

// TestCheckNumberAsTyped types every test card digit by digit: each prefix
// is potentially valid and never ends up with another brand, and the whole
// number is valid.
func TestCheckNumberAsTyped(t *testing.T) {
	for _, c := range loadTestCards(t) {
		for i := 1; i <= len(c.Number); i++ {
			typed := FormatNumber(c.Number[:i])
			st := CheckNumber(typed)
			if !st.PotentiallyValid {
				t.Errorf("CheckNumber(%s, %d of %d digits) not potentially valid: %v", c.Brand, i, len(c.Number), st.Err)
			}
			if (st.Err == nil) != st.Valid {
				t.Errorf("CheckNumber(%s, %d digits): Valid %v but Err %v", c.Brand, i, st.Valid, st.Err)
			}
			if i >= maxPrefix && idOf(st.Brand) != c.Brand {
				t.Errorf("CheckNumber(%s, %d digits).Brand = %v", c.Brand, i, st.Brand)
			}
		}
		if st := CheckNumber(c.Number); st.Valid != c.Valid {
			t.Errorf("CheckNumber(%s %s).Valid = %v, want %v", c.Brand, Mask(c.Number), st.Valid, c.Valid)
		}
	}
}

func TestCheckExpiry(t *testing.T) {
	// now is 15 March 2026.
	tests := []struct {
		in               string
		valid, potential bool
		err              error
	}{
		{"", false, true, ErrInvalidExpiry},
		{"0", false, true, ErrInvalidExpiry},
		{"1", false, true, ErrInvalidExpiry},
		{"2", false, true, ErrInvalidExpiry},
		{"03", false, true, ErrInvalidExpiry},
		{"12", false, true, ErrInvalidExpiry},
		{"12/", false, true, ErrInvalidExpiry},
		{"12 /", false, true, ErrInvalidExpiry},
		{"12/2", false, true, ErrInvalidExpiry},
		{"12/20", false, true, ErrExpired}, // expired as 2020, but 12/2030 is ahead
		{"12/203", false, true, ErrInvalidExpiry},
		{"12/30", true, true, nil},
		{"12/2030", true, true, nil},
		{"1230", true, true, nil},
		{"123", false, true, ErrInvalidExpiry},
		{"03/26", true, true, nil},
		{"03/2026", true, true, nil},
		{"02/26", false, false, ErrExpired},
		{"02/2026", false, false, ErrExpired},
		{"12/2020", false, false, ErrExpired},
		{"12/19", false, false, ErrExpired},
		{"12/1", false, false, ErrInvalidExpiry},
		{"12/50", false, false, ErrInvalidExpiry},
		{"12/2050", false, false, ErrInvalidExpiry},
		{"00", false, false, ErrInvalidExpiry},
		{"13", false, false, ErrInvalidExpiry},
		{"00/30", false, false, ErrInvalidExpiry},
		{"13/30", false, false, ErrInvalidExpiry},
		{"0/", false, false, ErrInvalidExpiry},
		{"/", false, false, ErrInvalidExpiry},
		{"1x", false, false, ErrInvalidExpiry},
		{"12/30/", false, false, ErrInvalidExpiry},
		{"12/20301", false, false, ErrInvalidExpiry},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			st := CheckExpiry(tc.in, now)
			if st.Valid != tc.valid || st.PotentiallyValid != tc.potential {
				t.Errorf("CheckExpiry(%q) = {valid:%v potentially:%v}, want {valid:%v potentially:%v}",
					tc.in, st.Valid, st.PotentiallyValid, tc.valid, tc.potential)
			}
			if tc.err == nil && st.Err != nil || tc.err != nil && !errors.Is(st.Err, tc.err) {
				t.Errorf("CheckExpiry(%q).Err = %v, want %v", tc.in, st.Err, tc.err)
			}
		})
	}
}

func TestCheckCVC(t *testing.T) {
	visa, _ := BrandByID("visa")
	amex, _ := BrandByID("amex")
	tests := []struct {
		in               string
		brand            *Brand
		valid, potential bool
	}{
		{"", visa, false, true},
		{"1", visa, false, true},
		{"12", visa, false, true},
		{"123", visa, true, true},
		{"1234", visa, false, false},
		{"123", amex, false, true},
		{"1234", amex, true, true},
		{"12345", amex, false, false},
		{"123", nil, true, true},
		{"1234", nil, true, true},
		{"12345", nil, false, false},
		{"12a", visa, false, false},
		{"\u0661\u0662\u0663", visa, false, false},
		{" 123", visa, false, false},
	}
	for i, tc := range tests {
		// A CVC is never printed: the case number and its length say which.
		st := CheckCVC(tc.in, tc.brand)
		if st.Valid != tc.valid || st.PotentiallyValid != tc.potential {
			t.Errorf("case %d: CheckCVC(%d bytes, %v) = {valid:%v potentially:%v}, want {valid:%v potentially:%v}",
				i, len(tc.in), tc.brand, st.Valid, st.PotentiallyValid, tc.valid, tc.potential)
		}
		if st.Valid != (st.Err == nil) || st.Err != nil && !errors.Is(st.Err, ErrInvalidCVC) {
			t.Errorf("case %d: CheckCVC(%d bytes, %v).Err = %v", i, len(tc.in), tc.brand, st.Err)
		}
	}
}
