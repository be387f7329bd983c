package qr

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

func TestVerifyReplay(t *testing.T) {
	f := newFixture(t)
	p := f.signFixed(t, "replay", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "10.00", Currency: "BRL"})
	other := f.signFixed(t, "replay other", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "10.00", Currency: "BRL"})
	store := newMemoryNonceStore(func() time.Time { return fxNow })
	checkout := VerifyOptions{Now: fxNow, Nonces: store, Checkout: "m_fulano"}
	anyone := VerifyOptions{Now: fxNow, Nonces: store}
	otherMerchant := VerifyOptions{Now: fxNow, Nonces: store, Checkout: "m_beltrano"}
	// The steps run in order against one store.
	tests := []struct {
		name    string
		payload string
		opts    VerifyOptions
		want    Status
		code    errcode.Code // the first reason, or the warning of a verified code
	}{
		// Verifying first, as anyone can, does not use the code up.
		{"anyone scans first", p, anyone, Verified, ""},
		{"anyone scans again", p, anyone, Verified, ""},
		{"another merchant's checkout", p, otherMerchant, Verified, ""},
		{"the checkout's first scan", p, checkout, Verified, ""},
		{"the checkout's second scan", p, checkout, Rejected, errcode.QRReplayed},
		// After the checkout used it, others see a warning, not "do not pay".
		{"anyone after the checkout", p, anyone, Verified, errcode.QRReplayed},
		{"another merchant after the checkout", p, otherMerchant, Verified, errcode.QRReplayed},
		{"another code, same merchant", other, checkout, Verified, ""},
		// A code that fails another check does not use up its nonce.
		{"mismatch does not record", other, VerifyOptions{Now: fxNow, Nonces: newMemoryNonceStore(nil), Checkout: "m_fulano", Expect: &Expectation{Amount: "1"}}, Rejected, errcode.QRMismatch},
		{"store failure fails closed", p, VerifyOptions{Now: fxNow, Nonces: failingStore{}, Checkout: "m_fulano"}, Rejected, errcode.Internal},
		{"lookup failure fails closed", p, VerifyOptions{Now: fxNow, Nonces: failingStore{}}, Rejected, errcode.Internal},
	}
	for _, tc := range tests {
		v := Verify(tc.payload, f.bundle, tc.opts)
		if v.Status != tc.want {
			t.Fatalf("%s: Status = %s, want %s (%v)", tc.name, v.Status, tc.want, v.Reasons)
		}
		var got errcode.Code
		switch {
		case len(v.Reasons) > 0:
			got = v.Reasons[0].Code
		case len(v.Warnings) > 0:
			got = v.Warnings[0].Code
		}
		if got != tc.code {
			t.Errorf("%s: reason or warning %q, want %q", tc.name, got, tc.code)
		}
	}
}

type failingStore struct{}

func (failingStore) Seen(string, time.Time) (bool, error) { return false, errors.New("database down") }
func (failingStore) Recorded(string) (bool, error)        { return false, errors.New("database down") }

func TestVerifyFields(t *testing.T) {
	f := newFixture(t)
	p := f.signFixed(t, "fields", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "49.90", Currency: "BRL", Reference: "PEDIDO123"})
	v := Verify(p, f.bundle, VerifyOptions{Now: fxNow, Lang: "pt-BR"})
	want := &Verdict{
		Status: Verified, Headline: "Verificado: Fulano de Tal", Reasons: []Reason{},
		Merchant: "Fulano de Tal", MerchantID: "m_fulano", Scheme: "pix", Payee: "Fulano de Tal",
		Amount: "49.90", Currency: "BRL", Reference: "PEDIDO123", ExpiresAt: fxNow.Add(defaultTTL).Unix(), Lang: "pt-BR",
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("Verify =\n%+v, want\n%+v", v, want)
	}
	b, _ := json.Marshal(v)
	for _, field := range []string{`"status":"verified"`, `"merchant":"Fulano de Tal"`, `"reasons":[]`, `"lang":"pt-BR"`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("verdict JSON %s lacks %s", b, field)
		}
	}
	if strings.Contains(string(b), "warnings") {
		t.Errorf("verdict JSON %s has warnings, want none for an account-bound certificate", b)
	}
	// A certificate without accounts vouches for no account: LoadTrustBundle
	// refuses one, and were one counted, its codes would still be rejected.
	n := forge(t, "fields name only", f.ciclanoBase, f.ciclano, "m_ciclano")
	nv := Verify(n, withNameOnly(f.bundle, f.certCiclano), VerifyOptions{Now: fxNow, Lang: "pt-BR"})
	nb, _ := json.Marshal(nv)
	if nv.Status != Rejected || nv.Merchant != "" ||
		!strings.Contains(string(nb), `"reasons":[{"code":"qr_bad_signature","detail":"payee_account","message":"Este QR Code paga para uma conta que não está cadastrada em nome do estabelecimento."}]`) {
		t.Errorf("name-only verdict JSON = %s, want rejected, qr_bad_signature/payee_account", nb)
	}
	// An unsigned code names no merchant, and the headline says so.
	u := Verify(pixBase, f.bundle, VerifyOptions{Now: fxNow})
	if u.Merchant != "" || u.MerchantID != "" || u.Payee != "Fulano de Tal" || u.Headline != "Unsigned QR — check the payee" {
		t.Errorf("unsigned verdict %+v", u)
	}
	// Without a trust bundle a signed code is from an unknown key.
	if n := Verify(p, nil, VerifyOptions{Now: fxNow}); n.Status != Rejected || n.Reasons[0].Code != errcode.QRUnknownKey {
		t.Errorf("Verify(nil trust) = %s %v", n.Status, n.Reasons)
	}
	// UPI links report their payee and amount.
	l := Verify("upi://pay?pa=shop@okaxis&pn=Chai%20Point&am=120.00&cu=INR", nil, VerifyOptions{Expect: &Expectation{Amount: "120", Currency: "INR"}})
	if l.Status != Unsigned || l.Scheme != "upi" || l.Payee != "Chai Point" || l.Amount != "120.00" {
		t.Errorf("UPI verdict %+v", l)
	}
}

// TestSignatureTampering flips every character of the signed part of a
// signed code, recomputes the CRC, and requires a rejection each time.
func TestSignatureTampering(t *testing.T) {
	f := newFixture(t)
	p := f.signFixed(t, "tamper", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "49.90", Currency: "BRL", Reference: "A1"})
	body := p[:len(p)-4]
	for i := 0; i < len(body)-4; i++ {
		c := body[i]
		var r byte
		switch {
		case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
			r = c + 1
		default:
			r = '0'
		}
		mut := body[:i] + string(r) + body[i+1:]
		mut += crcHex(crc16String(mut))
		v := Verify(mut, f.bundle, VerifyOptions{Now: fxNow})
		if v.Status == Verified {
			t.Errorf("changing character %d (%q→%q) still verifies", i, c, r)
		}
	}
}

func checkVerdictConsistent(t *testing.T, v *Verdict) {
	t.Helper()
	unsigned, other := 0, 0
	for _, r := range v.Reasons {
		if r.Code == errcode.QRUnsigned {
			unsigned++
		} else {
			other++
		}
		if r.Message == "" {
			t.Fatalf("reason %s without message", r.Code)
		}
	}
	switch v.Status {
	case Verified:
		if len(v.Reasons) != 0 || v.Merchant == "" || v.MerchantID == "" {
			t.Fatalf("verified verdict with reasons or no merchant: %+v", v)
		}
	case Unsigned:
		if unsigned != 1 || other != 0 || v.Merchant != "" {
			t.Fatalf("unsigned verdict inconsistent: %+v", v)
		}
	case Rejected:
		if other == 0 || v.Merchant != "" {
			t.Fatalf("rejected verdict inconsistent: %+v", v)
		}
	default:
		t.Fatalf("unknown status %q", v.Status)
	}
	for _, w := range v.Warnings {
		if v.Status != Verified || w.Message == "" {
			t.Fatalf("warning %s on a %s verdict, or without message", w.Code, v.Status)
		}
	}
	if v.Headline == "" || v.Reasons == nil {
		t.Fatalf("verdict without headline or reasons list: %+v", v)
	}
}

func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	var vf vectorFile
	if err := json.Unmarshal(mustRead(f, "vectors.json"), &vf); err != nil || len(vf.Cases) == 0 {
		f.Fatalf("no seeds in testdata/trust/vectors.json: %v", err)
	}
	for _, c := range vf.Cases {
		f.Add(c.Payload)
	}
	for _, c := range loadURLCases(f) {
		f.Add(c.URL)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		now := fxNow.Add(time.Minute)
		v := Verify(payload, fx.bundle, VerifyOptions{Now: now})
		checkVerdictConsistent(t, v)
		if v.Status == Verified {
			again := Verify(payload, fx.bundle, VerifyOptions{Now: now})
			if !reflect.DeepEqual(v, again) {
				t.Fatalf("re-verify differs:\n%+v\n%+v", v, again)
			}
			store := newMemoryNonceStore(func() time.Time { return now })
			if Verify(payload, fx.bundle, VerifyOptions{Now: now, Nonces: store, Checkout: v.MerchantID}).Status != Verified ||
				Verify(payload, fx.bundle, VerifyOptions{Now: now, Nonces: store, Checkout: v.MerchantID}).Status != Rejected {
				t.Fatal("a verified code is not accepted exactly once by a nonce store")
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	p := f.signFixed(b, "bench", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "49.90", Currency: "BRL", Reference: "PEDIDO123"})
	exp := &Expectation{Payee: "Fulano de Tal", Amount: "49.90", Currency: "BRL"}
	b.ReportAllocs()
	for b.Loop() {
		v := Verify(p, f.bundle, VerifyOptions{Now: fxNow, Expect: exp, Lang: "pt-BR"})
		if v.Status != Verified {
			b.Fatal(v.Reasons)
		}
	}
}

func BenchmarkVerifyURL(b *testing.B) {
	f := newFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		Verify("https://xn--pypal-4ve.com/pay", f.bundle, VerifyOptions{Now: fxNow})
	}
}

// TestVerifyAllocations keeps Verify's per-code work small: the verdict,
// the parsed payload and the headline (BenchmarkVerify reports 8). It ran
// 60 allocations a call before the trust bundle prepared its keys.
func TestVerifyAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	f := newFixture(t)
	p := f.signFixed(t, "allocs", pixBase, f.fulano, f.certFulano, SignOptions{Amount: "49.90", Currency: "BRL", Reference: "PEDIDO123"})
	exp := &Expectation{Payee: "Fulano de Tal", Amount: "49.90", Currency: "BRL"}
	got := testing.AllocsPerRun(50, func() {
		if v := Verify(p, f.bundle, VerifyOptions{Now: fxNow, Expect: exp, Lang: "pt-BR"}); v.Status != Verified {
			t.Fatal(v.Reasons)
		}
	})
	if got > 12 {
		t.Errorf("Verify allocates %.0f times per call, want at most 12", got)
	}
}

// TestSameName checks the allocation-free name comparison against the
// obvious definition, on names with Unicode case and white space.
func TestSameName(t *testing.T) {
	fold := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	names := []string{
		"", " ", "Fulano de Tal", "FULANO  DE TAL", " fulano de tal ", "Fulano\tde\u00a0Tal", "Fulano de Tala",
		"Fulano deTal", "ΣΊΣΥΦΟΣ", "σίσυφος", "Beltrano Café", "BELTRANO CAFÉ", "Beltrano Cafe", "İstanbul", "i̇stanbul",
		"\u3000東京\u3000タワー", "東京 タワー", "a\xffb", "A\xffB", "ǅ", "ǆ", "K", "\u212a", "ß", "SS",
	}
	for _, a := range names {
		for _, b := range names {
			want := fold(a) != "" && fold(a) == fold(b)
			if got := sameName(a, b); got != want {
				t.Errorf("sameName(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
}

func TestSameAmount(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"10.5", "10.50", true},
		{"010.50", "10.500", true},
		{"10", "10.", true},
		{"10", "10.0", true},
		{".5", "0.50", true},
		{"0", "0.00", true},
		{"000", ".0", true},
		{"10.5", "10.05", false},
		{"105", "10.5", false},
		{"1", "10", false},
		{"10,5", "10,5", true}, // not an amount: equal only to itself
		{"10,5", "10.5", false},
		{"", "", true},
		{"", "0", false},
		{"1.2.3", "1.2.3", true},
	}
	for _, tc := range tests {
		if got := sameAmount(tc.a, tc.b); got != tc.want {
			t.Errorf("sameAmount(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := sameAmount(tc.b, tc.a); got != tc.want {
			t.Errorf("sameAmount(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
}
