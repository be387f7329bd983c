package token_test

import (
	"testing"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/token"
)

// TestMetadataBoundIntoRow: a card row's clear columns and a CVC row's
// expiry are in the row's additional data, so editing one in the database
// (a single-use token made reusable, an expiry moved, an expiry date
// changed before the relay fills it in) makes the row fail to open, as
// does swapping two rows' ciphertexts.
func TestMetadataBoundIntoRow(t *testing.T) {
	clk := newClock()
	v, db, _ := newVault(t, clk)
	c := loadCards(t)[0].Card
	c.CVC = "4321"
	for _, tc := range []struct {
		name   string
		single bool
		table  string
		edit   string // SQL SET clause
		field  token.Field
	}{
		{"exp_month", false, "vault_tokens", "exp_month = exp_month % 12 + 1", token.FieldNumber},
		{"exp_year", false, "vault_tokens", "exp_year = exp_year + 1", token.FieldNumber},
		{"brand", false, "vault_tokens", "brand = 'mastercard'", token.FieldNumber},
		{"last4", false, "vault_tokens", "last4 = '0000'", token.FieldNumber},
		{"fingerprint", false, "vault_tokens", "fingerprint = 'fp_other'", token.FieldNumber},
		{"created_at", false, "vault_tokens", "created_at = created_at - 1", token.FieldNumber},
		{"made single-use", false, "vault_tokens", "single_use = 1, expires_at = created_at + 3600", token.FieldNumber},
		{"made reusable", true, "vault_tokens", "single_use = 0, expires_at = NULL", token.FieldNumber},
		{"expiry moved", true, "vault_tokens", "expires_at = expires_at + 86400", token.FieldNumber},
		{"CVC expiry moved", false, "vault_cvcs", "expires_at = expires_at + 60", token.FieldCVC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := v.Tokenize(ctx, "m", c, "visa", token.TokenizeOptions{SingleUse: tc.single})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`UPDATE `+tc.table+` SET `+tc.edit+` WHERE token = ?`, s.Token); err != nil {
				t.Fatal(err)
			}
			got, err := v.Reveal(ctx, "m", s.Token, tc.field)
			if errcode.Of(err) != errcode.Internal {
				t.Errorf("Reveal after editing %s = (number %v, CVC %v), %v; want an internal error",
					tc.name, got.Number == c.Number, got.CVC == c.CVC, err)
			}
		})
	}
	t.Run("swapped rows", func(t *testing.T) {
		a, _ := v.Tokenize(ctx, "m", c, "visa", token.TokenizeOptions{})
		b, _ := v.Tokenize(ctx, "m", c, "visa", token.TokenizeOptions{})
		if _, err := db.Exec(`UPDATE vault_tokens SET sealed = (SELECT sealed FROM vault_tokens WHERE token = ?) WHERE token = ?`, a.Token, b.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Reveal(ctx, "m", b.Token, token.FieldNumber); errcode.Of(err) != errcode.Internal {
			t.Errorf("Reveal of a row holding another's ciphertext: %v, want an internal error", err)
		}
	})
	t.Run("untouched", func(t *testing.T) {
		s, _ := v.Tokenize(ctx, "m", c, "visa", token.TokenizeOptions{SingleUse: true})
		got, err := v.Reveal(ctx, "m", s.Token)
		if err != nil || got.Number != c.Number || got.CVC != c.CVC {
			t.Errorf("Reveal of an untouched row: match %v/%v, %v", got.Number == c.Number, got.CVC == c.CVC, err)
		}
	})
}
