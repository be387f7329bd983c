package token

// At-rest construction. See docs/vault.md, "At-rest cryptography".
//
//	data key   32 random bytes per (KEK version, purpose), stored in
//	           vault_keys wrapped by that KEK with
//	           AD = lp("sealpay/vault/v1/data-key") lp(kek id) lp(purpose)
//	card row   0x02 || nonce (24 random bytes) || XChaCha20-Poly1305(seal key,
//	           nonce, padded plaintext, AD = lp("sealpay/vault/v2/card") lp(kek id)
//	           lp(token) lp(merchant) and every clear column of the row, see cardMeta)
//	CVC row    0x02 || window (8 bytes, big-endian) || nonce || XChaCha20-Poly1305(
//	           CVC key of (kek id, window), nonce, padded CVC, AD = lp("sealpay/vault/v2/cvc")
//	           lp(kek id) lp(window) lp(token) lp(merchant) lp(expires_at)); cvckeys.go
//	v1 rows    0x01 || nonce || XChaCha20-Poly1305(seal key, nonce, padded plaintext,
//	           AD = lp(label) lp(kek id) lp(token) lp(merchant)), label
//	           "sealpay/vault/v1/card" or "sealpay/vault/v1/cvc": still opened,
//	           no longer written; Rewrap re-seals v1 cards as v2
//	lp(x)      2-byte big-endian length of x, then x
//
// The fingerprint key is a second data key (purpose "fingerprint") that,
// unlike the sealing key, keeps its bytes across KEK versions: it is
// re-wrapped, never regenerated, so a card's fingerprint survives rotation.

import (
	"context"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/sqlunit"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/chacha20poly1305"
)

// Domain-separation labels. Changing any of them makes every stored row
// unreadable: a new construction gets a new version ("v2") instead.
const (
	labelDataKey     = "sealpay/vault/v1/data-key"
	labelCard        = "sealpay/vault/v1/card"
	labelCVC         = "sealpay/vault/v1/cvc"
	labelFingerprint = "sealpay/vault/v1/fingerprint"
	labelCardV2      = "sealpay/vault/v2/card"
	labelCVCV2       = "sealpay/vault/v2/cvc"
	labelWalletV2    = "sealpay/vault/v2/wallet"

	purposeSeal        = "seal"
	purposeFingerprint = "fingerprint"

	// rowFormat is the first byte of a v1 sealed row, rowFormatV2 of a v2
	// one. The byte is not in the additional data, but the two versions'
	// additional data start with different labels, so a row cannot be
	// passed off as the other version.
	rowFormat   byte = 1
	rowFormatV2 byte = 2

	// Plaintexts are zero-padded to these multiples so that a row's size
	// does not tell the length of the cardholder's name.
	cardPad   = 64
	cvcPad    = 8
	walletPad = 64
)

// lp encodes parts as length-prefixed strings, so that no two different
// lists encode alike. Parts are short (IDs, labels): a part over 65535
// bytes is a programmer error.
func lp(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += 2 + len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		if len(p) > 0xffff {
			panic("sdk: internal error: additional data part too long")
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	return b
}

func dataKeyAD(kekID, purpose string) []byte { return lp(labelDataKey, kekID, purpose) }

// sealRow seals plaintext for one row. The nonce is random: 24 bytes make
// collisions negligible however many rows one data key seals.
func sealRow(aead cipher.AEAD, label, kekID, token, merchant string, plaintext []byte) []byte {
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = rowFormat
	rand.Read(out[1:])
	return aead.Seal(out, out[1:], plaintext, lp(label, kekID, token, merchant))
}

var errOpenRow = errors.New("token: sealed row failed authentication")

func openRow(aead cipher.AEAD, label, kekID, token, merchant string, sealed []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < 1+n+aead.Overhead() || sealed[0] != rowFormat {
		return nil, errOpenRow
	}
	pt, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], lp(label, kekID, token, merchant))
	if err != nil {
		return nil, errOpenRow
	}
	return pt, nil
}

// cardMeta is a card row's clear columns, all bound into the v2 row's
// additional data: editing any of them (turning a single-use token into a
// reusable one, moving an expiry) or swapping rows makes opening fail.
type cardMeta struct {
	token, merchant, brand, last4, fingerprint string
	expMonth, expYear                          int64
	singleUse                                  bool
	created                                    int64
	expires                                    int64 // 0 for NULL (a reusable token)
}

func (m cardMeta) ad(kekID string) []byte {
	single, expires := "0", ""
	if m.singleUse {
		single = "1"
	}
	if m.expires != 0 {
		expires = strconv.FormatInt(m.expires, 10)
	}
	return lp(labelCardV2, kekID, m.token, m.merchant, m.brand, m.last4,
		strconv.FormatInt(m.expMonth, 10), strconv.FormatInt(m.expYear, 10), m.fingerprint,
		single, strconv.FormatInt(m.created, 10), expires)
}

// sealCard seals a v2 card row.
func sealCard(aead cipher.AEAD, kekID string, m cardMeta, plaintext []byte) []byte {
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = rowFormatV2
	rand.Read(out[1:])
	return aead.Seal(out, out[1:], plaintext, m.ad(kekID))
}

// openCard opens a card row of either version.
func openCard(aead cipher.AEAD, kekID string, m cardMeta, sealed []byte) ([]byte, error) {
	if len(sealed) > 0 && sealed[0] == rowFormat {
		return openRow(aead, labelCard, kekID, m.token, m.merchant, sealed)
	}
	n := aead.NonceSize()
	if len(sealed) < 1+n+aead.Overhead() || sealed[0] != rowFormatV2 {
		return nil, errOpenRow
	}
	pt, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], m.ad(kekID))
	if err != nil {
		return nil, errOpenRow
	}
	return pt, nil
}

func cvcAD(kekID string, window int64, token, merchant string, expires int64) []byte {
	return lp(labelCVCV2, kekID, strconv.FormatInt(window, 10), token, merchant, strconv.FormatInt(expires, 10))
}

// sealCVC seals a v2 CVC row under the CVC key of (kekID, window).
func sealCVC(aead cipher.AEAD, kekID string, window int64, token, merchant string, expires int64, plaintext []byte) []byte {
	out := make([]byte, 9+aead.NonceSize(), 9+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = rowFormatV2
	binary.BigEndian.PutUint64(out[1:9], uint64(window))
	rand.Read(out[9:])
	return aead.Seal(out, out[9:], plaintext, cvcAD(kekID, window, token, merchant, expires))
}

// sealWallet seals a wallet row (cryptogram and ECI) like a v2 CVC row,
// under the CVC key of (kekID, window), with its own label:
//
//	wallet row 0x02 || window || nonce || XChaCha20-Poly1305(CVC key, nonce,
//	           padded lp(cryptogram) lp(eci), AD = lp("sealpay/vault/v2/wallet")
//	           lp(kek id) lp(window) lp(token) lp(merchant) lp(expires_at))
func sealWallet(aead cipher.AEAD, kekID string, window int64, token, merchant string, expires int64, plaintext []byte) []byte {
	out := make([]byte, 9+aead.NonceSize(), 9+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = rowFormatV2
	binary.BigEndian.PutUint64(out[1:9], uint64(window))
	rand.Read(out[9:])
	return aead.Seal(out, out[9:], plaintext, walletAD(kekID, window, token, merchant, expires))
}

func walletAD(kekID string, window int64, token, merchant string, expires int64) []byte {
	return lp(labelWalletV2, kekID, strconv.FormatInt(window, 10), token, merchant, strconv.FormatInt(expires, 10))
}

func openWalletRow(aead cipher.AEAD, kekID string, token, merchant string, expires int64, sealed []byte) ([]byte, error) {
	window, ok := cvcWindow(sealed)
	n := aead.NonceSize()
	if !ok || len(sealed) < 9+n+aead.Overhead() {
		return nil, errOpenRow
	}
	pt, err := aead.Open(nil, sealed[9:9+n], sealed[9+n:], walletAD(kekID, window, token, merchant, expires))
	if err != nil {
		return nil, errOpenRow
	}
	return pt, nil
}

// encodeWallet is [1-byte length][cryptogram][1-byte length][eci], padded.
func encodeWallet(cryptogram, eci string) []byte {
	b := append([]byte{byte(len(cryptogram))}, cryptogram...)
	b = append(append(b, byte(len(eci))), eci...)
	return pad(b, walletPad)
}

func decodeWallet(b []byte) (cryptogram, eci string, err error) {
	if len(b) < 1 || len(b) < 2+int(b[0]) {
		return "", "", errOpenRow
	}
	cryptogram, b = string(b[1:1+int(b[0])]), b[1+int(b[0]):]
	if len(b) < 1+int(b[0]) {
		return "", "", errOpenRow
	}
	return cryptogram, string(b[1 : 1+int(b[0])]), nil
}

// cvcWindow returns the window of a v2 CVC row; ok is false for a v1 row
// (sealed under the KEK's seal key) or a malformed one.
func cvcWindow(sealed []byte) (window int64, ok bool) {
	if len(sealed) < 9 || sealed[0] != rowFormatV2 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(sealed[1:9])), true
}

func openCVCRow(aead cipher.AEAD, kekID string, token, merchant string, expires int64, sealed []byte) ([]byte, error) {
	window, ok := cvcWindow(sealed)
	n := aead.NonceSize()
	if !ok || len(sealed) < 9+n+aead.Overhead() {
		return nil, errOpenRow
	}
	pt, err := aead.Open(nil, sealed[9:9+n], sealed[9+n:], cvcAD(kekID, window, token, merchant, expires))
	if err != nil {
		return nil, errOpenRow
	}
	return pt, nil
}

func pad(b []byte, to int) []byte {
	for len(b)%to != 0 {
		b = append(b, 0)
	}
	return b
}

// encodeCard is [1-byte number length][number][2-byte name length][name], padded.
func encodeCard(number, name string) []byte {
	b := make([]byte, 0, cardPad)
	b = append(b, byte(len(number)))
	b = append(b, number...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(name)))
	b = append(b, name...)
	return pad(b, cardPad)
}

func decodeCard(b []byte) (number, name string, err error) {
	if len(b) < 1 || len(b) < 1+int(b[0])+2 {
		return "", "", errOpenRow
	}
	number, b = string(b[1:1+int(b[0])]), b[1+int(b[0]):]
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return "", "", errOpenRow
	}
	return number, string(b[2 : 2+n]), nil
}

// encodeCVC is [1-byte length][cvc], padded.
func encodeCVC(cvc string) []byte {
	return pad(append([]byte{byte(len(cvc))}, cvc...), cvcPad)
}

func decodeCVC(b []byte) (string, error) {
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return "", errOpenRow
	}
	return string(b[1 : 1+int(b[0])]), nil
}

// fingerprint is BLAKE2b-256 of the normalised number, keyed per merchant
// with HKDF-SHA256(root, info = lp(label) lp(merchant)).
func fingerprint(root []byte, merchant, number string) string {
	key, err := hkdf.Key(sha256.New, root, nil, string(lp(labelFingerprint, merchant)), 32)
	if err != nil {
		panic("sdk: internal error: " + err.Error())
	}
	h, err := blake2b.New256(key)
	if err != nil {
		panic("sdk: internal error: " + err.Error())
	}
	h.Write([]byte(number))
	return "fp_" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// keyring loads and caches the vault's data keys. It never holds a lock
// across a database or KEK call: two goroutines (or two Workers) that
// create the same key race through INSERT … ON CONFLICT DO NOTHING and both
// read back the winner.
type keyring struct {
	ex   sqlunit.Executor
	keks *KEKSet
	now  func() time.Time

	cvcStore CVCKeyStore

	mu   sync.Mutex
	seal map[string]cipher.AEAD // by KEK id
	cvc  map[cvcKeyID]*cvcKey
	fp   []byte
}

// sealer returns the sealing AEAD for rows under kekID, which must be in
// the set. Only the primary's key is created when missing.
func (r *keyring) sealer(ctx context.Context, kekID string) (cipher.AEAD, error) {
	r.mu.Lock()
	aead := r.seal[kekID]
	r.mu.Unlock()
	if aead != nil {
		return aead, nil
	}
	kek, ok := r.keks.byID[kekID]
	if !ok {
		return nil, fmt.Errorf("token: row sealed under KEK %q, which is not in the KEK set: %w", kekID, errKeyMaterial)
	}
	var create func(context.Context) ([]byte, error)
	if kek == r.keks.primary {
		create = randomKey
	}
	key, err := r.loadOrCreate(ctx, kek, purposeSeal, create)
	if err != nil {
		return nil, err
	}
	aead, err = chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("token: data key for KEK %q has the wrong size: %w", kekID, errKeyMaterial)
	}
	r.mu.Lock()
	r.seal[kekID] = aead
	r.mu.Unlock()
	return aead, nil
}

// fingerprintRoot returns the fingerprint key, re-wrapping it under the
// primary KEK the first time the primary is used.
func (r *keyring) fingerprintRoot(ctx context.Context) ([]byte, error) {
	r.mu.Lock()
	fp := r.fp
	r.mu.Unlock()
	if fp != nil {
		return fp, nil
	}
	fp, err := r.loadOrCreate(ctx, r.keks.primary, purposeFingerprint, r.existingFingerprintRoot)
	if err != nil {
		return nil, err
	}
	if len(fp) != 32 {
		return nil, fmt.Errorf("token: fingerprint key has the wrong size: %w", errKeyMaterial)
	}
	r.mu.Lock()
	r.fp = fp
	r.mu.Unlock()
	return fp, nil
}

// existingFingerprintRoot finds the fingerprint key under another KEK of the
// set, or makes one if the vault has none. It refuses to make a new one when
// the vault has a fingerprint key that no KEK in the set opens: that would
// silently change every fingerprint.
func (r *keyring) existingFingerprintRoot(ctx context.Context) ([]byte, error) {
	rows, err := r.ex.Query(ctx, `SELECT kek_id, wrapped FROM vault_keys WHERE purpose = ? ORDER BY created_at, kek_id`, purposeFingerprint)
	if err != nil {
		return nil, internal("reading vault keys", err)
	}
	found := 0
	for _, row := range rows {
		id, wrapped := row.String(0), row.Bytes(1)
		found++
		if kek, ok := r.keks.byID[id]; ok {
			key, err := kek.Unwrap(ctx, wrapped, dataKeyAD(id, purposeFingerprint))
			if err != nil {
				return nil, fmt.Errorf("token: KEK %q cannot unwrap the fingerprint key: %w", id, errKeyMaterial)
			}
			return key, nil
		}
	}
	if found > 0 {
		return nil, fmt.Errorf("token: the vault's fingerprint key is wrapped only by KEKs missing from the set: %w", errKeyMaterial)
	}
	return randomKey(ctx)
}

func randomKey(context.Context) ([]byte, error) {
	k := make([]byte, 32)
	rand.Read(k)
	return k, nil
}

// loadOrCreate reads the data key (kek, purpose). If it is missing and
// create is not nil, it stores create's key wrapped under kek — unless
// another writer got there first — and reads the stored one back, so that
// every process ends up with the same bytes.
func (r *keyring) loadOrCreate(ctx context.Context, kek KEK, purpose string, create func(context.Context) ([]byte, error)) ([]byte, error) {
	id := kek.ID()
	ad := dataKeyAD(id, purpose)
	for attempt := 0; ; attempt++ {
		rows, err := r.ex.Query(ctx, `SELECT wrapped FROM vault_keys WHERE kek_id = ? AND purpose = ?`, id, purpose)
		switch {
		case err != nil:
			return nil, internal("reading vault keys", err)
		case len(rows) > 0:
			key, err := kek.Unwrap(ctx, rows[0].Bytes(0), ad)
			if err != nil {
				return nil, fmt.Errorf("token: KEK %q cannot unwrap its %s key: %w", id, purpose, errKeyMaterial)
			}
			return key, nil
		case create == nil:
			return nil, fmt.Errorf("token: no %s key for KEK %q: %w", purpose, id, errKeyMaterial)
		case attempt > 0:
			return nil, fmt.Errorf("token: %s key for KEK %q vanished after insert: %w", purpose, id, errKeyMaterial)
		}
		key, err := create(ctx)
		if err != nil {
			return nil, err
		}
		w, err := kek.Wrap(ctx, key, ad)
		if err != nil {
			return nil, fmt.Errorf("token: KEK %q cannot wrap a key: %w", id, errKeyMaterial)
		}
		if _, err := r.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
			`INSERT INTO vault_keys (kek_id, purpose, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (kek_id, purpose) DO NOTHING`,
			id, purpose, w, r.now().Unix())}}); err != nil {
			return nil, internal("storing vault key", err)
		}
	}
}
