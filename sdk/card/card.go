// Package card normalises and validates payment card input: numbers, brands,
// expiry dates, CVCs and masked display.
package card

// Card is the plaintext card, the one JSON shape used everywhere:
//
//	{"number":"4111111111111111","exp_month":12,"exp_year":2030,"cvc":"123","name":"A. Shopper"}
//
// CVC and Name are optional. A Card's String method redacts the number and CVC.
type Card struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc,omitempty"`
	Name     string `json:"name,omitempty"`
}
