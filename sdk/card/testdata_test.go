package card

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// testCard is one entry of testdata/test-cards.json.
type testCard struct {
	Number string `json:"number"`
	Brand  string `json:"brand"`
	Valid  bool   `json:"valid"`
	Source string `json:"source"`
	Note   string `json:"note"`
}

func loadTestCards(tb testing.TB) []testCard {
	tb.Helper()
	var file struct {
		Sources map[string]string `json:"sources"`
		Cards   []testCard        `json:"cards"`
	}
	readJSON(tb, "test-cards.json", &file)
	for _, c := range file.Cards {
		if _, ok := file.Sources[c.Source]; !ok && c.Source != "constructed" {
			tb.Fatalf("test-cards.json: entry for %s names unknown source %q", c.Brand, c.Source)
		}
	}
	if len(file.Cards) == 0 {
		tb.Fatal("test-cards.json: no cards")
	}
	return file.Cards
}

// parseVector is one entry of testdata/parse-vectors.json.
type parseVector struct {
	Name   string `json:"name"`
	Doc    string `json:"doc"`
	DocHex string `json:"doc_hex"`
	Expect string `json:"expect"` // "ok" or an error code
	Card   *Card  `json:"card"`
}

func (v parseVector) bytes(tb testing.TB) []byte {
	if v.DocHex == "" {
		return []byte(v.Doc)
	}
	b, err := hex.DecodeString(v.DocHex)
	if err != nil {
		tb.Fatalf("parse-vectors.json: %s: bad doc_hex: %v", v.Name, err)
	}
	return b
}

func loadParseVectors(tb testing.TB) []parseVector {
	tb.Helper()
	var file struct {
		Cases []parseVector `json:"cases"`
	}
	readJSON(tb, "parse-vectors.json", &file)
	if len(file.Cases) == 0 {
		tb.Fatal("parse-vectors.json: no cases")
	}
	return file.Cases
}

func readJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

// sentinels are the package's sentinel errors by code.
var sentinels = map[errcode.Code]error{
	errcode.InvalidCardNumber: ErrInvalidNumber,
	errcode.UnsupportedBrand:  ErrUnsupportedBrand,
	errcode.InvalidExpiry:     ErrInvalidExpiry,
	errcode.CardExpired:       ErrExpired,
	errcode.InvalidCVC:        ErrInvalidCVC,
	errcode.BadRequest:        ErrMalformed,
}

// isPackageError reports whether err wraps exactly one of the sentinels and
// carries its code.
func isPackageError(err error) bool {
	n := 0
	for code, s := range sentinels {
		if errors.Is(err, s) {
			n++
			if errcode.Of(err) != code {
				return false
			}
		}
	}
	return n == 1
}

// Failure messages never show a card number or a CVC, not even a
// published test number (DESIGN.md): they show what a shopper could see
// on a receipt — the length and the masked digits — and where two values
// differ.

// shown describes an input that may hold a card number: its length and
// its digits masked as [Mask] does.
func shown(s string) string {
	return fmt.Sprintf("%d bytes, digits %s", len(s), Mask(s))
}

// mismatch describes two strings that should be equal without showing
// either: their lengths, their masked digits and the first byte where they
// differ.
func mismatch(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("got %s, want %s, first difference at byte %d", shown(got), shown(want), i)
}

// numberRun is a run of digits, possibly grouped by spaces, dashes or
// no-break spaces, as a card number is written.
var numberRun = regexp.MustCompile("[0-9](?:[0-9 \u00a0-]*[0-9])?")

// redactNumbers masks, with [Mask], every run of 8 or more digits in s, so
// that an output that should not hold a card number can be printed in a
// failure message even when it does.
func redactNumbers(s string) string {
	return numberRun.ReplaceAllStringFunc(s, func(run string) string {
		if len(keepDigits(run, 100)) < 8 {
			return run
		}
		return Mask(run)
	})
}
