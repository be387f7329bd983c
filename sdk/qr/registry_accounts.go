package qr

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxAccounts bounds a certificate's payee accounts. A static code rarely
// lists more than five or six (an SGQR code with its umbrella template).
const maxAccounts = 16

// A payee account is a merchant account information object (EMVCo MPM
// v1.1 §4.6, IDs 02–51): where a wallet sends the money. The whole object
// is bound, not one field of it, because which sub-objects route a payment
// differs by scheme (Pix routes on 26/01, or on 26/25 for a dynamic code;
// PayNow on 26/01–02; VietQR on a nested 38/01) and a rule that knew only
// some of them would let a key holder add one it does not know.

// canonicalAccount checks a payee account for a certificate and returns it
// as codes carry it: ID and Value set (from Children, when given, as Build
// encodes them) and, for a template, Children parsed from Value.
func canonicalAccount(a Object) (Object, error) {
	id := idNumber(a.ID)
	if id < 2 || id > 51 {
		return Object{}, fmt.Errorf("payee account ID %q is not a merchant account ID (02–51)", truncate(a.ID, 4))
	}
	v := a.Value
	if a.Children != nil {
		if id < 26 {
			return Object{}, fmt.Errorf("payee account %s: a card network's object (02–25) has no sub-objects", a.ID)
		}
		var b strings.Builder
		if err := encodeObjects(&b, a.Children, id); err != nil {
			return Object{}, fmt.Errorf("payee account %s: sub-objects cannot be encoded", a.ID)
		}
		v = b.String()
	}
	if v == "" || !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxTemplateValue ||
		strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
		return Object{}, fmt.Errorf("payee account %s: value is empty, over 99 characters or holds control characters", a.ID)
	}
	o := Object{ID: a.ID, Value: v}
	if id >= 26 {
		var opaque []string
		c, err := parseObjects(v, id, &opaque)
		if err != nil || len(c) == 0 || c[0].ID != "00" || c[0].Value == "" {
			return Object{}, fmt.Errorf("payee account %s: a template's value must be data objects, 00 (the scheme's GUID) first", a.ID)
		}
		o.Children = c
	}
	return o, nil
}

// parseAccount parses a payee account as a certificate's JSON writes it:
// the data object in EMVCo form, "26580014br.gov.bcb.pix0136…".
func parseAccount(s string) (Object, error) {
	var opaque []string
	objs, err := parseObjects(s, -1, &opaque)
	if err != nil || len(objs) != 1 || len(opaque) > 0 {
		return Object{}, fmt.Errorf("payee account is not one EMVCo data object")
	}
	return canonicalAccount(objs[0])
}

// accountString writes a canonical account in EMVCo form.
func accountString(o Object) string {
	n := utf8.RuneCountInString(o.Value)
	return o.ID + string([]byte{byte('0' + n/10), byte('0' + n%10)}) + o.Value
}

func (c *Certificate) accountStrings() []string {
	if len(c.Accounts) == 0 {
		return nil
	}
	out := make([]string, len(c.Accounts))
	for i, a := range c.Accounts {
		out[i] = accountString(a)
	}
	return out
}

// checkAccounts checks that a certificate's accounts are canonical, at
// most maxAccounts, and distinct.
func checkAccounts(as []Object) error {
	if len(as) > maxAccounts {
		return fmt.Errorf("%d payee accounts, more than %d", len(as), maxAccounts)
	}
	for i, a := range as {
		o, err := canonicalAccount(Object{ID: a.ID, Value: a.Value})
		if err != nil {
			return err
		}
		if o.Value != a.Value {
			return fmt.Errorf("payee account %s is not in canonical form", a.ID)
		}
		for _, b := range as[:i] {
			if sameAccount(a, b) {
				return fmt.Errorf("payee account %s listed twice", a.ID)
			}
		}
	}
	return nil
}

// sameAccount reports whether the code's object o pays into the
// certificate's account a: a card network's object (02–25) with the same
// ID and value, or a template with the same value in any of 26–51.
func sameAccount(a, o Object) bool {
	if a.Value != o.Value {
		return false
	}
	ai, oi := idNumber(a.ID), idNumber(o.ID)
	if ai >= 26 {
		return oi >= 26 && oi <= 51
	}
	return ai == oi
}

// payeeAccounts checks the merchant account objects (02–51) of a code
// against the certificate's accounts. It returns ok when there is at least
// one and each is registered; otherwise bad names the first unregistered
// object, or is "" when there is none at all. A certificate without
// accounts binds none: callers check len(c.Accounts) first.
func (c *Certificate) payeeAccounts(objs []Object) (bad string, ok bool) {
	n := 0
	for _, o := range objs {
		if id := idNumber(o.ID); id < 2 || id > 51 {
			continue
		}
		n++
		found := false
		for _, a := range c.Accounts {
			if sameAccount(a, o) {
				found = true
				break
			}
		}
		if !found {
			return o.ID, false
		}
	}
	return "", n > 0
}

// cloneObjects returns a deep copy of objs.
func cloneObjects(objs []Object) []Object {
	if objs == nil {
		return nil
	}
	out := make([]Object, len(objs))
	for i, o := range objs {
		out[i] = Object{ID: o.ID, Value: o.Value, Children: cloneObjects(o.Children)}
	}
	return out
}
