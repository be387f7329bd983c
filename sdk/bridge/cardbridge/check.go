package cardbridge

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/card"
)

// CheckCardRequest is the request of [bridge.MethodCheckCard]: the four inputs of
// a card form as typed so far. Every member is optional.
type CheckCardRequest struct {
	Number string `json:"number"`
	Expiry string `json:"expiry"`
	CVC    string `json:"cvc"`
	Name   string `json:"name"`
}

// CheckCardResponse is the response of [bridge.MethodCheckCard]: one [FieldCheck]
// per input, the brand detected from the number, and whether the whole form
// is complete (every field valid; the name may be empty).
type CheckCardResponse struct {
	Brand    *string    `json:"brand"` // a brand id, or null while unknown
	Complete bool       `json:"complete"`
	Empty    bool       `json:"empty"`
	Number   FieldCheck `json:"number"`
	Expiry   FieldCheck `json:"expiry"`
	CVC      FieldCheck `json:"cvc"`
	Name     FieldCheck `json:"name"`
}

// FieldCheck is the verdict on one input.
type FieldCheck struct {
	// Value is the input formatted for display: the number in its brand's
	// groups ("4242 4242 4242 4242", Amex "3782 822463 10005"), the expiry as
	// "MM / YY". Non-digits are dropped from the number and the CVC.
	Value string `json:"value"`
	// Complete is true when the input is complete and valid.
	Complete bool `json:"complete"`
	// PotentiallyValid is true while typing more can still make it valid.
	PotentiallyValid bool `json:"potentially_valid"`
	// Error says what is wrong (or missing) when not Complete.
	Error *errorBody `json:"error,omitempty"`
	// MaxLength is the longest formatted value worth typing (number, CVC).
	MaxLength int `json:"max_length,omitempty"`
	// Month and Year are the parsed expiry once it is complete.
	Month int `json:"month,omitempty"`
	Year  int `json:"year,omitempty"`
	// Label is what the brand calls its security code (CVV, CVC, CID…).
	Label string `json:"label,omitempty"`
}

// maxNameRunes bounds the cardholder name, as the card package does.
const maxNameRunes = 100

// errBadName is the name field's error: control characters or too long.
var errBadName = bridge.BadRequest("bridge: name has control characters or more than " + strconv.Itoa(maxNameRunes) + " characters")

func (h handler) checkCard(req []byte) (*CheckCardResponse, error) {
	r, err := decodeCheckCardRequest(req)
	if err != nil {
		return nil, err
	}
	var resp CheckCardResponse

	// The number: formatting drops anything that is not an ASCII digit, so
	// a stray letter disappears instead of blocking the field.
	number := card.FormatNumber(r.Number)
	ns := card.CheckNumber(number)
	resp.Number = field(number, ns.FieldState)
	maxDigits := 19
	if ns.Brand != nil {
		id := ns.Brand.ID()
		resp.Brand = &id
		l := ns.Brand.Lengths()
		maxDigits = l[len(l)-1]
	}
	resp.Number.MaxLength = maxDigits + len(ns.Brand.Gaps(maxDigits))

	expiry := formatExpiry(r.Expiry)
	es := card.CheckExpiry(expiry, h.now())
	resp.Expiry = field(expiry, es)
	if es.Valid {
		resp.Expiry.Month, resp.Expiry.Year, _ = card.ParseExpiry(expiry)
	}

	cvc := keepDigits(r.CVC, 4)
	cs := card.CheckCVC(cvc, ns.Brand)
	resp.CVC = field(cvc, cs)
	resp.CVC.Label, resp.CVC.MaxLength = "CVC", 4
	if ns.Brand != nil {
		resp.CVC.Label, resp.CVC.MaxLength = ns.Brand.CVCName(), ns.Brand.CVCLength()
	}

	resp.Name = FieldCheck{Value: r.Name, Complete: true, PotentiallyValid: true}
	if !validName(r.Name) {
		resp.Name = FieldCheck{Value: r.Name, Error: errorOf(errBadName)}
	}

	resp.Complete = resp.Number.Complete && resp.Expiry.Complete && resp.CVC.Complete && resp.Name.Complete
	resp.Empty = number == "" && strings.TrimSpace(r.Expiry) == "" && cvc == "" && strings.TrimSpace(r.Name) == ""
	return &resp, nil
}

func field(value string, s card.FieldState) FieldCheck {
	return FieldCheck{Value: value, Complete: s.Valid, PotentiallyValid: s.PotentiallyValid, Error: errorOf(s.Err)}
}

// formatExpiry writes typed expiry input as "MM / YY". With a separator
// typed after one month digit it pads the month ("1/" → "01 / "); without
// one it splits after two digits ("1230" → "12 / 30"). Other characters
// are kept out of the digits and make the field invalid in CheckExpiry only
// if they are letters, which are left in place for it to see.
func formatExpiry(s string) string {
	if len(s) > 16 {
		return s // CheckExpiry refuses it as too long
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9') && r != '/' && r != ' ' && r != '-' {
			return s
		}
	}
	if i := strings.IndexAny(s, "/-"); i >= 0 {
		mon, yr := keepDigits(s[:i], 2), keepDigits(s[i+1:], 4)
		if len(mon) == 1 {
			mon = "0" + mon
		}
		if mon == "" {
			return strings.TrimSpace(s)
		}
		return mon + " / " + yr
	}
	d := keepDigits(s, 6)
	if len(d) == 1 && d[0] > '1' {
		return "0" + d
	}
	if len(d) <= 2 {
		return d
	}
	return d[:2] + " / " + d[2:]
}

// keepDigits returns the ASCII digits of s, at most n of them.
func keepDigits(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func validName(s string) bool {
	if utf8.RuneCountInString(s) > maxNameRunes {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return false
		}
	}
	return true
}
