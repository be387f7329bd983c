package qr

import "strings"

// Scheme is a payment scheme recognised in a payload's merchant account
// information.
type Scheme struct {
	// ID is a stable lower-case identifier: "pix", "promptpay", "paynow",
	// "sgqr", "duitnow", "qris", "vietqr", "khqr", "fps", "qrph", "upi",
	// "bharatqr", "visa", "mastercard", "emvco", "discover", "amex", "jcb",
	// "unionpay". It is empty for an unrecognised scheme.
	ID string
	// Name is the scheme's display name, e.g. "PromptPay".
	Name string
	// Country is the scheme's ISO 3166-1 alpha-2 country, or "" for an
	// international card network.
	Country string
}

// Scheme returns the first recognised scheme of the payload's merchant
// account templates (26–51), in payload order, or else the first card
// network (02–25), or the zero Scheme.
func (p *Payload) Scheme() Scheme {
	var network Scheme
	for _, a := range p.Accounts() {
		if a.Scheme.ID == "" {
			continue
		}
		if a.GUID != "" {
			return a.Scheme
		}
		if network.ID == "" {
			network = a.Scheme
		}
	}
	return network
}

// accountScheme recognises the scheme of merchant account object id, with
// the GUID of a template (26–51).
func accountScheme(id int, guid string) Scheme {
	if id < 26 {
		return networkScheme(id)
	}
	g := strings.ToUpper(guid)
	for _, s := range guidSchemes {
		if g == s.guid || s.prefix && strings.HasPrefix(g, s.guid) {
			return s.scheme
		}
	}
	return Scheme{}
}

// networkScheme names the card networks that EMVCo MPM v1.1 §4.6 assigns
// IDs 02–25 to.
func networkScheme(id int) Scheme {
	switch {
	case id >= 2 && id <= 3:
		return Scheme{ID: "visa", Name: "Visa"}
	case id >= 4 && id <= 5:
		return Scheme{ID: "mastercard", Name: "Mastercard"}
	case id >= 6 && id <= 8:
		return Scheme{ID: "emvco", Name: "EMVCo"}
	case id >= 9 && id <= 10:
		return Scheme{ID: "discover", Name: "Discover"}
	case id >= 11 && id <= 12:
		return Scheme{ID: "amex", Name: "American Express"}
	case id >= 13 && id <= 14:
		return Scheme{ID: "jcb", Name: "JCB"}
	case id >= 15 && id <= 16:
		return Scheme{ID: "unionpay", Name: "UnionPay"}
	}
	return Scheme{}
}

// guidSchemes lists the globally unique identifiers (sub-object 00 of a
// merchant account template) of national schemes, compared upper-case.
var guidSchemes = [...]struct {
	guid   string
	prefix bool
	scheme Scheme
}{
	{guid: "BR.GOV.BCB.PIX", scheme: Scheme{ID: "pix", Name: "Pix", Country: "BR"}},
	{guid: "A000000677010111", scheme: Scheme{ID: "promptpay", Name: "PromptPay", Country: "TH"}},
	{guid: "A000000677010112", scheme: Scheme{ID: "promptpay", Name: "PromptPay", Country: "TH"}},
	{guid: "A000000677010114", scheme: Scheme{ID: "promptpay", Name: "PromptPay", Country: "TH"}},
	{guid: "SG.PAYNOW", scheme: Scheme{ID: "paynow", Name: "PayNow", Country: "SG"}},
	{guid: "SG.SGQR", scheme: Scheme{ID: "sgqr", Name: "SGQR", Country: "SG"}},
	{guid: "A0000006150001", scheme: Scheme{ID: "duitnow", Name: "DuitNow", Country: "MY"}},
	{guid: "ID.CO.QRIS.WWW", scheme: Scheme{ID: "qris", Name: "QRIS", Country: "ID"}},
	{guid: "A000000727", scheme: Scheme{ID: "vietqr", Name: "VietQR", Country: "VN"}},
	{guid: "KH.GOV.NBC.BAKONG", scheme: Scheme{ID: "khqr", Name: "KHQR", Country: "KH"}},
	{guid: "HK.COM.HKICL", scheme: Scheme{ID: "fps", Name: "FPS", Country: "HK"}},
	{guid: "A000000524", scheme: Scheme{ID: "upi", Name: "UPI", Country: "IN"}},
}
