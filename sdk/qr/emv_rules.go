package qr

import (
	"fmt"
	"unicode/utf8"
)

// objPath names an object for a deviation message, built only when a
// deviation is found so that conforming payloads parse without allocating
// messages.
type objPath struct{ parent, id string }

func (p objPath) String() string {
	if p.parent == "" {
		return "object " + p.id
	}
	return "object " + p.parent + "/" + p.id
}

// appendDeviations appends to dev every departure of a structurally valid
// payload from the field rules of EMVCo MPM v1.1 (§4 and Annex A: presence,
// format and maximum length of each data object). Lenient mode reports them
// as warnings; strict mode refuses the payload.
func appendDeviations(dev []string, objs []Object) []string {
	var has [100]bool
	for _, o := range objs {
		id, _ := twoDigits(o.ID[0], o.ID[1])
		has[id] = true
	}
	if v := objs[0].Value; v != "01" {
		dev = append(dev, fmt.Sprintf("object 00: payload format indicator %q, want \"01\"", v))
	}
	account := false
	for id := 2; id <= 51; id++ {
		account = account || has[id]
	}
	if !account {
		dev = append(dev, "no merchant account information (02–51)")
	}
	for _, m := range [...]struct {
		id   int
		name string
	}{
		{52, "merchant category code"}, {53, "transaction currency"}, {58, "country code"},
		{59, "merchant name"}, {60, "merchant city"},
	} {
		if !has[m.id] {
			dev = append(dev, fmt.Sprintf("object %d: %s missing", m.id, m.name))
		}
	}
	var tipIndicator string
	for _, o := range objs {
		id, _ := twoDigits(o.ID[0], o.ID[1])
		name := objPath{id: o.ID}
		if o.Value == "" {
			dev = append(dev, name.String()+": empty value")
			continue
		}
		switch {
		case id == 0 || id == 63:
			// Checked by Parse.
		case id == 1:
			if o.Value != "11" && o.Value != "12" {
				dev = append(dev, name.String()+": point of initiation method is not 11 or 12")
			}
		case id >= 2 && id <= 25:
			dev = checkANS(dev, name, o.Value, 99)
		case id >= 26 && id <= 51, id >= 80:
			if o.Children != nil { // nil: raw data, reported by Parse
				dev = checkGUIDTemplate(dev, o.ID, o.Children)
			}
		case id == 52:
			dev = checkDigits(dev, name, o.Value, 4)
		case id == 53:
			dev = checkDigits(dev, name, o.Value, 3)
		case id == 54 || id == 56:
			if !isAmount(o.Value) {
				dev = append(dev, name.String()+": not an amount of up to 13 characters (digits and at most one '.')")
			}
		case id == 55:
			tipIndicator = o.Value
			if o.Value != "01" && o.Value != "02" && o.Value != "03" {
				dev = append(dev, name.String()+": tip or convenience indicator is not 01, 02 or 03")
			}
		case id == 57:
			if !isPercentage(o.Value) {
				dev = append(dev, name.String()+": convenience fee percentage is not between 00.01 and 99.99")
			}
		case id == 58:
			if len(o.Value) != 2 || !isUpperAlpha(o.Value) {
				dev = append(dev, name.String()+": country code is not two upper-case letters")
			}
		case id == 59:
			dev = checkANS(dev, name, o.Value, 25)
		case id == 60:
			dev = checkANS(dev, name, o.Value, 15)
		case id == 61:
			dev = checkANS(dev, name, o.Value, 10)
		case id == 62:
			dev = checkAdditionalData(dev, o.Children)
		case id == 64:
			dev = checkLanguage(dev, o.Children)
		default: // 65–79
			dev = append(dev, name.String()+": ID reserved for future use by EMVCo")
		}
	}
	if has[56] != (tipIndicator == "02") {
		dev = append(dev, "object 56: present if and only if 55 is \"02\"")
	}
	if has[57] != (tipIndicator == "03") {
		dev = append(dev, "object 57: present if and only if 55 is \"03\"")
	}
	return dev
}

// checkGUIDTemplate checks a merchant account (26–51) or unreserved (80–99)
// template: a globally unique identifier in 00, and non-empty values. The
// other sub-objects have format S (any character) by EMVCo's definition.
func checkGUIDTemplate(dev []string, parent string, children []Object) []string {
	if len(children) == 0 || children[0].ID != "00" {
		dev = append(dev, objPath{id: parent}.String()+": globally unique identifier (00) missing or not first")
	}
	for _, c := range children {
		cname := objPath{parent, c.ID}
		switch {
		case c.Value == "":
			dev = append(dev, cname.String()+": empty value")
		case c.ID == "00":
			dev = checkANS(dev, cname, c.Value, 32)
		}
	}
	return dev
}

// checkAdditionalData checks template 62 (EMVCo MPM v1.1 §4.8).
func checkAdditionalData(dev []string, children []Object) []string {
	for _, c := range children {
		id, _ := twoDigits(c.ID[0], c.ID[1])
		cname := objPath{"62", c.ID}
		switch {
		case c.Value == "":
			dev = append(dev, cname.String()+": empty value")
		case id == 9:
			// Additional consumer data request: any of "A", "M", "E", once each.
			if len(c.Value) > 3 || !isConsumerDataRequest(c.Value) {
				dev = append(dev, cname.String()+": consumer data request is not a combination of A, M and E")
			}
		case id >= 1 && id <= 11:
			max := 25
			if id == 10 {
				max = 20
			} else if id == 11 {
				max = 3
			}
			dev = checkANS(dev, cname, c.Value, max)
		case id >= 50:
			if c.Children != nil {
				dev = checkGUIDTemplate(dev, "62/"+c.ID, c.Children)
			}
		default: // 00, 12–49
			dev = append(dev, cname.String()+": ID reserved for future use by EMVCo")
		}
	}
	return dev
}

// checkLanguage checks template 64 (EMVCo MPM v1.1 §4.9): a language
// preference and an alternate merchant name are mandatory, and the names
// may use any character.
func checkLanguage(dev []string, children []Object) []string {
	var has [100]bool
	for _, c := range children {
		id, _ := twoDigits(c.ID[0], c.ID[1])
		has[id] = true
		cname := objPath{"64", c.ID}
		n := utf8.RuneCountInString(c.Value)
		switch {
		case c.Value == "":
			dev = append(dev, cname.String()+": empty value")
		case id == 0:
			if len(c.Value) != 2 || !isAlpha(c.Value) {
				dev = append(dev, cname.String()+": language preference is not an ISO 639-1 code")
			}
		case id == 1 && n > 25:
			dev = append(dev, fmt.Sprintf("%s: %d characters, more than 25", cname, n))
		case id == 2 && n > 15:
			dev = append(dev, fmt.Sprintf("%s: %d characters, more than 15", cname, n))
		case id > 2:
			dev = append(dev, cname.String()+": ID reserved for future use by EMVCo")
		}
	}
	if !has[0] {
		dev = append(dev, "object 64/00: language preference missing")
	}
	if !has[1] {
		dev = append(dev, "object 64/01: alternate merchant name missing")
	}
	return dev
}

// checkANS checks EMVCo format "ans" (the common character set, printable
// ASCII 0x20–0x7E) and a maximum length.
func checkANS(dev []string, name objPath, v string, max int) []string {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7E {
			dev = append(dev, name.String()+": characters outside the EMVCo common character set")
			break
		}
	}
	if n := utf8.RuneCountInString(v); n > max {
		dev = append(dev, fmt.Sprintf("%s: %d characters, more than %d", name, n, max))
	}
	return dev
}

// checkDigits checks EMVCo format "N" of a fixed length.
func checkDigits(dev []string, name objPath, v string, n int) []string {
	if len(v) != n || !isDigits(v) {
		dev = append(dev, fmt.Sprintf("%s: not %d digits", name, n))
	}
	return dev
}

// isAmount reports whether v is an EMVCo amount: up to 13 characters,
// digits with at most one "." as the decimal mark (for example "98.73").
func isAmount(v string) bool {
	if v == "" || len(v) > 13 {
		return false
	}
	dot, digits := false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// isPercentage reports whether v is a convenience fee percentage between
// "00.01" and "99.99".
func isPercentage(v string) bool {
	if !isAmount(v) || len(v) > 5 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] >= '1' && v[i] <= '9' {
			return true
		}
	}
	return false
}

func isConsumerDataRequest(v string) bool {
	var seen [3]bool
	for i := 0; i < len(v); i++ {
		k := -1
		switch v[i] {
		case 'A':
			k = 0
		case 'M':
			k = 1
		case 'E':
			k = 2
		}
		if k < 0 || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

func isUpperAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
