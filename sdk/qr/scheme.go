package qr

import "strings"

// Scheme is a payment scheme recognised in a payload's merchant account
// information.
type Scheme struct {
	// ID is a stable lower-case identifier: "pix", "promptpay", "paynow",
	// "sgqr", "nets", "duitnow", "qris", "vietqr", "vnpay", "khqr", "fps",
	// "qrph", "upi", "bharatqr", or a card network's "visa", "mastercard",
	// "rupay", "emvco", "discover", "amex", "jcb", "unionpay". It is empty
	// for an unrecognised scheme.
	ID string
	// Name is the scheme's display name, e.g. "PromptPay".
	Name string
	// Country is the scheme's ISO 3166-1 alpha-2 country, or "" for an
	// international card network.
	Country string
}

// Scheme returns the scheme that identifies the payload, or the zero Scheme
// if none is recognised. In order of precedence:
//
//   - "sgqr" when a template carries SG.SGQR: the Singapore umbrella label
//     printed on codes that also list PayNow, NETS, GrabPay and others;
//   - "bharatqr" when the country (58) is IN and the payload carries card
//     network objects (02–08) — a Bharat QR, which usually adds UPI;
//   - otherwise the first recognised merchant account template (26–51) in
//     payload order, then the first card network object (02–25).
//
// [Payload.Accounts] lists every merchant account object.
func (p *Payload) Scheme() Scheme {
	var template, network Scheme
	country := p.Country()
	for _, o := range p.Objects {
		id := idNumber(o.ID)
		if id < 2 || id > 51 {
			continue
		}
		var guid Object
		if id >= 26 {
			guid, _ = find(o.Children, "00")
		}
		switch s := accountScheme(id, guid.Value, country); {
		case s.ID == "sgqr":
			return s
		case s.ID == "":
		case id >= 26:
			if template.ID == "" {
				template = s
			}
		case network.ID == "":
			network = s
		}
	}
	if network.ID != "" && p.Country() == "IN" {
		return bharatQR
	}
	if template.ID != "" {
		return template
	}
	return network
}

var bharatQR = Scheme{ID: "bharatqr", Name: "Bharat QR", Country: "IN"}

// accountScheme recognises the scheme of merchant account object id, given
// the GUID of a template (26–51) and the payload's country (58).
func accountScheme(id int, guid, country string) Scheme {
	if id < 26 {
		return networkScheme(id, country)
	}
	for _, s := range guidSchemes {
		if strings.EqualFold(guid, s.guid) {
			return s.scheme
		}
	}
	// KHQR puts no GUID in 00 but the payee's Bakong account ID, "name@bank",
	// in template 29 (individual) or 30 (merchant); see the NBC KHQR SDKs
	// and github.com/ishinvin/go-khqr constants.go. No GUID contains "@".
	if (id == 29 || id == 30) && strings.Contains(guid, "@") {
		return Scheme{ID: "khqr", Name: "KHQR", Country: "KH"}
	}
	return Scheme{}
}

// networkScheme names the card networks that EMVCo MPM v1.1 §4.6 (Table 3,
// "Merchant Account Information") assigns IDs 02–25 to. In India, Bharat QR
// puts the RuPay merchant identifier in 06–07 (NPCI's use of EMVCo's range).
func networkScheme(id int, country string) Scheme {
	switch {
	case id >= 2 && id <= 3:
		return Scheme{ID: "visa", Name: "Visa"}
	case id >= 4 && id <= 5:
		return Scheme{ID: "mastercard", Name: "Mastercard"}
	case id >= 6 && id <= 7 && country == "IN":
		return Scheme{ID: "rupay", Name: "RuPay", Country: "IN"}
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
	case id >= 17 && id <= 25:
		return Scheme{ID: "emvco", Name: "EMVCo"}
	}
	return Scheme{}
}

// guidSchemes lists the globally unique identifiers (sub-object 00 of a
// merchant account template 26–51) of national schemes. GUIDs compare
// case-insensitively: reverse domain names are case-insensitive, and AIDs
// are hex. Each entry names where the GUID was checked; the conformance
// suite in testdata/emv holds a published payload for each.
var guidSchemes = [...]struct {
	guid   string
	scheme Scheme
}{
	// Banco Central do Brasil, "Manual de Padrões para Iniciação do Pix",
	// Anexo I: GUI "br.gov.bcb.pix" in template 26.
	{"br.gov.bcb.pix", Scheme{"pix", "Pix", "BR"}},

	// Thai QR Payment standard (Bank of Thailand / NITMX): AIDs under RID
	// A000000677 — 010111 credit transfer (template 29, the PromptPay ID;
	// github.com/dtinth/promptpay-qr), 010112 bill payment (template 30),
	// 010113 payment innovation (template 31), 010114 e-wallet. All are
	// PromptPay rails.
	{"A000000677010111", Scheme{"promptpay", "PromptPay", "TH"}},
	{"A000000677010112", Scheme{"promptpay", "PromptPay", "TH"}},
	{"A000000677010113", Scheme{"promptpay", "PromptPay", "TH"}},
	{"A000000677010114", Scheme{"promptpay", "PromptPay", "TH"}},

	// Singapore: PayNow (MAS/ABS PayNow QR spec; odoo addons/l10n_sg tests),
	// the SGQR umbrella template 51 and NETS (SGQR specification;
	// github.com/zionsg/sgqr-parser tests). SGQR's own GUID is SG.SGQR, not
	// SG.COM.NETS, which is the NETS network's.
	{"SG.PAYNOW", Scheme{"paynow", "PayNow", "SG"}},
	{"SG.SGQR", Scheme{"sgqr", "SGQR", "SG"}},
	{"SG.COM.NETS", Scheme{"nets", "NETS", "SG"}},

	// Malaysia: DuitNow QR (PayNet), AID A0000006150001 in template 26, as
	// issued by Maybank MAE and RHB (github.com/natsu90/duitnowqr-test).
	// "MY.COM.PAYNET" appears in some decoders but in no published payload
	// found, so it is not listed.
	{"A0000006150001", Scheme{"duitnow", "DuitNow", "MY"}},

	// Indonesia: QRIS national repository, template 51 (Bank Indonesia
	// QRIS standard; github.com/astrapay/spring-qris tests).
	{"ID.CO.QRIS.WWW", Scheme{"qris", "QRIS", "ID"}},

	// Viet Nam: NAPAS VietQR, AID A000000727 in template 38 (NAPAS VietQR
	// spec; odoo addons/l10n_vn tests, github.com/xuannghia/vietnam-qr-pay),
	// and VNPAY-QR, A000000775 in template 26 (same library).
	{"A000000727", Scheme{"vietqr", "VietQR", "VN"}},
	{"A000000775", Scheme{"vnpay", "VNPAY-QR", "VN"}},

	// Hong Kong: FPS by HKICL, "hk.com.hkicl" in template 26 (HKMA Common
	// QR Code Specification; odoo addons/l10n_hk tests).
	{"hk.com.hkicl", Scheme{"fps", "FPS", "HK"}},

	// Philippines: QR Ph (BSP/PPMI), "ph.ppmi.p2m" for merchant payments in
	// template 28 and "com.p2pqrpay" for person-to-person in 27
	// (github.com/qrph/qrph test payloads from GCash, Maya, BDO, BPI).
	{"ph.ppmi.p2m", Scheme{"qrph", "QR Ph", "PH"}},
	{"com.p2pqrpay", Scheme{"qrph", "QR Ph", "PH"}},

	// India: UPI, NPCI's RID A000000524 (also the prefix of the RuPay AID
	// A0000005241010) in templates 26–28 of Bharat QR (Razorpay and PayU
	// Bharat QR documentation).
	{"A000000524", Scheme{"upi", "UPI", "IN"}},
}
