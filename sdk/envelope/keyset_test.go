package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func statuses(ks *KeySet) string {
	var s []string
	for _, k := range ks.Keys() {
		s = append(s, k.Status)
	}
	return strings.Join(s, ",")
}

func TestKeySetRotation(t *testing.T) {
	ks := newTestKeySet(t)
	first := ks.Keys()[0].KeyID
	if got, want := statuses(ks), "primary"; got != want {
		t.Fatalf("GenerateKeySet statuses = %s, want %s", got, want)
	}
	env1 := mustSeal(t, ks.Public(), testCard, SealOptions{MerchantID: "m_demo", Now: testNow})

	added, err := ks.Add()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(ks), "primary,enabled"; got != want {
		t.Errorf("after Add statuses = %s, want %s (Add never makes a key primary)", got, want)
	}
	if got := ks.Public().KeyIDs(); len(got) != 2 || got[0] != first || got[1] != added {
		t.Errorf("Public().KeyIDs() = %v, want [%s %s]", got, first, added)
	}

	if err := ks.Promote(added); err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(ks), "enabled,primary"; got != want {
		t.Errorf("after Promote statuses = %s, want %s", got, want)
	}
	if got := ks.Public().KeyIDs(); got[0] != added {
		t.Errorf("Public().KeyIDs() = %v, want the new primary first", got)
	}
	env2 := mustSeal(t, ks.Public(), testCard, SealOptions{MerchantID: "m_demo", Now: testNow})
	for i, env := range []string{env1, env2} {
		if _, err := Open(ks, env, OpenOptions{Now: testNow}); err != nil {
			t.Errorf("envelope %d: Open after Promote = %v, want success", i+1, err)
		}
	}
	if o, _ := Open(ks, env2, OpenOptions{Now: testNow}); o != nil && o.Header.KeyID != added {
		t.Errorf("Seal used key %s, want the primary %s", o.Header.KeyID, added)
	}

	if err := ks.Retire(added); !errors.Is(err, ErrPrimaryKey) {
		t.Errorf("Retire(primary) = %v, want ErrPrimaryKey", err)
	}
	if err := ks.Remove(added); !errors.Is(err, ErrPrimaryKey) {
		t.Errorf("Remove(primary) = %v, want ErrPrimaryKey", err)
	}
	if err := ks.Remove(first); !errors.Is(err, ErrInvalidKeySet) {
		t.Errorf("Remove(enabled key) = %v, want ErrInvalidKeySet", err)
	}
	before := time.Now().Add(-time.Second)
	if err := ks.Retire(first); err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(ks), "retired,primary"; got != want {
		t.Errorf("after Retire statuses = %s, want %s", got, want)
	}
	info := ks.Keys()[0]
	if info.Retired.Before(before) || info.Retired.After(time.Now()) {
		t.Errorf("Retired = %v, want about now", info.Retired)
	}
	if err := ks.Retire(first); err != nil {
		t.Errorf("Retire(retired key) = %v, want nil", err)
	}
	if ks.Keys()[0].Retired != info.Retired {
		t.Errorf("retiring twice changed the retired time")
	}
	if _, err := Open(ks, env1, OpenOptions{Now: testNow}); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open with a retired key = %v, want ErrUnknownKey", err)
	}
	if got := ks.Public().KeyIDs(); len(got) != 1 || got[0] != added {
		t.Errorf("Public().KeyIDs() = %v, want only the primary (retired keys are not published)", got)
	}
	if err := ks.Promote(first); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Promote(retired key) = %v, want ErrUnknownKey", err)
	}

	rotated, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(ks), "retired,enabled,primary"; got != want {
		t.Errorf("after Rotate statuses = %s, want %s", got, want)
	}
	if ks.Keys()[2].KeyID != rotated {
		t.Errorf("Rotate returned %s, the new primary is %s", rotated, ks.Keys()[2].KeyID)
	}
	if err := ks.Remove(first); err != nil {
		t.Errorf("Remove(retired key) = %v", err)
	}
	if got, want := statuses(ks), "enabled,primary"; got != want {
		t.Errorf("after Remove statuses = %s, want %s", got, want)
	}
	for _, op := range []func(string) error{ks.Promote, ks.Retire, ks.Remove} {
		if err := op("no-such-kid"); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("operation on an unknown kid = %v, want ErrUnknownKey", err)
		}
	}
}

func TestKeySetLimit(t *testing.T) {
	ks := newTestKeySet(t)
	for i := 1; i < maxKeys; i++ {
		if _, err := ks.Add(); err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
	}
	if _, err := ks.Add(); !errors.Is(err, ErrInvalidKeySet) {
		t.Errorf("Add beyond %d keys = %v, want ErrInvalidKeySet", maxKeys, err)
	}
}

func TestKeyIDIsThumbprint(t *testing.T) {
	// RFC 8037, Appendix A.3: the thumbprint of the Ed25519 key of A.2.
	x, _ := decodeB64("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	if got, want := okpThumbprint("Ed25519", x), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"; got != want {
		t.Errorf("RFC 8037 A.3 thumbprint = %s, want %s", got, want)
	}
	ks := newTestKeySet(t)
	k := ks.keys[0]
	if got, want := k.kid, okpThumbprint("X25519", k.x); got != want || len(got) != 43 {
		t.Errorf("key ID = %s, want the 43-character thumbprint %s", got, want)
	}
}

func TestKeySetMarshalRoundTrip(t *testing.T) {
	ks := newTestKeySet(t)
	if _, err := ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	third, err := ks.Add()
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.Retire(third); err != nil {
		t.Fatal(err)
	}
	b, err := ks.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseKeySet(b)
	if err != nil {
		t.Fatalf("ParseKeySet(MarshalPrivate()) = %v", err)
	}
	if !equalKeyInfo(got.Keys(), ks.Keys()) {
		t.Errorf("Keys after round trip = %+v, want %+v", got.Keys(), ks.Keys())
	}
	b2, err := got.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Errorf("MarshalPrivate is not stable across a parse")
	}
	for i := range ks.keys {
		if !bytes.Equal(got.keys[i].d, ks.keys[i].d) {
			t.Errorf("key %d: private key changed in the round trip", i)
		}
	}
	env := mustSeal(t, ks.Public(), testCard, SealOptions{MerchantID: "m_demo", Now: testNow})
	if _, err := Open(got, env, OpenOptions{Now: testNow}); err != nil {
		t.Errorf("parsed key set does not open: %v", err)
	}
}

func equalKeyInfo(a, b []KeyInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].KeyID != b[i].KeyID || a[i].Status != b[i].Status || !a[i].Created.Equal(b[i].Created) || !a[i].Retired.Equal(b[i].Retired) {
			return false
		}
	}
	return true
}

func TestKeySetFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "edge-keys.json")
	ks := newTestKeySet(t)
	if err := WriteKeySetFile(path, ks); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("key set file mode = %v, want 0600", got)
		}
	}
	// Overwrite: the rename replaces the file and leaves no temporary.
	if _, err := ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	if err := WriteKeySetFile(path, ks); err != nil {
		t.Fatal(err)
	}
	got, err := ReadKeySetFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !equalKeyInfo(got.Keys(), ks.Keys()) {
		t.Errorf("ReadKeySetFile keys = %+v, want %+v", got.Keys(), ks.Keys())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after two writes, want 1", len(entries))
	}
	if err := WriteKeySetFile(filepath.Join(dir, "missing", "keys.json"), ks); err == nil {
		t.Errorf("WriteKeySetFile into a missing directory succeeded")
	}
	if _, err := ReadKeySetFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Errorf("ReadKeySetFile of a missing file succeeded")
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"keys":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKeySetFile(bad); !errors.Is(err, ErrInvalidKeySet) {
		t.Errorf("ReadKeySetFile(empty set) = %v, want ErrInvalidKeySet", err)
	}
}

func TestKeySetStringRedacts(t *testing.T) {
	ks := newTestKeySet(t)
	d := b64.EncodeToString(ks.keys[0].d)
	for _, s := range []string{ks.String(), fmt.Sprint(ks), fmt.Sprintf("%v %+v %#v %s", ks, ks, ks, ks), fmt.Sprintf("%+v", *ks)} {
		if strings.Contains(s, d) || strings.Contains(s, fmt.Sprint(ks.keys[0].d)) {
			t.Errorf("formatting a KeySet shows the private key")
		}
	}
	if !strings.Contains(ks.String(), ks.keys[0].kid) {
		t.Errorf("String() = %s, want the primary key ID", ks)
	}
}

// jwksWith returns a one-key JWK Set whose key has the given members,
// starting from a valid public key.
func jwksWith(t *testing.T, edit func(m map[string]any)) []byte {
	t.Helper()
	ks := vectorKeySet(t)
	m := map[string]any{"kty": "OKP", "crv": "X25519", "use": "enc", "kid": ks.keys[0].kid, "x": b64.EncodeToString(ks.keys[0].x)}
	edit(m)
	b, err := json.Marshal(map[string]any{"keys": []any{m}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePublicKeySet(t *testing.T) {
	vf := loadVectors(t)
	p, err := ParsePublicKeySet([]byte(vf.Recipient.JWKS))
	if err != nil {
		t.Fatalf("ParsePublicKeySet(vector JWKS) = %v", err)
	}
	b, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), vf.Recipient.JWKS; got != want {
		t.Errorf("MarshalJSON = %s, want %s", got, want)
	}

	ok := map[string][]byte{
		"no use":                    jwksWith(t, func(m map[string]any) { delete(m, "use") }),
		"other members ignored":     jwksWith(t, func(m map[string]any) { m["alg"] = "HPKE-X25519"; m["key_ops"] = []string{"deriveBits"} }),
		"top-level members ignored": []byte(`{"keys":` + strings.TrimPrefix(strings.TrimSuffix(vf.Recipient.JWKS, "}"), `{"keys":`) + `,"cache":"1h"}`),
		"whitespace and escapes":    []byte(strings.ReplaceAll(strings.ReplaceAll(vf.Recipient.JWKS, ",", " ,\n "), `"kty"`, `"k\u0074y"`)),
	}
	for name, in := range ok {
		if _, err := ParsePublicKeySet(in); err != nil {
			t.Errorf("%s: ParsePublicKeySet = %v, want success", name, err)
		}
	}

	x := vectorKeySet(t).keys[0].x
	other := mustKey(t, vectorOtherD, statusPrimary)
	dup := strings.TrimSuffix(strings.TrimPrefix(vf.Recipient.JWKS, `{"keys":[`), `]}`)
	bad := map[string][]byte{
		"empty":                 []byte(``),
		"null":                  []byte(`null`),
		"no keys":               []byte(`{}`),
		"keys empty":            []byte(`{"keys":[]}`),
		"keys not an array":     []byte(`{"keys":{}}`),
		"key not an object":     []byte(`{"keys":["x"]}`),
		"duplicate kid":         []byte(`{"keys":[` + dup + `,` + dup + `]}`),
		"duplicate member":      []byte(strings.Replace(vf.Recipient.JWKS, `"use":"enc"`, `"use":"enc","use":"sig"`, 1)),
		"duplicate keys member": []byte(`{"keys":[],"keys":` + vf.Recipient.JWKS[8:]),
		"invalid UTF-8":         []byte(strings.Replace(vf.Recipient.JWKS, `"enc"`, "\"enc\xff\"", 1)),
		"trailing data":         []byte(vf.Recipient.JWKS + `{}`),
		"too deep":              []byte(`{"keys":[{"a":{"b":[1]}}]}`),
		"private key d":         jwksWith(t, func(m map[string]any) { m["d"] = b64.EncodeToString(vectorRecipientD) }),
		"d null":                jwksWith(t, func(m map[string]any) { m["d"] = nil }),
		"kty EC":                jwksWith(t, func(m map[string]any) { m["kty"] = "EC" }),
		"kty missing":           jwksWith(t, func(m map[string]any) { delete(m, "kty") }),
		"crv Ed25519":           jwksWith(t, func(m map[string]any) { m["crv"] = "Ed25519" }),
		"crv X448":              jwksWith(t, func(m map[string]any) { m["crv"] = "X448" }),
		"crv lower case":        jwksWith(t, func(m map[string]any) { m["crv"] = "x25519" }),
		"use sig":               jwksWith(t, func(m map[string]any) { m["use"] = "sig" }),
		"kid missing":           jwksWith(t, func(m map[string]any) { delete(m, "kid") }),
		"kid of another key":    jwksWith(t, func(m map[string]any) { m["kid"] = other.kid }),
		"kid a number":          jwksWith(t, func(m map[string]any) { m["kid"] = 7 }),
		"x missing":             jwksWith(t, func(m map[string]any) { delete(m, "x") }),
		"x of 31 bytes":         jwksWith(t, func(m map[string]any) { m["x"] = b64.EncodeToString(x[:31]); m["kid"] = thumbprint(x[:31]) }),
		"x of 33 bytes":         jwksWith(t, func(m map[string]any) { m["x"] = b64.EncodeToString(append(x, 0)); m["kid"] = thumbprint(append(x, 0)) }),
		"x with padding":        jwksWith(t, func(m map[string]any) { m["x"] = b64.EncodeToString(x) + "=" }),
		"x in standard base64":  jwksWith(t, func(m map[string]any) { m["x"] = stdB64(x) }),
		"x non-canonical tail":  jwksWith(t, func(m map[string]any) { m["x"] = nonCanonicalTail(b64.EncodeToString(x)) }),
		"x with top bit set": jwksWith(t, func(m map[string]any) {
			h := append([]byte(nil), x...)
			h[31] |= 0x80
			m["x"] = b64.EncodeToString(h)
			m["kid"] = thumbprint(h)
		}),
	}
	for i, lo := range lowOrderX25519 {
		lo := lo
		bad[fmt.Sprintf("low-order x %d", i)] = jwksWith(t, func(m map[string]any) { m["x"] = b64.EncodeToString(lo); m["kid"] = thumbprint(lo) })
	}
	many := make([]string, maxKeys+1)
	for i := range many {
		many[i] = dup
	}
	bad["65 keys"] = []byte(`{"keys":[` + strings.Join(many, ",") + `]}`)
	bad["over 64 KiB"] = []byte(`{"keys":[` + dup + `],"pad":"` + strings.Repeat("a", 64<<10) + `"}`)
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			p, err := ParsePublicKeySet(in)
			if !errors.Is(err, ErrInvalidKeySet) {
				t.Fatalf("ParsePublicKeySet = %v, want ErrInvalidKeySet", err)
			}
			if testing.Verbose() {
				t.Log(err)
			}
			if p != nil {
				t.Errorf("ParsePublicKeySet returned a key set with its error")
			}
			if d := b64.EncodeToString(vectorRecipientD); strings.Contains(err.Error(), d) {
				t.Errorf("error message contains the private key")
			}
		})
	}
}

func stdB64(b []byte) string {
	s := b64.EncodeToString(b)
	return strings.NewReplacer("-", "+", "_", "/").Replace(s)
}

func TestParseKeySet(t *testing.T) {
	ks := vectorKeySet(t)
	k := ks.keys[0]
	base := func() map[string]any {
		return map[string]any{"kty": "OKP", "crv": "X25519", "use": "enc", "kid": k.kid, "x": b64.EncodeToString(k.x),
			"d": b64.EncodeToString(k.d), "status": "primary", "created": "2026-01-01T00:00:00Z"}
	}
	other := mustKey(t, vectorOtherD, statusEnabled)
	otherJWK := map[string]any{"kty": "OKP", "crv": "X25519", "kid": other.kid, "x": b64.EncodeToString(other.x),
		"d": b64.EncodeToString(other.d), "status": "retired", "created": "2025-01-01T00:00:00Z", "retired": "2026-01-01T01:00:00Z"}
	file := func(keys ...map[string]any) []byte {
		ks := make([]any, len(keys))
		for i := range keys {
			ks[i] = keys[i]
		}
		b, err := json.Marshal(map[string]any{"keys": ks})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	with := func(edit func(m map[string]any)) []byte { m := base(); edit(m); return file(m) }

	good, err := ParseKeySet(file(base(), otherJWK))
	if err != nil {
		t.Fatalf("ParseKeySet(valid file) = %v", err)
	}
	if got, want := statuses(good), "primary,retired"; got != want {
		t.Errorf("statuses = %s, want %s", got, want)
	}
	if got, want := good.Keys()[1].Retired, time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Retired = %v, want %v", got, want)
	}
	if _, err := ParseKeySet(with(func(m map[string]any) { delete(m, "use") })); err != nil {
		t.Errorf("ParseKeySet without use = %v, want success", err)
	}

	bad := map[string][]byte{
		"no primary": with(func(m map[string]any) { m["status"] = "enabled" }),
		"two primaries": file(base(), func() map[string]any {
			m := otherJWK
			c := map[string]any{}
			for k, v := range m {
				c[k] = v
			}
			c["status"] = "primary"
			delete(c, "retired")
			return c
		}()),
		"duplicate key":         file(base(), base()),
		"unknown member":        with(func(m map[string]any) { m["note"] = "x" }),
		"unknown top-level":     []byte(`{"keys":` + strings.TrimPrefix(string(file(base())), `{"keys":`)[:len(string(file(base())))-len(`{"keys":`)-1] + `,"v":1}`),
		"no d":                  with(func(m map[string]any) { delete(m, "d") }),
		"d of 31 bytes":         with(func(m map[string]any) { m["d"] = b64.EncodeToString(k.d[:31]) }),
		"d not canonical":       with(func(m map[string]any) { m["d"] = nonCanonicalTail(b64.EncodeToString(k.d)) }),
		"x not of d":            with(func(m map[string]any) { m["x"] = b64.EncodeToString(other.x); m["kid"] = other.kid }),
		"kid not of x":          with(func(m map[string]any) { m["kid"] = other.kid }),
		"status unknown":        with(func(m map[string]any) { m["status"] = "disabled" }),
		"status missing":        with(func(m map[string]any) { delete(m, "status") }),
		"created missing":       with(func(m map[string]any) { delete(m, "created") }),
		"created not UTC":       with(func(m map[string]any) { m["created"] = "2026-01-01T01:00:00+01:00" }),
		"created with fraction": with(func(m map[string]any) { m["created"] = "2026-01-01T00:00:00.5Z" }),
		"created a number":      with(func(m map[string]any) { m["created"] = 1767225600 }),
		"retired on a primary":  with(func(m map[string]any) { m["retired"] = "2026-01-01T00:00:00Z" }),
		"retired key, no time": file(base(), func() map[string]any {
			c := map[string]any{}
			for k, v := range otherJWK {
				c[k] = v
			}
			delete(c, "retired")
			return c
		}()),
		"duplicate member": bytes.Replace(file(base()), []byte(`"status":"primary"`), []byte(`"status":"retired","status":"primary"`), 1),
		"public key set":   []byte(mustJSON(t, ks.Public())),
		"over 256 KiB":     append(file(base())[:1], append([]byte(`"pad":"`+strings.Repeat("a", 256<<10)+`",`), file(base())[1:]...)...),
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			got, err := ParseKeySet(in)
			if !errors.Is(err, ErrInvalidKeySet) {
				t.Fatalf("ParseKeySet = %v, want ErrInvalidKeySet", err)
			}
			if testing.Verbose() {
				t.Log(err)
			}
			if got != nil {
				t.Errorf("ParseKeySet returned a key set with its error")
			}
			for _, d := range []string{b64.EncodeToString(k.d), b64.EncodeToString(other.d)} {
				if strings.Contains(err.Error(), d) {
					t.Errorf("error message contains a private key")
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v json.Marshaler) string {
	t.Helper()
	b, err := v.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestZeroKeySet(t *testing.T) {
	var ks KeySet
	if _, err := ks.MarshalPrivate(); !errors.Is(err, ErrInvalidKeySet) {
		t.Errorf("MarshalPrivate of an empty set = %v, want ErrInvalidKeySet", err)
	}
	if _, err := Seal(ks.Public(), testCard, SealOptions{MerchantID: "m_demo", Now: testNow}); !errors.Is(err, ErrInvalidKeySet) {
		t.Errorf("Seal to an empty set = %v, want ErrInvalidKeySet", err)
	}
	kid, err := ks.Rotate()
	if err != nil {
		t.Fatalf("Rotate on an empty set = %v", err)
	}
	if got := ks.Keys(); len(got) != 1 || got[0].KeyID != kid || got[0].Status != "primary" {
		t.Errorf("after Rotate on an empty set, Keys() = %+v, want one primary %s", got, kid)
	}
}
