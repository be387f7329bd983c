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

// checkAccountScheme applies the registry's onboarding rules to a
// canonical account (from [canonicalAccount]): what must be true of an
// account before a root vouches for it, beyond its EMVCo shape. They are
// checked by [RootKey.Certify] only, not when a bundle loads, so that a
// rule added later never makes an issued certificate unloadable.
//
//   - A template's GUID (sub-object 00) is 1–32 printable ASCII characters
//     without spaces (EMVCo MPM v1.1 §4.7.11: an AID, a UUID or a reverse
//     domain name, ans..32), and the template names an account: a
//     sub-object besides 00, unless 00 is itself the account, as KHQR's
//     Bakong account ID "name@bank" is.
//   - Pix (br.gov.bcb.pix) carries its key in 01 — a CPF (11 digits), a
//     CNPJ (14), a phone number (+55 and 10–11 digits), an e-mail address
//     (at most 77 characters) or a random key (a UUID) — or, for dynamic
//     codes, the location of the charge in 25 (Banco Central do Brasil,
//     Manual de Padrões para Iniciação do Pix, §1.6 and Anexo I).
//   - PromptPay credit transfer (A000000677010111) carries one proxy: a
//     mobile number in 01 ("0066" and 9 digits), a national or tax ID in 02
//     (13 digits), an e-wallet ID in 03 (15 digits) or a bank account in 04
//     (Thai QR Payment standard; github.com/dtinth/promptpay-qr).
func checkAccountScheme(a Object) error {
	if idNumber(a.ID) < 26 {
		return nil // EMVCo gives a network's identifier no shape beyond ans..99
	}
	guid := a.Children[0].Value
	if !printableNoSpace(guid, 32) {
		return fmt.Errorf("payee account %s: the GUID (sub-object 00) must be 1–32 printable ASCII characters without spaces", a.ID)
	}
	sub := func(id string) string { o, _ := find(a.Children, id); return o.Value }
	switch {
	case strings.EqualFold(guid, "br.gov.bcb.pix"):
		key, loc := sub("01"), sub("25")
		switch {
		case key == "" && loc == "":
			return fmt.Errorf("payee account %s: a Pix template needs the Pix key (01) or the charge's location (25)", a.ID)
		case key != "" && !validPixKey(key):
			return fmt.Errorf("payee account %s: the Pix key (01, %d characters) is not a CPF, CNPJ, +55 phone number, e-mail address or random key", a.ID, utf8.RuneCountInString(key))
		}
	case strings.EqualFold(guid, "A000000677010111"):
		n := 0
		for _, p := range promptPayProxies {
			v := sub(p.id)
			if v == "" {
				continue
			}
			n++
			if p.digits > 0 && (len(v) != p.digits || !allDigits(v) || !strings.HasPrefix(v, p.prefix)) {
				return fmt.Errorf("payee account %s: PromptPay %s (%s) is not %s", a.ID, p.name, p.id, p.shape)
			}
		}
		if n != 1 {
			return fmt.Errorf("payee account %s: a PromptPay template needs exactly one proxy (01 mobile, 02 national ID, 03 e-wallet, 04 bank account), not %d", a.ID, n)
		}
	case len(a.Children) < 2 && !strings.Contains(guid, "@"):
		return fmt.Errorf("payee account %s: the template names a scheme (00) but no account", a.ID)
	}
	return nil
}

// promptPayProxies are the sub-objects of a PromptPay credit transfer
// template that name the payee; digits 0 means free text.
var promptPayProxies = [...]struct {
	id, name, prefix, shape string
	digits                  int
}{
	{"01", "mobile number", "0066", "0066 and 9 digits", 13},
	{"02", "national or tax ID", "", "13 digits", 13},
	{"03", "e-wallet ID", "", "15 digits", 15},
	{"04", "bank account", "", "", 0},
}

// validPixKey accepts the five kinds of Pix key: CPF, CNPJ, phone number,
// e-mail address and random key (EVP).
func validPixKey(k string) bool {
	switch {
	case allDigits(k):
		return len(k) == 11 || len(k) == 14
	case strings.HasPrefix(k, "+55"):
		return (len(k) == 13 || len(k) == 14) && allDigits(k[1:])
	case strings.Contains(k, "@"):
		local, domain, _ := strings.Cut(k, "@")
		return len(k) <= 77 && local != "" && strings.Contains(domain, ".") && !strings.Contains(domain, "@") &&
			printableNoSpace(k, 77)
	default:
		return isUUID(k)
	}
}

// isUUID reports whether s is a UUID in its 36-character text form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// printableNoSpace accepts 1 to max characters of printable ASCII other
// than the space.
func printableNoSpace(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
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

// checkAccounts checks that a certificate's accounts are canonical, 1 to
// maxAccounts, and distinct. A certificate without accounts would vouch
// for the merchant's name on a code that pays anyone (docs/qr-v1.md §3.1).
func checkAccounts(as []Object) error {
	if len(as) == 0 {
		return fmt.Errorf("no payee accounts: a certificate must bind the accounts the merchant's codes pay into")
	}
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
// accounts covers no object, so no code passes.
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
