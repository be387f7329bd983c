package qr

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
)

// TestBundleFileLayout writes a bundle file by hand, following only the
// rules of docs/qr-v1.md §4.1, and requires SignBundle to write the same
// bytes: the description is byte-exact, including escapes and left-out
// members.
func TestBundleFileLayout(t *testing.T) {
	f := newFixture(t)
	odd, err := f.root.Certify(Certificate{MerchantID: "m_odd", Name: "Café \"A&B\" <Loja>\\ \u2028x\u2029y", Accounts: []Object{beltranoAccount},
		PublicKey: f.uncertified.Public(), NotBefore: fxNotBefore, NotAfter: fxNotAfter})
	if err != nil {
		t.Fatal(err)
	}
	b := Bundle{Version: 7, IssuedAt: fxBundleIssued, ExpiresAt: fxBundleExpires, Roots: []ed25519.PublicKey{f.otherRoot.Public()},
		Certificates: []Certificate{*f.certFulano, *odd},
		Revocations: []Revocation{{KeyID: f.revoked.KeyID(), RevokedAt: fxBundleIssued, Reason: "key_compromise"},
			{KeyID: f.old.KeyID(), RevokedAt: fxBundleIssued.Add(1)}}}
	got, err := f.root.SignBundle(b)
	if err != nil {
		t.Fatal(err)
	}

	str := func(s string) docValue { return docValue{s: &s} }
	num := func(n int64) docValue { return docValue{n: &n} }
	arr := func(vs ...docValue) docValue { return docValue{arr: vs, isArr: true} }
	strs := func(ss []string) docValue {
		var vs []docValue
		for _, s := range ss {
			vs = append(vs, str(s))
		}
		return arr(vs...)
	}
	root := func(k ed25519.PublicKey) docValue {
		return docValue{obj: []docMember{{"kid", str(keyID(k))}, {"x", str(b64.EncodeToString(k))}}}
	}
	cert := func(c *Certificate) docValue {
		m := []docMember{{"mid", str(c.MerchantID)}, {"name", str(c.Name)}}
		if len(c.Names) > 0 {
			m = append(m, docMember{"names", strs(c.Names)})
		}
		m = append(m, docMember{"accounts", strs(c.accountStrings())})
		if len(c.Domains) > 0 {
			m = append(m, docMember{"domains", strs(c.Domains)})
		}
		m = append(m, docMember{"kid", str(c.KeyID)}, docMember{"x", str(b64.EncodeToString(c.PublicKey))},
			docMember{"not_before", num(c.NotBefore.Unix())}, docMember{"not_after", num(c.NotAfter.Unix())},
			docMember{"root", str(c.RootID)}, docMember{"sig", str(b64.EncodeToString(c.Signature))})
		return docValue{obj: m}
	}
	rev := func(r Revocation) docValue {
		m := []docMember{{"kid", str(r.KeyID)}, {"revoked_at", num(r.RevokedAt.Unix())}}
		if r.Reason != "" {
			m = append(m, docMember{"reason", str(r.Reason)})
		}
		return docValue{obj: m}
	}
	signedDoc := docValue{obj: []docMember{
		{"format", str("sealpay/qr/trust/v1")},
		{"version", num(7)},
		{"issued_at", num(fxBundleIssued.Unix())},
		{"expires_at", num(fxBundleExpires.Unix())},
		{"roots", arr(root(f.otherRoot.Public()), root(f.root.Public()))}, // listed, then the signer
		{"certificates", arr(cert(f.certFulano), cert(odd))},
		{"revocations", arr(rev(b.Revocations[0]), rev(b.Revocations[1]))},
	}}
	var signed strings.Builder
	signedDoc.write(&signed, 0)
	sig := ed25519.Sign(f.root.k.priv, []byte("sealpay/qr/trust/v1\x00"+signed.String()))
	want := "{\n\"signed\": " + signed.String() + ",\n\"signatures\": " +
		`[{"kid":"` + f.root.KeyID() + `","sig":"` + b64.EncodeToString(sig) + `"}]` + "\n}\n"
	if !bytes.Equal(got, []byte(want)) {
		t.Errorf("SignBundle wrote\n%s\nwant, by docs/qr-v1.md §4.1,\n%s", got, want)
	}
	if !strings.Contains(want, `"name": "Café \"A\u0026B\" \u003cLoja\u003e\\ \u2028x\u2029y",`) {
		t.Errorf("the escapes were not exercised")
	}
	// And the empty lists.
	empty, err := f.root.SignBundle(Bundle{Version: 1, IssuedAt: fxBundleIssued})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(empty, []byte("  \"certificates\": [],\n  \"revocations\": []\n},\n")) {
		t.Errorf("empty bundle:\n%s\nwant empty arrays written []", empty)
	}
}

// docValue is a JSON value for TestBundleFileLayout: a string, an integer,
// an array or an object with ordered members.
type docValue struct {
	s     *string
	n     *int64
	arr   []docValue
	isArr bool
	obj   []docMember
}

type docMember struct {
	name  string
	value docValue
}

// write writes v by docs/qr-v1.md §4.1: one member or element per line,
// two spaces per level, `"name": value`, "[]" for an empty array.
func (v docValue) write(b *strings.Builder, level int) {
	pad := func(l int) string { return strings.Repeat("  ", l) }
	switch {
	case v.s != nil:
		b.WriteString(docQuote(*v.s))
	case v.n != nil:
		fmt.Fprintf(b, "%d", *v.n)
	case v.isArr && len(v.arr) == 0:
		b.WriteString("[]")
	case v.isArr:
		b.WriteString("[\n")
		for i, e := range v.arr {
			b.WriteString(pad(level + 1))
			e.write(b, level+1)
			if i < len(v.arr)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(pad(level) + "]")
	default:
		b.WriteString("{\n")
		for i, m := range v.obj {
			b.WriteString(pad(level+1) + docQuote(m.name) + ": ")
			m.value.write(b, level+1)
			if i < len(v.obj)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(pad(level) + "}")
	}
}

// docQuote quotes s with the escapes docs/qr-v1.md §4.1 lists.
func docQuote(s string) string {
	r := strings.NewReplacer(`"`, `\"`, `\`, `\\`, "<", `\u003c`, ">", `\u003e`, "&", `\u0026`,
		"\u2028", `\u2028`, "\u2029", `\u2029`)
	return `"` + r.Replace(s) + `"`
}
