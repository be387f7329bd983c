package card

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bare number", "4242 4242 4242 4242\n",
			`{"valid":true,"potentially_valid":true,"brand":"visa","brand_name":"Visa","cvc_name":"CVV","cvc_length":3,"lengths":[13,16,18,19],"gaps":[4,8,12],"formatted":"4242 42** **** 4242","masked":"424242******4242","last4":"4242","luhn":true}`},
		{"bare Amex", "3782-822463-10005",
			`{"valid":true,"potentially_valid":true,"brand":"amex","brand_name":"American Express","cvc_name":"CID","cvc_length":4,"lengths":[15],"gaps":[4,10],"formatted":"3782 82**** *0005","masked":"378282*****0005","last4":"0005","luhn":true}`},
		{"bare number failing Luhn", "4242424242424241",
			`{"valid":false,"potentially_valid":true,"brand":"visa","brand_name":"Visa","cvc_name":"CVV","cvc_length":3,"lengths":[13,16,18,19],"gaps":[4,8,12],"formatted":"4242 42** **** 4241","masked":"424242******4241","last4":"4241","luhn":false,"error":{"code":"invalid_card_number","message":"card: invalid number (16 digits, Luhn check failed)"}}`},
		{"partial number", "62",
			`{"valid":false,"potentially_valid":true,"brand":"unionpay","brand_name":"UnionPay","cvc_name":"CVN","cvc_length":3,"lengths":[16,17,18,19],"formatted":"*2","masked":"*2","luhn":false,"error":{"code":"invalid_card_number","message":"card: invalid number (2 digits, incomplete)"}}`},
		{"unknown prefix", "1234567812345670",
			`{"valid":false,"potentially_valid":false,"formatted":"1234 56** **** 5670","masked":"123456******5670","last4":"5670","luhn":true,"error":{"code":"unsupported_brand","message":"card: unsupported brand (16 digits, prefix of no supported brand)"}}`},
		{"letters", "4242 4242 4242 424x",
			`{"valid":false,"potentially_valid":false,"luhn":false,"error":{"code":"invalid_card_number","message":"card: invalid number (letter at position 19)"}}`},
		{"empty", "\n",
			`{"valid":false,"potentially_valid":true,"luhn":false,"error":{"code":"invalid_card_number","message":"card: invalid number (no digits)"}}`},
		{"card", `{"number":"4242 4242 4242 4242","exp_month":12,"exp_year":2030,"cvc":"123"}` + "\n",
			`{"valid":true,"brand":"visa","brand_name":"Visa","cvc_name":"CVV","cvc_length":3,"lengths":[13,16,18,19],"gaps":[4,8,12],"formatted":"4242 42** **** 4242","masked":"424242******4242","last4":"4242","luhn":true}`},
		{"expired card", `{"number":"5555555555554444","exp_month":1,"exp_year":2026}`,
			`{"valid":false,"brand":"mastercard","brand_name":"Mastercard","cvc_name":"CVC","cvc_length":3,"lengths":[16],"gaps":[4,8,12],"formatted":"5555 55** **** 4444","masked":"555555******4444","last4":"4444","luhn":true,"error":{"code":"card_expired","message":"card: card expired (end of 01/2026)"}}`},
		{"malformed card", `{"number":"4242424242424242","number":"4242424242424242","exp_month":1,"exp_year":2030}`,
			`{"valid":false,"luhn":false,"error":{"code":"bad_request","message":"card: duplicate member \"number\""}}`},
		{"card with a bad number", `{"number":"4242\u200b4242","exp_month":1,"exp_year":2030}`,
			`{"valid":false,"luhn":false,"error":{"code":"invalid_card_number","message":"card: invalid number (invisible formatting character at position 5)"}}`},
		{"invalid UTF-8", "4242\xff",
			`{"valid":false,"luhn":false,"error":{"code":"invalid_card_number","message":"card: invalid number (invalid UTF-8)"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(Check([]byte(tc.in), now))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				// want shows only masked digits; got is masked here in case it does not.
				t.Errorf("Check(%s) =\n%s\nwant\n%s", shown(tc.in), redactNumbers(string(got)), tc.want)
			}
		})
	}
	big := bytes.Repeat([]byte(" "), MaxDocumentSize+1)
	if r := Check(big, now); r.Error == nil || r.Error.Code != "bad_request" {
		t.Errorf("Check(%d bytes).Error = %+v, want bad_request", len(big), r.Error)
	}
}

// TestNoLeaks is the redaction property: for every test card, written in
// several ways, and for broken variants of it, no error message, String,
// GoString, fmt output or Check result contains the number.
func TestNoLeaks(t *testing.T) {
	for _, tc := range loadTestCards(t) {
		n := tc.Number
		variants := []string{
			n,
			FormatNumber(n),
			strings.Join(strings.Split(FormatNumber(n), " "), "-"),
			n[:len(n)-1] + string('0'+(n[len(n)-1]-'0'+1)%10), // Luhn broken
			n + "0",                  // one digit too many
			n[:len(n)-1] + "x",       // a letter
			n[:4] + "\u200b" + n[4:], // zero-width
			"\u0664" + n[1:],         // an Arabic-Indic digit
		}
		for _, v := range variants {
			digits := keepDigits(v, 100)
			leaks := func(where, s string) {
				t.Helper()
				for _, secret := range []string{v, digits, n} {
					if len(secret) >= 12 && strings.Contains(s, secret) {
						t.Errorf("%s for %s %s shows the number", where, tc.Brand, Mask(n))
					}
				}
			}
			b, _ := BrandByID(tc.Brand)
			cards := []Card{
				{Number: v, ExpMonth: 12, ExpYear: 2030, CVC: strings.Repeat("1", b.CVCLength())},
				{Number: v, ExpMonth: 13, ExpYear: 2030},
				{Number: v, ExpMonth: 1, ExpYear: 2020},
				{Number: v, ExpMonth: 12, ExpYear: 2030, CVC: "12345"},
				{Number: v, ExpMonth: 12, ExpYear: 2030, Name: "\x00"},
			}
			for _, c := range cards {
				if err := c.Validate(now); err != nil {
					leaks("Validate error", err.Error())
				}
				leaks("String", c.String())
				leaks("GoString", c.GoString())
				for _, f := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
					leaks("Sprintf "+f, fmt.Sprintf(f, c))
				}
				doc, _ := json.Marshal(c)
				if _, err := Parse(doc); err != nil {
					leaks("Parse error", err.Error())
				}
				out, _ := json.Marshal(Check(doc, now))
				leaks("Check(card)", string(out))
			}
			if _, err := Normalize(v); err != nil {
				leaks("Normalize error", err.Error())
			}
			st := CheckNumber(v)
			if st.Err != nil {
				leaks("CheckNumber error", st.Err.Error())
			}
			out, _ := json.Marshal(Check([]byte(v+"\n"), now))
			leaks("Check(number)", string(out))
			leaks("Mask", Mask(v))
		}
	}
}
