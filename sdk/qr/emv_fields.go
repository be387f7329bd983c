package qr

// idNumber returns the number of a two-digit ID, or -1. The accessors use
// it rather than trusting IDs, because a Payload may be built by hand.
func idNumber(id string) int {
	if len(id) != 2 {
		return -1
	}
	n, ok := twoDigits(id[0], id[1])
	if !ok {
		return -1
	}
	return n
}

// value returns the value of a top-level object, or "".
func (p *Payload) value(id string) string {
	o, _ := find(p.Objects, id)
	return o.Value
}

// MerchantName returns the merchant name (ID 59).
func (p *Payload) MerchantName() string { return p.value("59") }

// City returns the merchant city (ID 60).
func (p *Payload) City() string { return p.value("60") }

// MCC returns the merchant category code (ID 52), four digits.
func (p *Payload) MCC() string { return p.value("52") }

// Currency returns the transaction currency (ID 53) as an ISO 4217 numeric
// code, e.g. "986" for the Brazilian real.
func (p *Payload) Currency() string { return p.value("53") }

// CurrencyCode returns the ISO 4217 alphabetic code of [Payload.Currency],
// e.g. "BRL", or "" if the numeric code is absent or unknown.
func (p *Payload) CurrencyCode() string { return currencyAlpha(p.Currency()) }

// Amount returns the transaction amount (ID 54) as written in the payload,
// e.g. "98.73", or "" for a static code where the payer enters the amount.
func (p *Payload) Amount() string { return p.value("54") }

// Country returns the merchant's country (ID 58), ISO 3166-1 alpha-2.
func (p *Payload) Country() string { return p.value("58") }

// PostalCode returns the merchant's postal code (ID 61).
func (p *Payload) PostalCode() string { return p.value("61") }

// Reference returns the reference label (62/05), or else the bill number
// (62/01), or "".
func (p *Payload) Reference() string {
	if v, ok := p.Lookup("62", "05"); ok {
		return v
	}
	v, _ := p.Lookup("62", "01")
	return v
}

// Accounts returns the merchant account information objects (IDs 02–51)
// in payload order: where a wallet sends the money. Register a merchant's
// with [Certificate] Accounts, taken from its static code.
func (p *Payload) Accounts() []Object {
	var as []Object
	for _, o := range p.Objects {
		if id := idNumber(o.ID); id >= 2 && id <= 51 {
			as = append(as, o)
		}
	}
	return as
}

// AlternateLanguage returns the merchant information in an alternate
// language (template 64), for example a Thai or Chinese merchant name:
// the ISO 639-1 language (64/00, e.g. "zh" or "TH"), the merchant name
// (64/01) and the city (64/02). ok is false when the payload has no
// template 64.
func (p *Payload) AlternateLanguage() (lang, name, city string, ok bool) {
	if _, ok := p.Get("64"); !ok {
		return "", "", "", false
	}
	lang, _ = p.Lookup("64", "00")
	name, _ = p.Lookup("64", "01")
	city, _ = p.Lookup("64", "02")
	return lang, name, city, true
}
