package qr

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks, for any input, that Parse never panics and fails only
// with ErrMalformed or ErrBadCRC; and for any input that parses (in either
// mode), that Build of its objects without "63" gives the input back byte
// for byte — except that a lower-case CRC comes back upper-case, the one
// normalisation Build makes — and that reparsing gives equal objects.
//
// Random mutations almost never keep the CRC valid, so each input is also
// tried with its CRC recomputed; that lets the fuzzer explore the structure
// behind the checksum.
func FuzzParse(f *testing.F) {
	for _, tc := range loadConformance(f) {
		f.Add(tc.Payload)
	}
	f.Add(pixManualStatic)
	f.Fuzz(func(t *testing.T, in string) {
		checkParseProperty(t, in)
		if n := len(in); n >= 8 && in[n-8:n-4] == "6304" {
			checkParseProperty(t, in[:n-4]+crcHex(crc16String(in[:n-4])))
		}
	})
}

func checkParseProperty(t *testing.T, in string) {
	t.Helper()
	for _, mode := range []Mode{Lenient, Strict} {
		p, err := Parse(in, mode)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadCRC) {
				t.Fatalf("Parse(%q, %d) = %v, want ErrMalformed or ErrBadCRC", in, mode, err)
			}
			continue
		}
		if mode == Strict && len(p.Warnings) > 0 {
			t.Fatalf("Parse(%q, Strict) returned warnings %q", in, p.Warnings)
		}
		touchAccessors(p)
		n := len(p.Objects)
		out, err := Build(p.Objects[:n-1])
		if err != nil {
			t.Fatalf("Build(Parse(%q).Objects) = %v", in, err)
		}
		want := in[:len(in)-4] + strings.ToUpper(in[len(in)-4:])
		if out != want {
			t.Fatalf("Build(Parse(%q).Objects) = %q, want %q", in, out, want)
		}
		q, err := Parse(out, mode)
		if err != nil {
			t.Fatalf("Parse(Build(...)) = %v, want success", err)
		}
		wantObjs := append(append([]Object{}, p.Objects[:n-1]...), Object{ID: "63", Value: out[len(out)-4:]})
		if !reflect.DeepEqual(q.Objects, wantObjs) {
			t.Fatalf("Parse(Build(Parse(%q))) objects differ:\n got %v\nwant %v", in, q.Objects, wantObjs)
		}
		if utf8.RuneCountInString(out) > maxChars {
			t.Fatalf("Build produced %d characters", utf8.RuneCountInString(out))
		}
	}
}

// touchAccessors calls every typed accessor; they must not panic on any
// payload Parse accepts.
func touchAccessors(p *Payload) {
	_ = p.MerchantName() + p.City() + p.MCC() + p.Currency() + p.CurrencyCode() +
		p.Amount() + p.Country() + p.Reference() + p.PostalCode()
	_ = p.Accounts()
	_, _, _, _ = p.AlternateLanguage()
	_ = p.Scheme()
	_, _ = p.Lookup("62", "05")
	_, _ = p.Get("59")
}

// FuzzBuild checks that whatever Build accepts, Parse accepts in Lenient
// mode and gives the same objects back.
func FuzzBuild(f *testing.F) {
	f.Add("59", "Fulano de Tal", "05", "***")
	f.Add("64", "0002ZH0104最佳运输", "01", "北京")
	f.Add("82", "7FFC1AC00E99EA2D", "00", "x")
	f.Fuzz(func(t *testing.T, id, value, subID, subValue string) {
		objs := []Object{
			{ID: "00", Value: "01"},
			{ID: id, Value: value},
			{ID: "62", Children: []Object{{ID: subID, Value: subValue}}},
		}
		out, err := Build(objs)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Build = %v, want ErrMalformed", err)
			}
			return
		}
		p, err := Parse(out, Lenient)
		if err != nil {
			t.Fatalf("Parse(Build(objs)) = %v, want success", err)
		}
		if got := p.Objects[1]; got.ID != id || got.Value != value {
			t.Fatalf("object 1 = %q %q, want %q %q", got.ID, got.Value, id, value)
		}
		if v, ok := p.Lookup("62", subID); !ok || v != subValue {
			t.Fatalf("Lookup(62, %q) = %q, %v, want %q", subID, v, ok, subValue)
		}
	})
}
