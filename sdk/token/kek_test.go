package token_test

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/token"
	"github.com/sealpay/sealpay/sdk/token/tokentest"
)

func TestLocalKEK(t *testing.T) {
	tokentest.TestKEK(t, func(t *testing.T) token.KEK { return localKEK(t, "local-2030.01") })
}

func TestFakeKMSKEK(t *testing.T) {
	tokentest.TestKEK(t, func(t *testing.T) token.KEK { return tokentest.NewFakeKMS().KEK("fake-1") })
}

func TestLocalKEKSameSecretOtherID(t *testing.T) {
	secret := make([]byte, 32)
	rand.Read(secret)
	a, _ := token.NewLocalKEK("a", secret)
	b, _ := token.NewLocalKEK("b", secret)
	w, err := a.Wrap(ctx, []byte("0123456789abcdef0123456789abcdef"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Unwrap(ctx, w, nil); err == nil {
		t.Error("a KEK with the same secret and another id unwrapped the key, want an error: the id is part of the derivation")
	}
}

func TestNewLocalKEKErrors(t *testing.T) {
	secret := make([]byte, 32)
	for _, tc := range []struct {
		name, id string
		secret   []byte
	}{
		{"empty id", "", secret},
		{"id with a slash", "a/b", secret},
		{"id too long", strings.Repeat("k", 65), secret},
		{"short secret", "k", secret[:31]},
		{"no secret", "k", nil},
	} {
		if _, err := token.NewLocalKEK(tc.id, tc.secret); errcode.Of(err) != errcode.BadRequest {
			t.Errorf("NewLocalKEK(%s): %v, want bad_request", tc.name, err)
		}
	}
}

func TestLocalKEKRedacts(t *testing.T) {
	secret := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	k, err := token.NewLocalKEK("kek-7", secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(verb, k)
		if !strings.Contains(s, "kek-7") || strings.Contains(s, "0123") {
			// Not s: it may hold the key.
			t.Errorf("Sprintf(%q, kek): id shown %v, key material shown %v; want true, false", verb, strings.Contains(s, "kek-7"), strings.Contains(s, "0123"))
		}
	}
}

func TestNewKEKSet(t *testing.T) {
	a, b := localKEK(t, "a"), localKEK(t, "b")
	for _, tc := range []struct {
		name    string
		primary token.KEK
		others  []token.KEK
		ok      bool
	}{
		{"one", a, nil, true},
		{"two", a, []token.KEK{b}, true},
		{"nil primary", nil, nil, false},
		{"nil other", a, []token.KEK{nil}, false},
		{"duplicate id", a, []token.KEK{localKEK(t, "a")}, false},
	} {
		_, err := token.NewKEKSet(tc.primary, tc.others...)
		if (err == nil) != tc.ok {
			t.Errorf("NewKEKSet(%s) error = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
