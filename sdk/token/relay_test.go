package token_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/token"
)

type templateFile struct {
	Tokens map[string]map[string]string `json:"tokens"`
	Cases  []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
		Expect   string `json:"expect"` // success | bad template
		Want     string `json:"want"`
	} `json:"cases"`
}

func loadTemplates(t testing.TB) templateFile {
	t.Helper()
	b, err := os.ReadFile("testdata/relay_templates.json")
	if err != nil {
		t.Fatal(err)
	}
	var f templateFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases in testdata/relay_templates.json")
	}
	return f
}

func TestFillPlaceholders(t *testing.T) {
	f := loadTemplates(t)
	lookup := func(tok, field string) (string, error) {
		v, ok := f.Tokens[tok][field]
		if !ok {
			return "", fmt.Errorf("no %s for this token", field)
		}
		return v, nil
	}
	for _, tc := range f.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			got, err := token.FillPlaceholders([]byte(tc.Template), lookup)
			switch tc.Expect {
			case "success":
				if err != nil {
					t.Fatalf("FillPlaceholders: %v", err)
				}
				if string(got) != tc.Want {
					// The filled templates hold test card numbers and CVCs.
					t.Errorf("FillPlaceholders differs from want at byte %d (got %d bytes, want %d)", firstDiff(string(got), tc.Want), len(got), len(tc.Want))
				}
			case "bad template":
				if !errors.Is(err, token.ErrBadTemplate) || errcode.Of(err) != errcode.BadRequest {
					t.Errorf("FillPlaceholders: %v (%q), want ErrBadTemplate (bad_request)", err, errcode.Of(err))
				}
				for _, id := range []string{"4eC39HqL", "0Zz9Yy8X", "zzzzzzzz"} {
					if err != nil && strings.Contains(err.Error(), id) {
						t.Error("the error message contains a token id")
					}
				}
			default:
				t.Fatalf("unknown expect %q", tc.Expect)
			}
		})
	}
}

func TestFillPlaceholdersLimits(t *testing.T) {
	tok := token.NewTokenID()
	one := func(string, string) (string, error) { return "1", nil }
	var b strings.Builder
	for range 65 {
		b.WriteString("a={{" + tok + ":exp_month}}&")
	}
	if _, err := token.FillPlaceholders([]byte(b.String()), one); !errors.Is(err, token.ErrBadTemplate) {
		t.Errorf("65 placeholders: %v, want ErrBadTemplate", err)
	}
	sentinel := errors.New("lookup failed")
	_, err := token.FillPlaceholders([]byte("a={{"+tok+":number}}"), func(string, string) (string, error) { return "", sentinel })
	if !errors.Is(err, sentinel) || strings.Contains(err.Error(), tok) {
		t.Errorf("lookup error: %v, want it wrapped, without the token", err)
	}
}

func TestRedact(t *testing.T) {
	b, err := os.ReadFile("testdata/redact.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []struct {
			Name    string   `json:"name"`
			Body    string   `json:"body"`
			Numbers []string `json:"numbers"`
			Want    string   `json:"want"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil || len(f.Cases) == 0 {
		t.Fatalf("testdata/redact.json: %v", err)
	}
	for _, tc := range f.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			in := []byte(tc.Body)
			got := token.Redact(in, tc.Numbers)
			if string(got) != tc.Want {
				// The bodies hold test card numbers: say where they differ, not what they say.
				t.Errorf("Redact(body) differs from want at byte %d (got %d bytes, want %d)", firstDiff(string(got), tc.Want), len(got), len(tc.Want))
			}
			if string(in) != tc.Body {
				t.Error("Redact changed its input")
			}
		})
	}
}

func TestVaultFill(t *testing.T) {
	clk := newClock()
	v, _, _ := newVault(t, clk)
	cards := loadCards(t)
	a, _ := v.Tokenize(ctx, "m", cards[0].Card, cards[0].Brand, token.TokenizeOptions{})
	single, _ := v.Tokenize(ctx, "m", cards[4].Card, cards[4].Brand, token.TokenizeOptions{SingleUse: true})
	noCVC := cards[2].Card
	noCVC.CVC = ""
	b, _ := v.Tokenize(ctx, "m", noCVC, cards[2].Brand, token.TokenizeOptions{})

	tpl := `{"number":"{{` + a.Token + `:number}}","cvc":"{{` + a.Token + `:cvc}}","exp_month":{{` + a.Token + `:exp_month}},"name":"{{` + a.Token + `:name}}","n2":"{{` + single.Token + `:number}}"}`
	body, numbers, err := v.Fill(ctx, "m", []byte(tpl))
	if err != nil {
		t.Fatalf("Fill: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("Fill gave invalid JSON: %v", err)
	}
	want := map[string]any{"number": cards[0].Number, "cvc": cards[0].CVC, "exp_month": float64(cards[0].ExpMonth), "name": cards[0].Name, "n2": cards[4].Number}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Error("Fill filled the wrong values")
	}
	if fmt.Sprint(numbers) != fmt.Sprint([]string{cards[0].Number, cards[4].Number}) {
		t.Errorf("Fill returned %d numbers, want the 2 revealed", len(numbers))
	}
	// The CVC was used, the single-use token is gone, the saved card stays.
	if _, _, err := v.Fill(ctx, "m", []byte(`{"c":"{{`+a.Token+`:cvc}}"}`)); !errors.Is(err, token.ErrNoCVC) {
		t.Errorf("second Fill of the CVC: %v, want ErrNoCVC", err)
	}
	if _, _, err := v.Fill(ctx, "m", []byte(`{"c":"{{`+single.Token+`:number}}"}`)); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("Fill of a used single-use token: %v, want ErrNotFound", err)
	}
	if body, _, err := v.Fill(ctx, "m", []byte(`n={{`+a.Token+`:number}}&y={{`+a.Token+`:exp_year}}`)); err != nil || string(body) != "n="+cards[0].Number+"&y="+fmt.Sprint(cards[0].ExpYear) {
		t.Errorf("form Fill: %v", err)
	}
	if _, _, err := v.Fill(ctx, "m", []byte(`{"c":"{{`+b.Token+`:cvc}}"}`)); !errors.Is(err, token.ErrNoCVC) {
		t.Errorf("Fill of a card stored without CVC: %v, want ErrNoCVC", err)
	}
}

// TestVaultFillChecksBeforeRevealing: a template that cannot be filled is
// refused before any card is opened, so its CVC and single-use tokens survive.
func TestVaultFillChecksBeforeRevealing(t *testing.T) {
	v, _, _ := newVault(t, newClock())
	c := loadCards(t)[1]
	s, _ := v.Tokenize(ctx, "m", c.Card, c.Brand, token.TokenizeOptions{SingleUse: true})
	var many strings.Builder
	many.WriteString("x=1")
	for range 9 {
		many.WriteString("&n={{" + token.NewTokenID() + ":exp_year}}")
	}
	for i, tpl := range []string{
		`{"c":"{{` + s.Token + `:cvc}}","name":{{` + s.Token + `:name}}}`,
		`{"c":"{{` + s.Token + `:cvc}}","cvc":{{` + s.Token + `:cvc}}}`,
		`{"c":"{{` + s.Token + `:cvc}}"`,
		`{"c":"{{` + s.Token + `:cvc}}","x":"{{ ` + s.Token + `:cvc}}"}`,
		many.String() + "&c={{" + s.Token + ":cvc}}",
	} {
		if _, _, err := v.Fill(ctx, "m", []byte(tpl)); !errors.Is(err, token.ErrBadTemplate) {
			t.Errorf("template %d: Fill = %v, want ErrBadTemplate", i, err) // the templates hold the token
		}
	}
	got, err := v.Reveal(ctx, "m", s.Token)
	if err != nil || got.CVC != c.CVC {
		t.Errorf("Reveal after refused templates: CVC match %v, %v; want the single-use token and its CVC intact", got.CVC == c.CVC, err)
	}
}

// TestRelayEndToEnd: fill, let a provider echo the card back, redact.
func TestRelayEndToEnd(t *testing.T) {
	v, _, _ := newVault(t, newClock())
	s, _ := v.Tokenize(ctx, "m", card.Card{Number: "6212 3456 7890 1234", ExpMonth: 1, ExpYear: 2031}, "unionpay", token.TokenizeOptions{})
	body, numbers, err := v.Fill(ctx, "m", []byte(`{"pan":"{{`+s.Token+`:number}}"}`))
	if err != nil {
		t.Fatal(err)
	}
	echo := append([]byte(`{"echo":`), body...)
	echo = append(echo, []byte(`,"spaced":"6212 3456 7890 1234","at":"`+time.Now().Format(time.RFC3339)+`"}`)...)
	out := token.Redact(echo, numbers)
	if i := strings.Index(strings.ReplaceAll(string(out), " ", ""), "62123456"); i >= 0 {
		t.Errorf("a revealed number (not Luhn-valid, so only known through Fill's list) survived Redact, at byte %d of %d without spaces", i, len(out))
	}
}

// TestRedactCVCs: every run of as many digits as a revealed CVC, with no
// digit on either side, is masked in any spelling of its digits, and
// digits inside longer runs are left alone.
func TestRedactCVCs(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"JSON value", `{"cvc":"123"}`, `{"cvc":"***"}`},
		{"echoed JSON", `"{\"cvc\":\"123\"}"`, `"{\"cvc\":\"***\"}"`},
		{"form value", `a=1&cvc=123`, `a=1&cvc=***`},
		{"glued to letters", `CVC123x`, `CVC***x`},
		{"in a sentence", `cvc 123 ok`, `cvc *** ok`},
		{"after a letter", `"id":"x123"`, `"id":"x***"`},
		{"JSON-escaped digits", `"\u0031\u0032\u0033"`, `"******************"`},
		{"full-width digits", "cvc １２３", "cvc *********"},
		{"percent-encoded digits", `cvc=%31%32%33&x`, `cvc=*********&x`},
		{"inside a longer number", `"amount":1234`, `"amount":1234`},
		{"after a digit", `91230`, `91230`},
		{"next to an escaped digit", `\u0039123`, `\u0039123`},
		{"twice", `123 and 123`, `*** and ***`},
		// Every run of three, not only the CVC's: the security review's
		// oracle listed every candidate in echoed metadata and read off
		// the masked one.
		{"another run of three", `"amount":456`, `"amount":***`},
		{"in a JSON string", `{"note":"456"}`, `{"note":"***"}`},
		// A JSON answer's numbers stay parseable: masked only if they
		// are the CVC.
		{"JSON number", `{"amount":456}`, `{"amount":456}`},
		{"JSON number that is the CVC", `{"amount":123}`, `{"amount":***}`},
		{"JSON number inside an echoed string", `{"echo":"{\"amount\":456}"}`, `{"echo":"{\"amount\":***}"}`},
		{"every candidate", `000,122,123,124,999`, `***,***,***,***,***`},
		{"runs of four kept", `"year":2030`, `"year":2030`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(token.RedactCVCs([]byte(tc.in), []string{"123"})); got != tc.want {
				t.Errorf("RedactCVCs(%s case) differs from want at byte %d (got %d bytes, want %d)", tc.name, firstDiff(got, tc.want), len(got), len(tc.want))
			}
		})
	}
}

// firstDiff returns the index of the first byte where a and b differ.
func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
