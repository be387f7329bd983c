package qr

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The EMVCo MPM v1.0/v1.1 specification's example payload (Appendix A),
// with a Chinese language template.
const emvcoSpecExample = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"

// The static Pix example of BCB's "Manual de Padrões para Iniciação do
// Pix" (Anexo: exemplo de BR Code estático).
const pixManualStatic = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

func TestParseSpecExample(t *testing.T) {
	p, err := Parse(emvcoSpecExample, Strict)
	if err != nil {
		t.Fatalf("Parse(spec example, Strict) = %v, want nil", err)
	}
	altLang, altName, altCity, altOK := p.AlternateLanguage()
	if !altOK {
		t.Error("AlternateLanguage() ok = false, want true")
	}
	checks := []struct{ name, got, want string }{
		{"MerchantName", p.MerchantName(), "BEST TRANSPORT"},
		{"City", p.City(), "BEIJING"},
		{"MCC", p.MCC(), "4111"},
		{"Currency", p.Currency(), "156"},
		{"CurrencyCode", p.CurrencyCode(), "CNY"},
		{"Amount", p.Amount(), "23.72"},
		{"Country", p.Country(), "CN"},
		{"Reference", p.Reference(), ""},
		{"AlternateLanguage name", altName, "最佳运输"},
		{"AlternateLanguage city", altCity, "北京"},
		{"AlternateLanguage lang", altLang, "ZH"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s() = %q, want %q", c.name, c.got, c.want)
		}
	}
	if v, ok := p.Lookup("62", "03"); !ok || v != "1234" {
		t.Errorf(`Lookup("62", "03") = %q, %v, want "1234", true`, v, ok)
	}
	if v, ok := p.Lookup("91", "07"); !ok || v != "12345678" {
		t.Errorf(`Lookup("91", "07") = %q, %v, want "12345678", true`, v, ok)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none", p.Warnings)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"bad CRC", pixManualStatic[:len(pixManualStatic)-1] + "E", ErrBadCRC},
		{"truncated", pixManualStatic[:len(pixManualStatic)-2], ErrMalformed},
		{"invalid UTF-8", "0002010102\xff", ErrMalformed},
		{"non-digit ID", withCRC("0002010A0211"), ErrMalformed},
		{"non-digit length", withCRC("00020101A211"), ErrMalformed},
		{"overlong length", withCRC("0002010150" + "11"), ErrMalformed},
		{"duplicate top-level ID", withCRC("000201010211010212"), ErrMalformed},
		{"duplicate sub-ID", withCRC("00020126180014br.gov.bcb.pix0000"), ErrMalformed},
		{"missing 00", withCRC("010211"), ErrMalformed},
		{"missing 63", "000201010211", ErrMalformed},
		{"63 not last", pixManualStatic + "0102", ErrMalformed},
		{"63 of length 3", "0002016303ABC", ErrMalformed},
		{"over 512 characters", withCRC("000201" + strings.Repeat("629905"+strings.Repeat("9", 95), 6)), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []Mode{Lenient, Strict} {
				p, err := Parse(tc.in, mode)
				if !errors.Is(err, tc.want) {
					t.Errorf("Parse(%q, %d) = %v, %v, want %v", tc.in, mode, p, err, tc.want)
				}
			}
		})
	}
}

// withCRC appends "6304" and the CRC to s.
func withCRC(s string) string {
	s += "6304"
	return s + crcHex(crc16([]byte(s)))
}

func TestBuildRoundTrip(t *testing.T) {
	for _, in := range []string{emvcoSpecExample, pixManualStatic} {
		p, err := Parse(in, Lenient)
		if err != nil {
			t.Fatalf("Parse(%q) = %v", in, err)
		}
		got, err := Build(p.Objects[:len(p.Objects)-1])
		if err != nil || got != in {
			t.Errorf("Build(Parse(%q).Objects) = %q, %v, want the input", in, got, err)
		}
	}
}

func TestBuildRejects(t *testing.T) {
	pfi := Object{ID: "00", Value: "01"}
	tests := []struct {
		name string
		objs []Object
	}{
		{"no objects", nil},
		{"00 not first", []Object{{ID: "01", Value: "11"}, pfi}},
		{"contains 63", []Object{pfi, {ID: "63", Value: "ABCD"}}},
		{"one-digit ID", []Object{pfi, {ID: "1", Value: "11"}}},
		{"letter ID", []Object{pfi, {ID: "5A", Value: "x"}}},
		{"duplicate ID", []Object{pfi, {ID: "59", Value: "A"}, {ID: "59", Value: "B"}}},
		{"duplicate sub-ID", []Object{pfi, {ID: "62", Children: []Object{{ID: "05", Value: "a"}, {ID: "05", Value: "b"}}}}},
		{"value over 99", []Object{pfi, {ID: "59", Value: strings.Repeat("x", 100)}}},
		{"children on a primitive", []Object{pfi, {ID: "59", Children: []Object{{ID: "00", Value: "x"}}}}},
		{"template value not objects", []Object{pfi, {ID: "26", Value: "hello"}}},
		{"invalid UTF-8", []Object{pfi, {ID: "59", Value: "\xff"}}},
		{"over 512", []Object{pfi, {ID: "26", Value: strings.Repeat("x", 99)}, {ID: "27", Value: strings.Repeat("x", 99)},
			{ID: "28", Value: strings.Repeat("x", 99)}, {ID: "29", Value: strings.Repeat("x", 99)}, {ID: "30", Value: strings.Repeat("x", 99)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := Build(tc.objs); !errors.Is(err, ErrMalformed) {
				t.Errorf("Build(%v) = %q, %v, want %v", tc.objs, got, err, ErrMalformed)
			}
		})
	}
}

func TestBuildChildren(t *testing.T) {
	objs := []Object{
		{ID: "00", Value: "01"},
		{ID: "26", Children: []Object{{ID: "00", Value: "br.gov.bcb.pix"}, {ID: "01", Value: "123e4567-e12b-12d1-a456-426655440000"}}},
		{ID: "52", Value: "0000"},
		{ID: "53", Value: "986"},
		{ID: "58", Value: "BR"},
		{ID: "59", Value: "Fulano de Tal"},
		{ID: "60", Value: "BRASILIA"},
		{ID: "62", Children: []Object{{ID: "05", Value: "***"}}},
	}
	got, err := Build(objs)
	if err != nil || got != pixManualStatic {
		t.Fatalf("Build(Pix manual objects) = %q, %v, want %q", got, err, pixManualStatic)
	}
	p, err := Parse(got, Strict)
	if err != nil {
		t.Fatalf("Parse(Build(...), Strict) = %v", err)
	}
	if want := append(objs, Object{ID: "63", Value: "1D3D"}); !reflect.DeepEqual(p.Objects, withValues(want)) {
		t.Errorf("Parse(Build(objs)).Objects = %v, want %v", p.Objects, want)
	}
}

// withValues fills in the Value of templates built from Children.
func withValues(objs []Object) []Object {
	out := make([]Object, len(objs))
	for i, o := range objs {
		if o.Children != nil {
			o.Children = withValues(o.Children)
			var b strings.Builder
			for _, c := range o.Children {
				b.WriteString(c.ID)
				b.WriteString(twoDigitLen(c.Value))
				b.WriteString(c.Value)
			}
			o.Value = b.String()
		}
		out[i] = o
	}
	return out
}

func twoDigitLen(v string) string {
	n := len([]rune(v))
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

func TestAccounts(t *testing.T) {
	// choonkiatlee/sgqr test_all.py: UnionPay in 15, five templates, SGQR in 51.
	const sgqr = "0002010102111531480007024800070280007025499435326590011COM.REMOPAY0110200000033802040000030400010404000099020127330015SG.COM.DASH.WWW0110100210041328650017COM.QQ.WEIXIN.PAY0110100000033702040000030400010404000099020129720013sg.com.ezlink0114FMP-10000003380204SGQR0317NPL-0001-0000000004046AF951800007SG.SGQR01121809072DDA29020701.00010306058602040200050200060400000708201809155204000053037025802SG5909hisenyuan6009Singapore63044F90"
	p, err := Parse(sgqr, Strict)
	if err != nil {
		t.Fatal(err)
	}
	type acct struct{ id, guid, scheme string }
	var got []acct
	for _, a := range p.Accounts() {
		guid, _ := find(a.Children, "00")
		got = append(got, acct{a.ID, guid.Value, accountScheme(idNumber(a.ID), guid.Value, p.Country()).ID})
	}
	want := []acct{
		{"15", "", "unionpay"},
		{"26", "COM.REMOPAY", ""},
		{"27", "SG.COM.DASH.WWW", ""},
		{"28", "COM.QQ.WEIXIN.PAY", ""},
		{"29", "sg.com.ezlink", ""},
		{"51", "SG.SGQR", "sgqr"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Accounts() = %v, want %v", got, want)
	}
	if s := p.Scheme(); s.ID != "sgqr" || s.Country != "SG" {
		t.Errorf("Scheme() = %+v, want sgqr/SG", s)
	}
}

func TestSchemePrecedence(t *testing.T) {
	build := func(objs ...Object) *Payload {
		t.Helper()
		s, err := Build(append([]Object{{ID: "00", Value: "01"}}, objs...))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(s, Lenient)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tmpl := func(id, guid string) Object {
		return Object{ID: id, Children: []Object{{ID: "00", Value: guid}, {ID: "01", Value: "x"}}}
	}
	tests := []struct {
		name string
		p    *Payload
		want string
	}{
		{"none", build(Object{ID: "59", Value: "A"}), ""},
		{"visa only", build(Object{ID: "02", Value: "4111"}), "visa"},
		{"template beats earlier network", build(Object{ID: "04", Value: "5111"}, tmpl("26", "BR.GOV.BCB.PIX")), "pix"},
		{"first template wins", build(tmpl("26", "SG.PAYNOW"), tmpl("27", "SG.COM.NETS")), "paynow"},
		{"sgqr umbrella wins", build(tmpl("26", "SG.PAYNOW"), tmpl("51", "SG.SGQR")), "sgqr"},
		{"unknown template then network", build(tmpl("26", "COM.EXAMPLE"), Object{ID: "15", Value: "62"}), "unionpay"},
		{"bharat qr", build(Object{ID: "06", Value: "6100"}, tmpl("26", "A000000524"), Object{ID: "58", Value: "IN"}), "bharatqr"},
		{"upi without card networks", build(tmpl("26", "A000000524"), Object{ID: "58", Value: "IN"}), "upi"},
		{"khqr account id", build(tmpl("29", "shop@bank"), Object{ID: "58", Value: "KH"}), "khqr"},
		{"@ outside 29/30 is no khqr", build(tmpl("26", "shop@bank")), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Scheme().ID; got != tc.want {
				t.Errorf("Scheme().ID = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAccessorsOnHandMadePayload(t *testing.T) {
	p := &Payload{Objects: []Object{{ID: ""}, {ID: "x"}, {ID: "26", Value: "junk"}, {ID: "59", Value: "Shop"}}}
	if got := p.MerchantName(); got != "Shop" {
		t.Errorf("MerchantName() = %q, want %q", got, "Shop")
	}
	if got := len(p.Accounts()); got != 1 {
		t.Errorf("len(Accounts()) = %d, want 1", got)
	}
	if got := p.Scheme(); got != (Scheme{}) {
		t.Errorf("Scheme() = %+v, want zero", got)
	}
	if _, _, _, ok := p.AlternateLanguage(); ok {
		t.Errorf("AlternateLanguage() ok = true, want false without template 64")
	}
	for _, path := range [][]string{{}, {"59", "00"}, {"26", "00"}, {"99"}} {
		if v, ok := p.Lookup(path...); ok {
			t.Errorf("Lookup(%q) = %q, true, want false", path, v)
		}
	}
}
