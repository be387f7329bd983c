package edgetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// relayAns is the edge's wrapping of a provider's answer.
type relayAns struct {
	Status  int
	Headers map[string]string
	Body    string
}

// relayRoutes checks the shop's relay routes: a request to a method and
// path no route allows, and a placeholder anywhere but where its route
// allows it, are refused with relay_route_forbidden before anything is
// revealed or sent (the attacks of the security review: card data put
// into a customer's free-text description at the provider, to be read
// back with the provider's own API); the edge asks the provider for
// identity and decodes a gzip answer before redacting it; the number and
// CVC are masked in every spelling the provider echoes them in; and a
// route's response allowlist keeps only what it lists.
func relayRoutes(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	prov := c.fx.Provider
	relay := func(t *testing.T, method, path, tmpl string, header map[string]string) answer {
		t.Helper()
		h := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer psp_key"}
		for k, v := range header {
			h[k] = v
		}
		return c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
			"url": prov.URL + path, "method": method, "headers": h, "body": tmpl})})
	}
	decode := func(t *testing.T, a answer) relayAns {
		t.Helper()
		var ans relayAns
		if err := json.Unmarshal(a.Body, &ans); err != nil {
			t.Fatalf("relay answer is not JSON (%d bytes)", len(a.Body))
		}
		return ans
	}
	number := "4242424242424242"
	tok := tokenizeOK(t, c, s, number)
	ph := func(f string) string { return "{{" + tok + ":" + f + "}}" }

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			name, method, path, tmpl string
		}{
			{"number and CVC in a customer's free-text description", "POST", "/v1/customers",
				`{"description":"` + ph("number") + ` ` + ph("cvc") + `","card":{"number":"` + ph("number") + `"}}`},
			{"number in metadata beside an allowed place", "POST", "/v1/customers",
				`{"card":{"number":"` + ph("number") + `"},"metadata":{"note":"` + ph("number") + `"}}`},
			{"CVC where only the number may go", "POST", "/v1/customers", `{"card":{"number":"` + ph("cvc") + `"}}`},
			{"placeholder as a member name", "POST", "/v1/customers", `{"card":{"` + ph("number") + `":"x"}}`},
			{"allowed pointer spelled in an array", "POST", "/v1/customers", `{"card":[{"number":"` + ph("number") + `"}]}`},
			{"form body to a JSON route", "POST", "/v1/customers", `card[number]=` + ph("number")},
			{"form field not allowed", "POST", "/v1/form", `card[number]=` + ph("number") + `&description=` + ph("number")},
			{"form field name holding a placeholder", "POST", "/v1/form", `card[` + ph("number") + `]=x`},
			{"form value split by ';'", "POST", "/v1/form", `card[number]=x;description=` + ph("number")},
			{"method no route allows", "PUT", "/v1/charges", `{"n":"` + ph("number") + `"}`},
			{"path no route allows", "POST", "/v1/customers/cus_1/notes", `{"card":{"number":"` + ph("number") + `"}}`},
			{"path of a route with a suffix", "POST", "/v1/charges/x", `{"n":"` + ph("number") + `"}`},
			{"path with a dot segment", "POST", "/v1/customers/../charges", `{"n":"` + ph("number") + `"}`},
			{"path percent-encoded", "POST", "/v1/%63harges", `{"n":"` + ph("number") + `"}`},
			{"no placeholders, no route", "POST", "/v1/customers/cus_1", `{"description":"hello"}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := len(prov.Requests())
				a := relay(t, tc.method, tc.path, tc.tmpl, nil)
				if a.Status != http.StatusForbidden || a.code() != "relay_route_forbidden" {
					t.Errorf("relay %s = %d %s, want 403 relay_route_forbidden", tc.method, a.Status, a.code())
				}
				if n := len(prov.Requests()) - before; n != 0 {
					t.Errorf("provider got %d requests, want none", n)
				}
				if strings.Contains(string(a.Body), "tok_") {
					t.Error("the refusal's message names a token")
				}
			})
		}
		// Nothing was revealed: the CVC is still there to take once.
		a := relay(t, "POST", "/v1/customers", `{"card":{"number":"`+ph("number")+`","cvc":"`+ph("cvc")+`"}}`, nil)
		if a.Status != http.StatusOK {
			t.Fatalf("relay to the allowed places afterwards = %d %s, want 200", a.Status, a.code())
		}
		if got := prov.Requests(); !strings.Contains(string(got[len(got)-1].Body), `"cvc":"123"`) {
			t.Error("the provider did not get the CVC: a refused relay took it")
		}
	})

	t.Run("form route fills form fields", func(t *testing.T) {
		tok := tokenizeOK(t, c, s, "5555555555554444")
		a := relay(t, "POST", "/v1/form", "card%5Bnumber%5D={{"+tok+":number}}&card[cvc]={{"+tok+":cvc}}&amount=100", nil)
		if a.Status != http.StatusOK {
			t.Fatalf("form relay = %d %s, want 200", a.Status, a.code())
		}
		got := prov.Requests()
		last := got[len(got)-1]
		v, err := url.ParseQuery(string(last.Body))
		if err != nil || v.Get("card[number]") != "5555555555554444" || v.Get("card[cvc]") != "123" {
			t.Errorf("provider got a form with number ok=%t, cvc ok=%t; want both", v.Get("card[number]") == "5555555555554444", v.Get("card[cvc]") == "123")
		}
		if ct := last.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("provider got Content-Type %q, want the route's form type", ct)
		}
		c.fx.ScanForNumbers(t, "form relay answer", a.Body)
	})

	t.Run("merchant's Accept-Encoding is not sent", func(t *testing.T) {
		before := len(prov.Requests())
		a := relay(t, "POST", "/v1/charges?expand=source", `{"n":"`+ph("number")+`"}`, map[string]string{"Accept-Encoding": "gzip"})
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		got := prov.Requests()
		if len(got) != before+1 {
			t.Fatalf("provider got %d requests, want 1", len(got)-before)
		}
		if ae := got[len(got)-1].Header.Get("Accept-Encoding"); strings.Contains(ae, "gzip") {
			t.Errorf("provider got Accept-Encoding %q, want no gzip", ae)
		}
		ans := decode(t, a)
		if !strings.Contains(ans.Body, `"succeeded"`) {
			t.Errorf("relay answer body (%d bytes) is not the provider's JSON", len(ans.Body))
		}
		c.fx.ScanForNumbers(t, "relay answer", a.Body)
	})

	t.Run("gzip answer is decoded before redaction", func(t *testing.T) {
		a := relay(t, "POST", "/v1/gzip", `{"n":"`+ph("number")+`"}`, nil)
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		ans := decode(t, a)
		var doc struct{ ID, Echo string }
		if err := json.Unmarshal([]byte(ans.Body), &doc); err != nil || doc.ID != "ch_1" {
			t.Fatalf("relay answer body (%d bytes) is not the provider's decoded JSON", len(ans.Body))
		}
		if !strings.Contains(doc.Echo, `"n":"`) {
			t.Error("the echo is missing from the decoded answer")
		}
		c.fx.ScanForNumbers(t, "decoded gzip answer", []byte(doc.Echo))
	})

	t.Run("echoed spellings are masked", func(t *testing.T) {
		tok := tokenizeOK(t, c, s, number)
		a := relay(t, "POST", "/v1/echo", `{"number":"{{`+tok+`:number}}","cvc":"{{`+tok+`:cvc}}"}`, nil)
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		ans := decode(t, a)
		var doc struct {
			ID      string
			Numbers []string
			CVCs    []string
		}
		if err := json.Unmarshal([]byte(ans.Body), &doc); err != nil || doc.ID != "ch_echo" {
			t.Fatalf("relay answer body (%d bytes) is not the provider's JSON: %v", len(ans.Body), err)
		}
		if len(doc.Numbers) != len(EchoForms(number)) || len(doc.CVCs) != len(EchoCVCForms("123")) {
			t.Fatalf("answer has %d number and %d CVC forms, want %d and %d", len(doc.Numbers), len(doc.CVCs), len(EchoForms(number)), len(EchoCVCForms("123")))
		}
		for i, f := range doc.Numbers {
			if holdsNumber(f, number) {
				t.Errorf("echo form %d of the number is not masked", i)
			}
		}
		for i, f := range doc.CVCs {
			if strings.Contains(f, "123") {
				t.Errorf("echo form %d of the CVC is not masked", i)
			}
		}
	})

	t.Run("masking tells no guess of the CVC", func(t *testing.T) {
		// The security review's oracle: the relay's own free text
		// (metadata, a description) lists every candidate CVC, the
		// provider echoes it, and a redactor that masks only the
		// revealed CVC's digits marks which candidate it is.
		tok := tokenizeOK(t, c, s, number)
		guesses := make([]string, 1000)
		for i := range guesses {
			guesses[i] = fmt.Sprintf("%03d", i)
		}
		a := relay(t, "POST", "/v1/charges", `{"cvc":"{{`+tok+`:cvc}}","guesses":"`+strings.Join(guesses, ",")+`"}`, nil)
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		var doc struct{ Echo string }
		if err := json.Unmarshal([]byte(decode(t, a).Body), &doc); err != nil {
			t.Fatalf("relay answer body is not the provider's JSON: %v", err)
		}
		var sent struct{ Guesses string }
		if err := json.Unmarshal([]byte(doc.Echo), &sent); err != nil {
			t.Fatalf("the echo is not the template's JSON: %v", err)
		}
		echoed := strings.Split(sent.Guesses, ",")
		if len(echoed) != len(guesses) {
			t.Fatalf("echo holds %d guesses, want %d", len(echoed), len(guesses))
		}
		var masked, kept int
		for i, g := range echoed {
			if g == guesses[i] {
				kept++
			} else {
				masked++
			}
		}
		if masked > 0 && kept > 0 {
			t.Errorf("of 1000 echoed CVC guesses %d are masked and %d kept: the answer tells which guess is the CVC", masked, kept)
		}
	})

	t.Run("masking tells no guess of the number", func(t *testing.T) {
		// The same oracle for the number: providers tell a card's BIN
		// (often 8 digits) and last four, which leaves 1000 Luhn-valid
		// candidates for a 16-digit number. Written as one run of
		// digits (which no Luhn check reads), they come back echoed with
		// only the revealed number's digits masked.
		tok := tokenizeOK(t, c, s, number)
		var guesses []string
		for i := 0; i < 10000; i++ {
			g := number[:8] + fmt.Sprintf("%04d", i) + number[12:]
			if luhnOK(g) {
				guesses = append(guesses, g)
			}
		}
		a := relay(t, "POST", "/v1/charges", `{"n":"{{`+tok+`:number}}","guesses":"`+strings.Join(guesses, "")+`"}`, nil)
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		var doc struct{ Echo string }
		if err := json.Unmarshal([]byte(decode(t, a).Body), &doc); err != nil {
			t.Fatalf("relay answer body is not the provider's JSON: %v", err)
		}
		var sent struct{ Guesses string }
		if err := json.Unmarshal([]byte(doc.Echo), &sent); err != nil {
			t.Fatalf("the echo is not the template's JSON: %v", err)
		}
		if len(sent.Guesses) != 16*len(guesses) {
			t.Fatalf("echo holds %d bytes of guesses, want %d", len(sent.Guesses), 16*len(guesses))
		}
		var masked, kept int
		for i, g := range guesses {
			if sent.Guesses[16*i:16*i+16] == g {
				kept++
			} else {
				masked++
			}
		}
		if masked > 0 && kept > 0 {
			t.Errorf("of %d echoed number guesses %d are masked and %d kept: the answer tells which guess is the number", len(guesses), masked, kept)
		}
	})

	t.Run("masking tells no guess of the number in base64", func(t *testing.T) {
		// The oracle again, with each candidate in base64: a mask that
		// looks for the revealed number's own base64 marks the real one.
		tok := tokenizeOK(t, c, s, number)
		var guesses []string
		for i := 0; i < 10000; i++ {
			g := number[:8] + fmt.Sprintf("%04d", i) + number[12:]
			if luhnOK(g) {
				guesses = append(guesses, base64.StdEncoding.EncodeToString([]byte(g)))
			}
		}
		a := relay(t, "POST", "/v1/charges", `{"n":"{{`+tok+`:number}}","guesses":"`+strings.Join(guesses, ",")+`"}`, nil)
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		var doc struct{ Echo string }
		if err := json.Unmarshal([]byte(decode(t, a).Body), &doc); err != nil {
			t.Fatalf("relay answer body is not the provider's JSON: %v", err)
		}
		var sent struct{ Guesses string }
		if err := json.Unmarshal([]byte(doc.Echo), &sent); err != nil {
			t.Fatalf("the echo is not the template's JSON: %v", err)
		}
		echoed := strings.Split(sent.Guesses, ",")
		if len(echoed) != len(guesses) {
			t.Fatalf("echo holds %d guesses, want %d", len(echoed), len(guesses))
		}
		var masked, kept int
		for i, g := range echoed {
			if g == guesses[i] {
				kept++
			} else {
				masked++
			}
		}
		if masked > 0 && kept > 0 {
			t.Errorf("of %d echoed base64 number guesses %d are masked and %d kept: the answer tells which guess is the number", len(guesses), masked, kept)
		}
	})

	t.Run("method and path override headers are not sent", func(t *testing.T) {
		// A provider framework that honours these would run the
		// filled request as a method or on a path no route allows.
		override := map[string]string{
			"X-HTTP-Method-Override": "DELETE", "X-HTTP-Method": "DELETE", "X-Method-Override": "DELETE",
			"X-Original-URL": "/v1/customers/cus_1/notes", "X-Rewrite-URL": "/v1/customers/cus_1/notes",
			"X-Original-Method": "DELETE",
			// Rack, PHP and CGI read '_' as '-'.
			"X_HTTP_Method_Override": "DELETE",
		}
		a := relay(t, "POST", "/v1/charges", `{"n":"`+ph("number")+`"}`, override)
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		got := prov.Requests()
		sent := map[string]bool{}
		for k := range got[len(got)-1].Header {
			sent[http.CanonicalHeaderKey(strings.ReplaceAll(k, "_", "-"))] = true
		}
		for k := range override {
			if sent[http.CanonicalHeaderKey(strings.ReplaceAll(k, "_", "-"))] {
				t.Errorf("provider got %s, which overrides the route's method or path", k)
			}
		}
	})

	t.Run("answer in a charset the redactor cannot read", func(t *testing.T) {
		// In UTF-16 every digit is followed by a zero byte: neither the
		// number nor the CVC is a run of digits any more.
		tok := tokenizeOK(t, c, s, number)
		a := relay(t, "POST", "/v1/charges", `{"n":"{{`+tok+`:number}}","cvc":"{{`+tok+`:cvc}}"}`, map[string]string{"Accept-Charset": "utf-16"})
		var body []byte
		if a.Status == http.StatusOK {
			body = []byte(decode(t, a).Body)
		} else {
			body = a.Body
		}
		var digits []byte
		for _, b := range body {
			if b >= '0' && b <= '9' {
				digits = append(digits, b)
			}
		}
		if strings.Contains(string(digits), number) {
			t.Errorf("relay answer %d %s holds the card number spelled in UTF-16", a.Status, a.code())
		}
		if a.Status != http.StatusBadGateway || a.code() != "upstream_error" {
			t.Errorf("relay answered in UTF-16 = %d %s, want 502 upstream_error", a.Status, a.code())
		}
	})

	t.Run("response allowlist keeps only what it lists", func(t *testing.T) {
		a := relay(t, "POST", "/v1/charges/ch_1/confirm", `{"n":"`+ph("number")+`"}`, nil)
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		if got := decode(t, a).Body; got != `{"id":"ch_1","status":"succeeded"}` {
			t.Errorf("relay answer body = %d bytes (echo kept: %t), want only id and status", len(got), strings.Contains(got, "echo"))
		}
	})
}

// holdsNumber reports whether s spells number's first twelve digits in
// any way the edge undoes: digits of any script, percent-encoding,
// separators, or base64 (of the number, or of a text holding it).
func holdsNumber(s, number string) bool {
	digitsOf := func(s string) string {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		var b strings.Builder
		for _, r := range s {
			if unicode.IsDigit(r) {
				if r >= 0xff10 && r <= 0xff19 {
					r = r - 0xff10 + '0'
				}
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	if strings.Contains(digitsOf(s), number[:12]) {
		return true
	}
	if d, err := base64.StdEncoding.DecodeString(s); err == nil && strings.Contains(digitsOf(string(d)), number[:12]) {
		return true
	}
	return false
}

// luhnOK reports whether the digits d pass the Luhn check.
func luhnOK(d string) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}
