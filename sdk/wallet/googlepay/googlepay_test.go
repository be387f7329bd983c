package googlepay

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay/googlepaytest"
)

// The tests below make their tokens with googlepaytest, a stand-in for
// Google written from Google's spec without this package's code.

const (
	testMerchant = "m_shop"       // the Sealpay merchant id
	testGoogleID = "BCR2DN4TTEST" // the Google merchant id
	otherGoogle  = "BCR2DN4TOTHER"
)

var testNow = time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)

type world struct {
	g    *googlepaytest.Google
	ks   *KeySet
	pub  []byte // the merchant's primary public key, uncompressed
	r    *Recipient
	now  time.Time
	exp  time.Time // a message expiry in the future
	kexp time.Time // an intermediate key expiry in the future
}

func newWorld(t testing.TB) *world {
	t.Helper()
	g, err := googlepaytest.New()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{g: g, ks: NewKeySet(), now: testNow, exp: testNow.Add(time.Hour), kexp: testNow.Add(24 * time.Hour)}
	if _, err := w.ks.Add(testMerchant); err != nil {
		t.Fatal(err)
	}
	w.pub, _ = base64.StdEncoding.DecodeString(w.ks.PublicKey(testMerchant))
	w.r = w.recipient(t, g.RootKeysJSON(testNow.Add(365*24*time.Hour)))
	return w
}

func (w *world) recipient(t testing.TB, rootsJSON []byte) *Recipient {
	t.Helper()
	roots, err := ParseRootKeys(Test, rootsJSON)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRecipient(Config{RootKeys: roots, MerchantID: testGoogleID, Keys: w.ks, KeyOwner: testMerchant,
		OtherMerchantIDs: []string{otherGoogle}, Now: func() time.Time { return w.now }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func panOnly() googlepaytest.Payment {
	return googlepaytest.Payment{PAN: "4111111111111111", ExpMonth: 12, ExpYear: 2030, AuthMethod: "PAN_ONLY"}
}

func cryptogram3DS() googlepaytest.Payment {
	return googlepaytest.Payment{PAN: "5555555555554444", ExpMonth: 11, ExpYear: 2031, AuthMethod: "CRYPTOGRAM_3DS",
		Cryptogram: "AgAAAAAABk4DWZ4C28yUQAAAAAA=", ECI: "02"}
}

// seal makes a token of message for the merchant's primary key.
func (w *world) seal(t testing.TB, message []byte, recipient string, keyExp time.Time) *googlepaytest.Token {
	t.Helper()
	tok, err := w.g.Seal(w.pub, recipient, message, keyExp)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (w *world) good(t testing.TB, p googlepaytest.Payment) *googlepaytest.Token {
	return w.seal(t, googlepaytest.Message(p, "msg-1", w.exp), "merchant:"+testGoogleID, w.kexp)
}

func TestOpen(t *testing.T) {
	w := newWorld(t)
	for _, p := range []googlepaytest.Payment{panOnly(), cryptogram3DS()} {
		t.Run(p.AuthMethod, func(t *testing.T) {
			got, err := w.r.Open([]byte(w.good(t, p).JSON()))
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			want := wallet.Payment{Wallet: wallet.GooglePay, Number: p.PAN, ExpMonth: p.ExpMonth, ExpYear: p.ExpYear,
				AuthMethod: wallet.AuthMethod(p.AuthMethod), Cryptogram: p.Cryptogram, ECI: p.ECI, MessageID: "msg-1", Expires: w.exp}
			if *got != want {
				t.Errorf("Open = %v, want %v", got, want)
			}
		})
	}
}

// TestExpiryBoundaries checks each expiry exactly at, one ms before and
// one ms after the clock: a time is valid while now < its expiry.
func TestExpiryBoundaries(t *testing.T) {
	w := newWorld(t)
	for _, d := range []struct {
		name string
		off  time.Duration
		ok   bool
	}{{"one ms before", -time.Millisecond, false}, {"exactly at", 0, false}, {"one ms after", time.Millisecond, true}} {
		t.Run("keyExpiration "+d.name, func(t *testing.T) {
			tok := w.seal(t, googlepaytest.Message(panOnly(), "m", w.exp), "merchant:"+testGoogleID, w.now.Add(d.off))
			_, err := w.r.Open([]byte(tok.JSON()))
			if d.ok != (err == nil) || (!d.ok && !errors.Is(err, ErrKeyExpired)) {
				t.Errorf("Open = %v, want ok=%v or ErrKeyExpired", err, d.ok)
			}
		})
		t.Run("messageExpiration "+d.name, func(t *testing.T) {
			tok := w.seal(t, googlepaytest.Message(panOnly(), "m", w.now.Add(d.off)), "merchant:"+testGoogleID, w.kexp)
			_, err := w.r.Open([]byte(tok.JSON()))
			if d.ok != (err == nil) || (!d.ok && !errors.Is(err, ErrMessageExpired)) {
				t.Errorf("Open = %v, want ok=%v or ErrMessageExpired", err, d.ok)
			}
		})
		t.Run("root keyExpiration "+d.name, func(t *testing.T) {
			r := w.recipient(t, w.g.RootKeysJSON(w.now.Add(d.off)))
			_, err := r.Open([]byte(w.good(t, panOnly()).JSON()))
			if d.ok != (err == nil) || (!d.ok && !errors.Is(err, ErrBadSignature)) {
				t.Errorf("Open = %v, want ok=%v or ErrBadSignature (no unexpired root)", err, d.ok)
			}
		})
	}
}

// TestTamper changes each field of a good token, with and without
// signing it again, and checks the error class.
func TestTamper(t *testing.T) {
	w := newWorld(t)
	flipB64 := func(s string) string {
		b, _ := base64.StdEncoding.DecodeString(s)
		b[len(b)/2] ^= 1
		return base64.StdEncoding.EncodeToString(b)
	}
	editSM := func(member string, f func(string) string) func(*googlepaytest.Token) {
		return func(tk *googlepaytest.Token) {
			var sm map[string]string
			json.Unmarshal([]byte(tk.SignedMessage), &sm)
			sm[member] = f(sm[member])
			b, _ := json.Marshal(sm)
			tk.SignedMessage = string(b)
		}
	}
	other, _ := googlepaytest.New()
	for _, tc := range []struct {
		name   string
		edit   func(*googlepaytest.Token)
		resign bool
		want   error
	}{
		{"protocolVersion", func(tk *googlepaytest.Token) { tk.ProtocolVersion = "ECv1" }, false, ErrMalformed},
		{"protocolVersion re-signed", func(tk *googlepaytest.Token) { tk.ProtocolVersion = "ECv3" }, true, ErrMalformed},
		{"signature", func(tk *googlepaytest.Token) { tk.Signature = flipB64(tk.Signature) }, false, ErrBadSignature},
		{"signedKey", func(tk *googlepaytest.Token) {
			tk.SignedKey = strings.Replace(tk.SignedKey, `"keyExpiration":"`, `"keyExpiration":"9`, 1)
		}, false, ErrBadSignature},
		{"intermediate key signature", func(tk *googlepaytest.Token) { tk.KeySignatures[0] = flipB64(tk.KeySignatures[0]) }, false, ErrBadSignature},
		{"signedMessage", func(tk *googlepaytest.Token) { tk.SignedMessage += " " }, false, ErrBadSignature},
		{"recipient, unknown", func(tk *googlepaytest.Token) { tk.RecipientID = "merchant:NOBODY" }, true, ErrBadSignature},
		{"recipient, another merchant", func(tk *googlepaytest.Token) { tk.RecipientID = "merchant:" + otherGoogle }, true, ErrWrongRecipient},
		{"recipient, gateway", func(tk *googlepaytest.Token) { tk.RecipientID = "gateway:" + testGoogleID }, true, ErrBadSignature},
		{"encryptedMessage re-signed", editSM("encryptedMessage", flipB64), true, ErrUnknownKey},
		{"tag re-signed", editSM("tag", flipB64), true, ErrUnknownKey},
		{"ephemeralPublicKey re-signed", editSM("ephemeralPublicKey", flipB64), true, ErrMalformed},
		{"ephemeralPublicKey compressed", editSM("ephemeralPublicKey", func(s string) string {
			b, _ := base64.StdEncoding.DecodeString(s)
			return base64.StdEncoding.EncodeToString(append([]byte{2 + b[64]&1}, b[1:33]...))
		}), true, ErrMalformed},
		{"signed by another root", func(tk *googlepaytest.Token) {
			(&googlepaytest.Google{Root: other.Root, Intermediate: w.g.Intermediate}).Sign(tk)
		}, false, ErrBadSignature},
		{"intermediate key swapped", func(tk *googlepaytest.Token) {
			tk.SignedKey = strings.Replace(tk.SignedKey, googlepaytest.SPKI(&w.g.Intermediate.PublicKey), googlepaytest.SPKI(&other.Intermediate.PublicKey), 1)
			sig := tk.Signature
			w.g.Sign(tk) // the root signs the swapped key; the message keeps the old signature
			tk.Signature = sig
		}, false, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := w.good(t, cryptogram3DS())
			tc.edit(tk)
			if tc.resign {
				w.g.Sign(tk)
			}
			_, err := w.r.Open([]byte(tk.JSON()))
			if !errors.Is(err, tc.want) {
				t.Errorf("Open = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestMalformed checks tokens that are not of the token's shape.
func TestMalformed(t *testing.T) {
	w := newWorld(t)
	good := w.good(t, panOnly())
	var outer map[string]any
	json.Unmarshal([]byte(good.JSON()), &outer)
	with := func(f func(m map[string]any)) string {
		b, _ := json.Marshal(outer)
		var m map[string]any
		json.Unmarshal(b, &m)
		f(m)
		b, _ = json.Marshal(m)
		return string(b)
	}
	isk := func(m map[string]any) map[string]any { return m["intermediateSigningKey"].(map[string]any) }
	for _, tc := range []struct {
		name, tok string
	}{
		{"empty", ""},
		{"not JSON", "protocolVersion=ECv2"},
		{"array", "[" + good.JSON() + "]"},
		{"trailing data", good.JSON() + "{}"},
		{"invalid UTF-8", strings.Replace(good.JSON(), `"ECv2"`, "\"ECv2\xff\"", 1)},
		{"duplicate signedMessage", strings.Replace(good.JSON(), `"protocolVersion"`, `"signedMessage":"{}","protocolVersion"`, 1)},
		// encoding/json matches member names case-insensitively: a second
		// spelling is a duplicate too.
		{"duplicate signedMessage in another case", strings.Replace(good.JSON(), `"protocolVersion"`, `"SIGNEDMESSAGE":"{}","protocolVersion"`, 1)},
		{"duplicate signedMessage with a long s", strings.Replace(good.JSON(), `"protocolVersion"`, `"\u017fignedMessage":"{}","protocolVersion"`, 1)},
		{"oversized", good.JSON() + strings.Repeat(" ", MaxTokenSize)},
		{"no protocolVersion", with(func(m map[string]any) { delete(m, "protocolVersion") })},
		{"no signature", with(func(m map[string]any) { delete(m, "signature") })},
		{"no signedMessage", with(func(m map[string]any) { delete(m, "signedMessage") })},
		{"no intermediateSigningKey", with(func(m map[string]any) { delete(m, "intermediateSigningKey") })},
		{"no key signatures", with(func(m map[string]any) { isk(m)["signatures"] = []string{} })},
		{"nine key signatures", with(func(m map[string]any) { isk(m)["signatures"] = make([]string, 9) })},
		{"signature not a string", with(func(m map[string]any) { m["signature"] = 7 })},
		{"signature not base64", with(func(m map[string]any) { m["signature"] = "!!" })},
		{"signedKey not JSON", with(func(m map[string]any) { isk(m)["signedKey"] = "keyValue" })},
		{"signedKey without keyValue", with(func(m map[string]any) { isk(m)["signedKey"] = `{"keyExpiration":"1"}` })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.r.Open([]byte(tc.tok))
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Open = %v, want ErrMalformed", err)
			}
		})
	}
	// A signed key whose keyExpiration is not milliseconds.
	for _, exp := range []string{"x1", "-1", "01", "1.5", "99999999999999999"} {
		tk := w.good(t, panOnly())
		tk.SignedKey = strings.Replace(tk.SignedKey, `"keyExpiration":"`, `"keyExpiration":"`+exp+`",  "x":"`, 1)
		w.g.Sign(tk)
		if _, err := w.r.Open([]byte(tk.JSON())); !errors.Is(err, ErrMalformed) {
			t.Errorf("keyExpiration %q: Open = %v, want ErrMalformed", exp, err)
		}
	}
	// Signed, well-formed tokens whose signedMessage is not.
	for _, tc := range []struct{ name, sm string }{
		{"signedMessage not JSON", "hello"},
		{"no tag", `{"encryptedMessage":"AAAA","ephemeralPublicKey":"AAAA"}`},
		{"bad base64", `{"encryptedMessage":"!!","ephemeralPublicKey":"AAAA","tag":"AAAA"}`},
		{"short ephemeral key", `{"encryptedMessage":"AAAA","ephemeralPublicKey":"BAAA","tag":"` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := w.good(t, panOnly())
			tk.SignedMessage = tc.sm
			w.g.Sign(tk)
			if _, err := w.r.Open([]byte(tk.JSON())); !errors.Is(err, ErrMalformed) {
				t.Errorf("Open = %v, want ErrMalformed", err)
			}
		})
	}
}

// TestNotAPayment checks decrypted contents that are not a card payment.
func TestNotAPayment(t *testing.T) {
	w := newWorld(t)
	msg := func(f func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(googlepaytest.Message(cryptogram3DS(), "msg", w.exp), &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	details := func(m map[string]any) map[string]any { return m["paymentMethodDetails"].(map[string]any) }
	for _, tc := range []struct {
		name string
		msg  []byte
	}{
		{"not JSON", []byte("plaintext")},
		{"no messageExpiration", msg(func(m map[string]any) { delete(m, "messageExpiration") })},
		{"no messageId", msg(func(m map[string]any) { delete(m, "messageId") })},
		{"paymentMethod", msg(func(m map[string]any) { m["paymentMethod"] = "TOKENIZED_CARD" })},
		{"pan with letters", msg(func(m map[string]any) { details(m)["pan"] = "4111x11111111111" })},
		{"pan too short", msg(func(m map[string]any) { details(m)["pan"] = "41111111111" })},
		{"month 13", msg(func(m map[string]any) { details(m)["expirationMonth"] = 13 })},
		{"month as string", msg(func(m map[string]any) { details(m)["expirationMonth"] = "12" })},
		{"authMethod", msg(func(m map[string]any) { details(m)["authMethod"] = "3DS" })},
		{"no cryptogram", msg(func(m map[string]any) { delete(details(m), "cryptogram") })},
		{"cryptogram not base64", msg(func(m map[string]any) { details(m)["cryptogram"] = "not base64!" })},
		// 256 base64 characters: one more than the vault keeps.
		{"cryptogram too long", msg(func(m map[string]any) { details(m)["cryptogram"] = strings.Repeat("A", 256) })},
		{"eci not digits", msg(func(m map[string]any) { details(m)["eciIndicator"] = "5x" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := w.seal(t, tc.msg, "merchant:"+testGoogleID, w.kexp)
			if _, err := w.r.Open([]byte(tk.JSON())); !errors.Is(err, ErrDecrypt) {
				t.Errorf("Open = %v, want ErrDecrypt", err)
			}
		})
	}
}

// TestKeyRotation: every enabled key of the merchant decrypts; retired
// keys and other merchants' keys do not.
func TestKeyRotation(t *testing.T) {
	w := newWorld(t)
	oldPub := w.pub
	kid, err := w.ks.Add(testMerchant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ks.Add("m_other"); err != nil {
		t.Fatal(err)
	}
	otherPub, _ := base64.StdEncoding.DecodeString(w.ks.PublicKey("m_other"))
	if err := w.ks.Promote(kid); err != nil {
		t.Fatal(err)
	}
	newPub, _ := base64.StdEncoding.DecodeString(w.ks.PublicKey(testMerchant))
	open := func(pub []byte) error {
		r := w.recipient(t, w.g.RootKeysJSON(w.kexp))
		tk, err := w.g.Seal(pub, "merchant:"+testGoogleID, googlepaytest.Message(panOnly(), "m", w.exp), w.kexp)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Open([]byte(tk.JSON()))
		return err
	}
	if err := open(newPub); err != nil {
		t.Errorf("new primary: Open = %v", err)
	}
	if err := open(oldPub); err != nil {
		t.Errorf("old key, still enabled: Open = %v", err)
	}
	if err := open(otherPub); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("another merchant's key: Open = %v, want ErrUnknownKey", err)
	}
	for _, k := range w.ks.Keys() {
		if k.Merchant == testMerchant && k.KeyID != kid {
			if err := w.ks.Retire(k.KeyID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := open(oldPub); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("retired key: Open = %v, want ErrUnknownKey", err)
	}
	// The set survives its file.
	b, err := w.ks.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	ks2, err := ParseKeySet(b)
	if err != nil {
		t.Fatal(err)
	}
	if ks2.PublicKey(testMerchant) != w.ks.PublicKey(testMerchant) || len(ks2.Keys()) != 3 {
		t.Error("ParseKeySet(MarshalPrivate()) lost keys or the primary")
	}
	if strings.Contains(w.ks.String(), `"d"`) {
		t.Error("KeySet.String shows key material")
	}
}

func TestParseKeySetErrors(t *testing.T) {
	ks := NewKeySet()
	ks.Add("m")
	b, _ := ks.MarshalPrivate()
	good := string(b)
	var doc struct{ Keys []map[string]string }
	json.Unmarshal(b, &doc)
	k := doc.Keys[0]
	mut := func(f func(m map[string]string)) string {
		m := map[string]string{}
		for a, v := range k {
			m[a] = v
		}
		f(m)
		b, _ := json.Marshal(map[string]any{"keys": []map[string]string{m}})
		return string(b)
	}
	d, _ := base64.RawURLEncoding.DecodeString(k["d"])
	d[31] ^= 1
	for _, tc := range []struct{ name, file string }{
		{"not JSON", "keys"},
		{"unknown member", strings.Replace(good, `"kty"`, `"alg":"x","kty"`, 1)},
		{"kty", mut(func(m map[string]string) { m["kty"] = "OKP" })},
		{"no mid", mut(func(m map[string]string) { delete(m, "mid") })},
		{"status", mut(func(m map[string]string) { m["status"] = "active" })},
		{"d not base64url", mut(func(m map[string]string) { m["d"] = "!!" })},
		{"d of another key", mut(func(m map[string]string) { m["d"] = base64.RawURLEncoding.EncodeToString(d) })},
		{"kid", mut(func(m map[string]string) { m["kid"] = "k" })},
		{"no primary", mut(func(m map[string]string) { m["status"] = "enabled" })},
		{"twice", strings.Replace(good, "}\n  ]", "},"+mut(func(map[string]string) {})[9:len(mut(func(map[string]string) {}))-2]+"]", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseKeySet([]byte(tc.file)); err == nil {
				t.Error("ParseKeySet = nil error")
			} else if strings.Contains(err.Error(), k["d"]) {
				t.Error("the error shows the private key")
			}
		})
	}
}

func TestParseRootKeys(t *testing.T) {
	g, _ := googlepaytest.New()
	spki := googlepaytest.SPKI(&g.Root.PublicKey)
	for _, tc := range []struct {
		name string
		env  Environment
		file string
		ok   bool
	}{
		{"good", Production, string(g.RootKeysJSON(testNow)), true},
		{"ECv1 keys skipped", Test, `{"keys":[{"keyValue":"x","protocolVersion":"ECv1"},{"keyValue":"` + spki + `","protocolVersion":"ECv2","keyExpiration":"1"}]}`, true},
		{"environment", "SANDBOX", string(g.RootKeysJSON(testNow)), false},
		{"not JSON", Test, "keys", false},
		{"only ECv1", Test, `{"keys":[{"keyValue":"x","protocolVersion":"ECv1"}]}`, false},
		{"no keyExpiration", Test, `{"keys":[{"keyValue":"` + spki + `","protocolVersion":"ECv2"}]}`, false},
		{"keyValue not a key", Test, `{"keys":[{"keyValue":"AAAA","protocolVersion":"ECv2","keyExpiration":"1"}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRootKeys(tc.env, []byte(tc.file))
			if (err == nil) != tc.ok {
				t.Errorf("ParseRootKeys = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestSigningOnly checks ECv2SigningOnly, with Tink's published signing
// keys for it (testdata/tink_keys.json): the message is signed, not
// encrypted, and needs no merchant key.
func TestSigningOnly(t *testing.T) {
	k := loadTinkKeys(t)
	g := &googlepaytest.Google{Root: pkcs8(t, k.SigningOnlyRootPrivate), Intermediate: pkcs8(t, k.SigningOnlyIntermediatePriv)}
	if googlepaytest.SPKI(&g.Intermediate.PublicKey) != k.SigningOnlyIntermediatePub || googlepaytest.SPKI(&g.Root.PublicKey) != k.SigningOnlyRootPublic {
		t.Fatal("Tink's ECv2SigningOnly key pairs do not match")
	}
	roots := rootKeysJSON([3]string{k.SigningOnlyRootPublic, ECv2SigningOnly, "32506264800000"}, [3]string{k.RootPublic, ECv2, "32506264800000"})
	rk, err := ParseRootKeys(Test, roots)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRecipient(Config{RootKeys: rk, MerchantID: testGoogleID, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	msg := `{"messageExpiration":"` + googlepaytest.Millis(testNow.Add(time.Minute)) + `","messageId":"m","paymentMethod":"NONE"}`
	tk := &googlepaytest.Token{ProtocolVersion: ECv2SigningOnly, RecipientID: "merchant:" + testGoogleID, SignedMessage: msg,
		SignedKey: `{"keyValue":"` + k.SigningOnlyIntermediatePub + `","keyExpiration":"` + googlepaytest.Millis(testNow.Add(time.Hour)) + `"}`}
	if err := g.Sign(tk); err != nil {
		t.Fatal(err)
	}
	got, err := r.VerifySigningOnly([]byte(tk.JSON()))
	if err != nil || string(got) != msg {
		t.Fatalf("VerifySigningOnly = %q, %v; want the message", got, err)
	}
	// Open refuses it (no ECv2 token), and an ECv2 root does not sign it.
	if _, err := r.Open([]byte(tk.JSON())); !errors.Is(err, ErrMalformed) {
		t.Errorf("Open of a signing-only token = %v, want ErrMalformed", err)
	}
	ecv2 := &googlepaytest.Google{Root: pkcs8(t, k.RootPrivate), Intermediate: g.Intermediate}
	ecv2.Sign(tk)
	if _, err := r.VerifySigningOnly([]byte(tk.JSON())); !errors.Is(err, ErrBadSignature) {
		t.Errorf("signing-only token signed by the ECv2 root = %v, want ErrBadSignature", err)
	}
	g.Sign(tk)
	if _, err := r.VerifySigningOnly([]byte(strings.Replace(tk.JSON(), `paymentMethod`, `paymentmethod`, 1))); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered signing-only token = %v, want ErrBadSignature", err)
	}
}

// TestTinkSenderKeys seals with Tink's ECv2 signing keys and merchant key
// (testdata/tink_keys.json) through the stand-in, and opens the result
// with the Tink merchant private key.
func TestTinkSenderKeys(t *testing.T) {
	k := loadTinkKeys(t)
	g := &googlepaytest.Google{Root: pkcs8(t, k.RootPrivate), Intermediate: pkcs8(t, k.IntermediatePrivate)}
	ks := NewKeySet()
	if _, err := ks.AddKey(testMerchant, ecdhKey(t, k.MerchantPrivate)); err != nil {
		t.Fatal(err)
	}
	pub, _ := base64.StdEncoding.DecodeString(k.MerchantPublic)
	tk, err := g.Seal(pub, "merchant:"+testGoogleID, googlepaytest.Message(cryptogram3DS(), "tink", testNow.Add(time.Hour)), testNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	roots, _ := ParseRootKeys(Test, rootKeysJSON([3]string{k.RootPublic, ECv2, "32506264800000"}))
	r, _ := NewRecipient(Config{RootKeys: roots, MerchantID: testGoogleID, Keys: ks, KeyOwner: testMerchant, Now: func() time.Time { return testNow }})
	p, err := r.Open([]byte(tk.JSON()))
	if err != nil || p.Cryptogram != cryptogram3DS().Cryptogram {
		t.Fatalf("Open = %v, %v", p, err)
	}
}

func TestNoMerchantKey(t *testing.T) {
	w := newWorld(t)
	roots, _ := ParseRootKeys(Test, w.g.RootKeysJSON(w.kexp))
	r, _ := NewRecipient(Config{RootKeys: roots, MerchantID: testGoogleID, Keys: w.ks, KeyOwner: "m_nobody", Now: func() time.Time { return w.now }})
	if _, err := r.Open([]byte(w.good(t, panOnly()).JSON())); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open without a merchant key = %v, want ErrUnknownKey", err)
	}
	if _, err := NewRecipient(Config{MerchantID: "x"}); err == nil {
		t.Error("NewRecipient without root keys = nil error")
	}
	if _, err := NewRecipient(Config{RootKeys: roots}); err == nil {
		t.Error("NewRecipient without a merchant id = nil error")
	}
}

// TestErrorsHoldNoSecrets checks that no error message shows the number
// or the cryptogram.
func TestErrorsHoldNoSecrets(t *testing.T) {
	w := newWorld(t)
	p := cryptogram3DS()
	for _, tk := range []*googlepaytest.Token{
		w.seal(t, googlepaytest.Message(p, "m", w.now), "merchant:"+testGoogleID, w.kexp),
		w.seal(t, googlepaytest.Message(p, "m", w.exp), "merchant:"+otherGoogle, w.kexp),
	} {
		_, err := w.r.Open([]byte(tk.JSON()))
		if err == nil || strings.Contains(err.Error(), p.PAN) || strings.Contains(err.Error(), p.Cryptogram) {
			t.Errorf("error %q: want an error without the number or cryptogram", errClass(err))
		}
	}
}

func errClass(err error) string {
	for _, e := range []error{ErrMalformed, ErrBadSignature, ErrKeyExpired, ErrMessageExpired, ErrWrongRecipient, ErrUnknownKey, ErrDecrypt} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	if err == nil {
		return "nil"
	}
	return "unclassified"
}

func randomKey(t testing.TB) *ecdh.PrivateKey {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAddKey(t *testing.T) {
	ks := NewKeySet()
	k := randomKey(t)
	if _, err := ks.AddKey("m", k); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.AddKey("m", k); err == nil {
		t.Error("adding a key twice = nil error")
	}
	if _, err := ks.AddKey("", randomKey(t)); err == nil {
		t.Error("a key without a merchant = nil error")
	}
	x, _ := ecdh.X25519().GenerateKey(rand.Reader)
	if _, err := ks.AddKey("m", x); err == nil {
		t.Error("an X25519 key = nil error")
	}
}
