package cardbridge

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// testNow is the fixed clock of the tests, matching testdata/checkcard.json.
var testNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func testHandler() handler { return handler{now: func() time.Time { return testNow }} }

type wantField struct {
	Value            string `json:"value"`
	Complete         bool   `json:"complete"`
	PotentiallyValid bool   `json:"potentially_valid"`
	Code             string `json:"code"`
	Month            int    `json:"month"`
	Year             int    `json:"year"`
	Label            string `json:"label"`
}

type checkCase struct {
	Case     string          `json:"case"`
	Req      json.RawMessage `json:"req"`
	Brand    *string         `json:"brand"`
	Complete bool            `json:"complete"`
	Empty    bool            `json:"empty"`
	Number   *wantField      `json:"number"`
	Expiry   *wantField      `json:"expiry"`
	CVC      *wantField      `json:"cvc"`
	Name     *wantField      `json:"name"`
}

func loadCheckCases(tb testing.TB) []checkCase {
	tb.Helper()
	b, err := os.ReadFile("testdata/checkcard.json")
	if err != nil {
		tb.Fatal(err)
	}
	var file struct {
		Cases []checkCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		tb.Fatal(err)
	}
	if len(file.Cases) == 0 {
		tb.Fatal("no cases in testdata/checkcard.json")
	}
	return file.Cases
}

func TestCheckCard(t *testing.T) {
	for _, tc := range loadCheckCases(t) {
		t.Run(tc.Case, func(t *testing.T) {
			resp, err := testHandler().handle(context.Background(), bridge.MethodCheckCard, tc.Req)
			if err != nil {
				t.Fatalf("checkCard: %v (code %s)", err, errcode.Of(err))
			}
			var got CheckCardResponse
			if err := json.Unmarshal(resp, &got); err != nil {
				t.Fatal(err)
			}
			if !equalPtr(got.Brand, tc.Brand) {
				t.Errorf("brand = %v, want %v", str(got.Brand), str(tc.Brand))
			}
			if got.Complete != tc.Complete || got.Empty != tc.Empty {
				t.Errorf("complete, empty = %v, %v, want %v, %v", got.Complete, got.Empty, tc.Complete, tc.Empty)
			}
			checkField(t, "number", got.Number, tc.Number)
			checkField(t, "expiry", got.Expiry, tc.Expiry)
			checkField(t, "cvc", got.CVC, tc.CVC)
			checkField(t, "name", got.Name, tc.Name)
		})
	}
}

// fieldValue shows a field's value in a failure message: the number
// masked, the CVC as its length, the others as they are.
func fieldValue(name, v string) string {
	switch name {
	case "number":
		return fmt.Sprintf("%d bytes, %s", len(v), card.Mask(v))
	case "cvc":
		return fmt.Sprintf("%d bytes", len(v))
	}
	return strconv.Quote(v)
}

func checkField(t *testing.T, name string, got FieldCheck, want *wantField) {
	t.Helper()
	if want == nil {
		return
	}
	code := ""
	if got.Error != nil {
		code = string(got.Error.Code)
	}
	if got.Value != want.Value {
		t.Errorf("%s value = %s, want %s", name, fieldValue(name, got.Value), fieldValue(name, want.Value))
	}
	if got.Complete != want.Complete || got.PotentiallyValid != want.PotentiallyValid {
		t.Errorf("%s complete, potentially_valid = %v, %v, want %v, %v", name, got.Complete, got.PotentiallyValid, want.Complete, want.PotentiallyValid)
	}
	if code != want.Code {
		t.Errorf("%s error code = %q, want %q", name, code, want.Code)
	}
	if got.Complete && got.Error != nil {
		t.Errorf("%s is complete but has error %q", name, got.Error.Code)
	}
	if want.Month != 0 && (got.Month != want.Month || got.Year != want.Year) {
		t.Errorf("%s month, year = %d, %d, want %d, %d", name, got.Month, got.Year, want.Month, want.Year)
	}
	if want.Label != "" && got.Label != want.Label {
		t.Errorf("%s label = %q, want %q", name, got.Label, want.Label)
	}
}

func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func str(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

// FuzzCheckCard checks that formatting is a fixed point: checking the
// formatted values again gives the same values and the same verdicts, and
// that no input makes checkCard fail or report an internal error.
func FuzzCheckCard(f *testing.F) {
	n := 0
	for _, tc := range loadCheckCases(f) {
		var r CheckCardRequest
		if json.Unmarshal(tc.Req, &r) == nil {
			f.Add(r.Number, r.Expiry, r.CVC, r.Name)
			n++
		}
	}
	if n == 0 {
		f.Fatal("no seeds loaded from testdata/checkcard.json")
	}
	h := testHandler()
	f.Fuzz(func(t *testing.T, number, expiry, cvc, name string) {
		first, err := h.checkCard(mustJSON(t, CheckCardRequest{number, expiry, cvc, name}))
		if err != nil {
			if errcode.Of(err) == errcode.Internal {
				t.Fatalf("checkCard: internal error: %v", err)
			}
			return // e.g. invalid UTF-8 in the request
		}
		for _, fc := range []FieldCheck{first.Number, first.Expiry, first.CVC, first.Name} {
			if fc.Error != nil && fc.Error.Code == errcode.Internal {
				t.Fatalf("field error is internal: %s", fc.Error.Message)
			}
			if fc.Complete != (fc.Error == nil) {
				t.Fatalf("complete = %v with error %v", fc.Complete, fc.Error)
			}
		}
		again, err := h.checkCard(mustJSON(t, CheckCardRequest{first.Number.Value, first.Expiry.Value, first.CVC.Value, name}))
		if err != nil {
			t.Fatalf("checkCard(formatted): %v", err)
		}
		if again.Number.Value != first.Number.Value || again.Expiry.Value != first.Expiry.Value || again.CVC.Value != first.CVC.Value {
			t.Fatalf("formatting is not a fixed point: number %d→%d chars, expiry %q→%q, cvc %d→%d chars",
				len(first.Number.Value), len(again.Number.Value), first.Expiry.Value, again.Expiry.Value, len(first.CVC.Value), len(again.CVC.Value))
		}
		if again.Complete != first.Complete || !equalPtr(again.Brand, first.Brand) {
			t.Fatalf("verdict changed after formatting: complete %v→%v, brand %s→%s", first.Complete, again.Complete, str(first.Brand), str(again.Brand))
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
