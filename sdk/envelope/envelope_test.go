package envelope

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// testNow is the clock of most tests: cards expiring in 2030 stay valid.
var testNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// testCard is Stripe's published Visa test number.
var testCard = card.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Name: "A. Shopper"}

// lowOrderX25519 are the 32-byte encodings of the X25519 points of order 1,
// 2, 4 and 8 below 2^255: 0, 1, the two points of order 8, p-1, and the
// non-canonical p and p+1 (https://cr.yp.to/ecdh.html#validate). X25519
// ignores the top bit, so the same values with bit 255 set are low order too.
var lowOrderX25519 = func() [][]byte {
	base := []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	}
	var out [][]byte
	for _, s := range base {
		b, _ := hex.DecodeString(s)
		high := append([]byte(nil), b...)
		high[31] |= 0x80
		out = append(out, b, high)
	}
	return out
}()

func newTestKeySet(t testing.TB) *KeySet {
	t.Helper()
	ks, err := GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func mustSeal(t testing.TB, pub *PublicKeySet, c card.Card, opts SealOptions) string {
	t.Helper()
	env, err := Seal(pub, c, opts)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return env
}

func TestSealOpen(t *testing.T) {
	ks := newTestKeySet(t)
	tests := []struct {
		name string
		card card.Card
		opts SealOptions
		open OpenOptions
	}{
		{"merchant and origin pinned", testCard,
			SealOptions{MerchantID: "m_demo", Origin: "https://shop.example", Now: testNow},
			OpenOptions{MerchantID: "m_demo", Origin: "https://shop.example", Now: testNow}},
		{"nothing pinned", testCard,
			SealOptions{MerchantID: "m_demo", Now: testNow},
			OpenOptions{Now: testNow.Add(10 * time.Minute)}},
		{"number with spaces and a two-digit year", card.Card{Number: "4000 0566 5566 5556", ExpMonth: 1, ExpYear: 29},
			SealOptions{MerchantID: "m_demo", TTL: time.Hour, Now: testNow},
			OpenOptions{MerchantID: "m_demo", Now: testNow.Add(time.Hour + 5*time.Minute)}},
		{"shortest TTL", testCard,
			SealOptions{MerchantID: "m:1", TTL: time.Second, Now: testNow},
			OpenOptions{Now: testNow.Add(301 * time.Second)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := mustSeal(t, ks.Public(), tc.card, tc.opts)
			if !strings.HasPrefix(env, "sp1.") || strings.Count(env, ".") != 3 {
				t.Fatalf("Seal returned %d parts, want sp1 and three more", strings.Count(env, ".")+1)
			}
			o, err := Open(ks, env, tc.open)
			if err != nil {
				t.Fatalf("Open = %v, want success", err)
			}
			b, err := json.Marshal(tc.card)
			if err != nil {
				t.Fatal(err)
			}
			want, err := card.Parse(b) // the normalised card
			if err != nil {
				t.Fatal(err)
			}
			if o.Card != want {
				t.Errorf("Open returned %v, want %v", o.Card, want) // String redacts
			}
			ttl := tc.opts.TTL
			if ttl == 0 {
				ttl = 15 * time.Minute
			}
			h := o.Header
			if h.KeyID != ks.Keys()[0].KeyID || h.MerchantID != tc.opts.MerchantID || h.Audience != tc.opts.Origin ||
				!h.IssuedAt.Equal(tc.opts.Now) || !h.ExpiresAt.Equal(tc.opts.Now.Add(ttl)) {
				t.Errorf("Header = %+v, want kid %s, mid %s, aud %q, iat %v, ttl %v", h, ks.Keys()[0].KeyID, tc.opts.MerchantID, tc.opts.Origin, tc.opts.Now, ttl)
			}
			if jti, ok := decodeB64(h.JTI); !ok || len(jti) != 16 {
				t.Errorf("JTI = %q, want canonical B64 of 16 bytes", h.JTI)
			}
		})
	}
}

func TestSealFreshEachTime(t *testing.T) {
	ks := newTestKeySet(t)
	opts := SealOptions{MerchantID: "m_demo", Now: testNow}
	a, b := mustSeal(t, ks.Public(), testCard, opts), mustSeal(t, ks.Public(), testCard, opts)
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i, name := range []string{"header (jti)", "enc", "ciphertext"} {
		if pa[i+1] == pb[i+1] {
			t.Errorf("two seals of one card share their %s", name)
		}
	}
}

func TestSealErrors(t *testing.T) {
	ks := newTestKeySet(t)
	good := SealOptions{MerchantID: "m_demo", Now: testNow}
	with := func(f func(*SealOptions)) SealOptions { o := good; f(&o); return o }
	tests := []struct {
		name string
		pub  *PublicKeySet
		card card.Card
		opts SealOptions
		want error
	}{
		{"nil key set", nil, testCard, good, ErrInvalidKeySet},
		{"empty key set", &PublicKeySet{}, testCard, good, ErrInvalidKeySet},
		{"no merchant", ks.Public(), testCard, with(func(o *SealOptions) { o.MerchantID = "" }), ErrInvalidOptions},
		{"merchant with a space", ks.Public(), testCard, with(func(o *SealOptions) { o.MerchantID = "m demo" }), ErrInvalidOptions},
		{"merchant of 65 characters", ks.Public(), testCard, with(func(o *SealOptions) { o.MerchantID = strings.Repeat("m", 65) }), ErrInvalidOptions},
		{"origin with a quote", ks.Public(), testCard, with(func(o *SealOptions) { o.Origin = `https://a".example` }), ErrInvalidOptions},
		{"origin with non-ASCII", ks.Public(), testCard, with(func(o *SealOptions) { o.Origin = "https://bücher.example" }), ErrInvalidOptions},
		{"TTL over 1 hour", ks.Public(), testCard, with(func(o *SealOptions) { o.TTL = time.Hour + time.Second }), ErrInvalidOptions},
		{"negative TTL", ks.Public(), testCard, with(func(o *SealOptions) { o.TTL = -time.Minute }), ErrInvalidOptions},
		{"sub-second TTL", ks.Public(), testCard, with(func(o *SealOptions) { o.TTL = time.Millisecond }), ErrInvalidOptions},
		{"before 1970", ks.Public(), testCard, with(func(o *SealOptions) { o.Now = time.Unix(-10, 0) }), ErrInvalidOptions},
		{"Luhn failure", ks.Public(), card.Card{Number: "4242424242424241", ExpMonth: 12, ExpYear: 2030}, good, card.ErrInvalidNumber},
		{"letters in the number", ks.Public(), card.Card{Number: "4242 4242 4242 424O", ExpMonth: 12, ExpYear: 2030}, good, card.ErrInvalidNumber},
		{"expiry month 13", ks.Public(), card.Card{Number: "4242424242424242", ExpMonth: 13, ExpYear: 2030}, good, card.ErrInvalidExpiry},
		{"expired card", ks.Public(), card.Card{Number: "4242424242424242", ExpMonth: 1, ExpYear: 2026}, good, card.ErrExpired},
		{"CVC too long", ks.Public(), card.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "1234"}, good, card.ErrInvalidCVC},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, err := Seal(tc.pub, tc.card, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Seal error = %v, want %v", err, tc.want)
			}
			if env != "" {
				t.Errorf("Seal returned an envelope with its error")
			}
			if strings.Contains(err.Error(), tc.card.Number) && tc.card.Number != "" {
				t.Errorf("Seal error contains the card number")
			}
		})
	}
}

// TestOpenErrors covers the bad inputs that the vectors cannot carry:
// key set state, sizes, and every low-order enc.
func TestOpenErrors(t *testing.T) {
	ks := newTestKeySet(t)
	opts := SealOptions{MerchantID: "m_demo", Origin: "https://shop.example", Now: testNow}
	env := mustSeal(t, ks.Public(), testCard, opts)
	parts := strings.Split(env, ".")

	other := newTestKeySet(t)
	sameKid := &PublicKeySet{set: sealer.PublicKeySet{Keys: []sealer.PublicKey{{KeyID: ks.keys[0].kid, X: other.keys[0].x}}}}
	wrongKey := mustSeal(t, sameKid, testCard, opts)

	retired := newTestKeySet(t)
	oldKid := retired.keys[0].kid
	oldEnv := mustSeal(t, retired.Public(), testCard, opts)
	if _, err := retired.Rotate(); err != nil {
		t.Fatal(err)
	}
	if err := retired.Retire(oldKid); err != nil {
		t.Fatal(err)
	}

	type tcase struct {
		name string
		ks   *KeySet
		env  string
		want error
	}
	tests := []tcase{
		{"another key set", other, env, ErrUnknownKey},
		{"nil key set", nil, env, ErrUnknownKey},
		{"retired key", retired, oldEnv, ErrUnknownKey},
		{"sealed to another key under this kid", ks, wrongKey, ErrDecryptFailed},
		{"8193 bytes", ks, "sp1." + strings.Repeat("A", MaxEnvelopeSize-3), ErrInvalidEnvelope},
		{"1 MiB", ks, "sp1." + strings.Repeat("A.", 1<<19), ErrInvalidEnvelope},
		{"only the prefix", ks, "sp1.", ErrInvalidEnvelope},
		{"dots only", ks, "sp1....", ErrInvalidEnvelope},
		{"header nested 2500 deep", ks, "sp1." + b64.EncodeToString([]byte(`{"kid":`+strings.Repeat("[", 2500)+strings.Repeat("]", 2500)+`}`)) + "." + parts[2] + "." + parts[3], ErrInvalidEnvelope},
	}
	for i, lo := range lowOrderX25519 {
		tests = append(tests, tcase{"low-order enc " + strconv.Itoa(i), ks, "sp1." + parts[1] + "." + b64.EncodeToString(lo) + "." + parts[3], ErrDecryptFailed})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.ks, tc.env, OpenOptions{Now: testNow})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "longer than") != (len(tc.env) > MaxEnvelopeSize) {
				t.Errorf("Open of %d bytes = %v: size error iff over %d", len(tc.env), err, MaxEnvelopeSize)
			}
		})
	}

	// The envelope at exactly MaxEnvelopeSize is not refused for its size.
	longest := "sp1." + strings.Repeat("A", MaxEnvelopeSize-4)
	if _, err := Open(ks, longest, OpenOptions{Now: testNow}); !errors.Is(err, ErrInvalidEnvelope) || strings.Contains(err.Error(), "longer than") {
		t.Errorf("Open(%d bytes) = %v, want a shape error, not a size error", len(longest), err)
	}
}

// TestDecryptFailedIsOpaque checks that every decryption failure returns
// the one sentinel itself, with no detail to tell them apart.
func TestDecryptFailedIsOpaque(t *testing.T) {
	vf := loadVectors(t)
	ks := vectorKeySet(t)
	n := 0
	for _, c := range vf.Open {
		if c.Expect != string(errcode.DecryptFailed) {
			continue
		}
		n++
		_, err := Open(ks, c.Envelope, OpenOptions{MerchantID: c.Merchant, Origin: c.Origin, Now: time.Unix(c.Now, 0)})
		if err != ErrDecryptFailed {
			t.Errorf("%s: Open error = %#v, want ErrDecryptFailed itself", c.Name, err)
		}
	}
	if n < 5 {
		t.Fatalf("only %d decrypt_failed vectors", n)
	}
}

func TestOpenTimeWindow(t *testing.T) {
	ks := newTestKeySet(t)
	env := mustSeal(t, ks.Public(), testCard, SealOptions{MerchantID: "m_demo", TTL: 10 * time.Minute, Now: testNow})
	exp := testNow.Add(10 * time.Minute)
	tests := []struct {
		now  time.Time
		want error
	}{
		{testNow.Add(-300 * time.Second), nil},
		{testNow.Add(-301 * time.Second), ErrNotYetValid},
		{testNow.Add(-300*time.Second - time.Nanosecond), ErrNotYetValid}, // Unix seconds round down
		{exp, nil},
		{exp.Add(300 * time.Second), nil},
		{exp.Add(300*time.Second + 999*time.Millisecond), nil},
		{exp.Add(301 * time.Second), ErrExpired},
	}
	for _, tc := range tests {
		_, err := Open(ks, env, OpenOptions{Now: tc.now})
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("Open at iat%+v = %v, want %v", tc.now.Sub(testNow), err, tc.want)
		}
	}
}

// TestOpenCheckOrder checks that Open reports the first failing check when
// several fail at once.
func TestOpenCheckOrder(t *testing.T) {
	ks := newTestKeySet(t)
	env := mustSeal(t, ks.Public(), testCard, SealOptions{MerchantID: "m_demo", Origin: "https://shop.example", Now: testNow})
	late := testNow.Add(2 * time.Hour)
	tampered := env[:len(env)-2] + map[bool]string{true: "AA", false: "BA"}[strings.HasSuffix(env, "BA")]
	tests := []struct {
		name string
		ks   *KeySet
		env  string
		opts OpenOptions
		want error
	}{
		{"unknown key before time", newTestKeySet(t), env, OpenOptions{Now: late, MerchantID: "x"}, ErrUnknownKey},
		{"time before merchant", ks, env, OpenOptions{Now: late, MerchantID: "x", Origin: "y"}, ErrExpired},
		{"merchant before origin", ks, env, OpenOptions{Now: testNow, MerchantID: "x", Origin: "y"}, ErrWrongMerchant},
		{"origin before decryption", ks, tampered, OpenOptions{Now: testNow, Origin: "y"}, ErrWrongOrigin},
		{"decryption", ks, tampered, OpenOptions{Now: testNow}, ErrDecryptFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Open(tc.ks, tc.env, tc.opts); !errors.Is(err, tc.want) {
				t.Errorf("Open error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		err  error
		want errcode.Code
	}{
		{ErrUnsupportedVersion, errcode.UnsupportedVersion},
		{ErrInvalidEnvelope, errcode.InvalidEnvelope},
		{ErrUnknownKey, errcode.UnknownKey},
		{ErrExpired, errcode.EnvelopeExpired},
		{ErrNotYetValid, errcode.EnvelopeNotYetValid},
		{ErrWrongMerchant, errcode.WrongMerchant},
		{ErrWrongOrigin, errcode.WrongOrigin},
		{ErrDecryptFailed, errcode.DecryptFailed},
		{ErrInvalidKeySet, errcode.BadRequest},
		{ErrPrimaryKey, errcode.BadRequest},
		{ErrInvalidOptions, errcode.BadRequest},
	}
	for _, tc := range tests {
		if got := errcode.Of(tc.err); got != tc.want {
			t.Errorf("errcode.Of(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

// TestNoSecretsInErrors opens envelopes that fail after decryption and
// checks that no error message carries card data.
func TestNoSecretsInErrors(t *testing.T) {
	vf := loadVectors(t)
	ks := vectorKeySet(t)
	for _, c := range vf.Open {
		_, err := Open(ks, c.Envelope, OpenOptions{MerchantID: c.Merchant, Origin: c.Origin, Now: time.Unix(c.Now, 0)})
		if err == nil {
			continue
		}
		for _, secret := range []string{"4242424242424241", "4242424242424242", "424242", "A. Shopper", vf.Recipient.D} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error message contains card or key data", c.Name)
			}
		}
	}
}
