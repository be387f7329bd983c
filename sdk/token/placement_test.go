package token_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sealpay/sealpay/sdk/token"
)

// TestPlacements: each placeholder's place is the JSON Pointer of the
// value it stands in, or the decoded name of its form field; a
// placeholder in a name, or faked by an escape, is ErrPlacement.
func TestPlacements(t *testing.T) {
	const tok = "tok_4eC39HqLyjWDarjtT1zdp7"
	ph := func(f string) string { return "{{" + tok + ":" + f + "}}" }
	type P = token.Placement
	for _, tc := range []struct {
		name     string
		template string
		want     []P
		err      error
	}{
		{"JSON card", `{"card":{"number":"` + ph("number") + `","exp_month":` + ph("exp_month") + `}}`,
			[]P{{token.FieldNumber, "/card/number"}, {token.FieldExpMonth, "/card/exp_month"}}, nil},
		{"JSON two in one string", `{"exp":"` + ph("exp_month") + `/` + ph("exp_year") + `"}`,
			[]P{{token.FieldExpMonth, "/exp"}, {token.FieldExpYear, "/exp"}}, nil},
		{"JSON array and escaped names", `{"a/b":[0,{"~x":"` + ph("name") + `"}]}`, []P{{token.FieldName, "/a~1b/1/~0x"}}, nil},
		{"JSON name spelled with an escape", `{"c\u0061rd":{"number":"` + ph("number") + `"}}`, []P{{token.FieldNumber, "/card/number"}}, nil},
		{"JSON no placeholders", `{"a":1}`, []P{}, nil},
		{"JSON placeholder in a member name", `{"` + ph("number") + `":"x"}`, nil, token.ErrPlacement},
		{"JSON marker faked by an escape", `{"n":"` + ph("number") + `","d":"\u007b{0}}"}`, nil, token.ErrPlacement},
		{"JSON adjacent numbers", `{"e":` + ph("exp_month") + ph("exp_year") + `}`, nil, token.ErrBadTemplate},
		{"JSON duplicate member", `{"n":"` + ph("number") + `","n":"x"}`, nil, token.ErrBadTemplate},
		{"JSON two values", `{"n":"` + ph("number") + `"} {}`, nil, token.ErrBadTemplate},
		{"form", `card%5Bnumber%5D=` + ph("number") + `&card[cvc]=` + ph("cvc") + `&a=1`,
			[]P{{token.FieldNumber, "card[number]"}, {token.FieldCVC, "card[cvc]"}}, nil},
		{"form two in one value", `exp=` + ph("exp_month") + `%2F` + ph("exp_year"), []P{{token.FieldExpMonth, "exp"}, {token.FieldExpYear, "exp"}}, nil},
		{"form placeholder in a name", `card[` + ph("number") + `]=1`, nil, token.ErrPlacement},
		{"form placeholder without '='", `a=1&` + ph("number"), nil, token.ErrPlacement},
		{"form value with ';'", `a=1;b=` + ph("number"), nil, token.ErrPlacement},
		{"form bad percent-encoding in the name", `a%zz=` + ph("number"), nil, token.ErrBadTemplate},
		{"malformed placeholder", `{"n":"{{ ` + tok + `:number }}"}`, nil, token.ErrBadTemplate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := token.Placements([]byte(tc.template))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Placements error = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Placements error = %v", err)
			}
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Placements = %v, want %v", got, tc.want)
			}
		})
	}
}
