package envelope

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hpke"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/sealpay/sealpay/sdk/internal/hpkesender"
	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// rfc9180File is testdata/rfc9180-vectors.json: the RFC 9180 test vectors
// for mode_base, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and every AEAD;
// its "source" member names where they come from.
type rfc9180File struct {
	Source  string          `json:"source"`
	Vectors []rfc9180Vector `json:"vectors"`
}

type rfc9180Vector struct {
	Mode        int    `json:"mode"`
	KEMID       uint16 `json:"kem_id"`
	KDFID       uint16 `json:"kdf_id"`
	AEADID      uint16 `json:"aead_id"`
	Info        string `json:"info"`
	IKME        string `json:"ikmE"`
	IKMR        string `json:"ikmR"`
	SkRm        string `json:"skRm"`
	PkRm        string `json:"pkRm"`
	SkEm        string `json:"skEm"`
	PkEm        string `json:"pkEm"`
	Enc         string `json:"enc"`
	Encryptions []struct {
		AAD string `json:"aad"`
		CT  string `json:"ct"`
		PT  string `json:"pt"`
	} `json:"encryptions"`
	Exports []struct {
		Context string `json:"exporter_context"`
		L       int    `json:"L"`
		Value   string `json:"exported_value"`
	} `json:"exports"`
}

func loadRFC9180(t *testing.T) []rfc9180Vector {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc9180-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f rfc9180File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	aeads := map[uint16]bool{}
	for _, v := range f.Vectors {
		if v.Mode != 0 || v.KEMID != 0x0020 || v.KDFID != 0x0001 {
			t.Fatalf("vector for mode %d, KEM %#x, KDF %#x: the file should hold only mode_base X25519/HKDF-SHA256", v.Mode, v.KEMID, v.KDFID)
		}
		aeads[v.AEADID] = true
	}
	for _, id := range []uint16{0x0001, 0x0002, 0x0003, 0xffff} {
		if !aeads[id] {
			t.Fatalf("no vector for AEAD %#04x", id)
		}
	}
	return f.Vectors
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC9180Vectors runs the package's own HPKE code — the key
// constructors that key sets use, and the recipient set-up that Open uses —
// against the RFC 9180 vectors.
//
// crypto/hpke has no public way to choose the sender's ephemeral key (its
// own tests use an unexported hook, and testing/cryptotest only seeds a
// ChaCha8 stream), so the sender cannot re-encrypt with the vectors' skEm.
// Instead:
//   - enc is reproduced as the public key newPrivateKey derives from skEm;
//   - every ciphertext is opened, in sequence, to its plaintext. With a
//     deterministic AEAD, an authenticated opening of the exact bytes under
//     the vector's context is the same statement as sealing reproducing them;
//   - every exported value is reproduced;
//   - crypto/hpke's sender seals every plaintext to pkRm with a fresh
//     ephemeral key, and the recipient path opens them and agrees on the
//     exports; for the ChaCha20Poly1305 vector, so does Seal's sender,
//     sdk/internal/hpkesender (whose own tests reproduce the vector's
//     ciphertext from skEm).
func TestRFC9180Vectors(t *testing.T) {
	for _, v := range loadRFC9180(t) {
		t.Run(fmt.Sprintf("aead=%#04x", v.AEADID), func(t *testing.T) {
			s := v1Suite
			if v.KEMID != s.kem.ID() || v.KDFID != s.kdf.ID() {
				t.Fatalf("vector suite KEM %#x KDF %#x, envelope suite KEM %#x KDF %#x", v.KEMID, v.KDFID, s.kem.ID(), s.kdf.ID())
			}
			if v.AEADID != s.aead.ID() {
				aead, err := hpke.NewAEAD(v.AEADID)
				if err != nil {
					t.Fatal(err)
				}
				s.aead = aead
			}
			info := unhex(t, v.Info)

			skR, pkR, err := s.newPrivateKey(unhex(t, v.SkRm))
			if err != nil {
				t.Fatalf("newPrivateKey(skRm): %v", err)
			}
			if got, want := hex.EncodeToString(pkR), v.PkRm; got != want {
				t.Errorf("public key of skRm = %s, want pkRm %s", got, want)
			}
			_, pkE, err := s.newPrivateKey(unhex(t, v.SkEm))
			if err != nil {
				t.Fatalf("newPrivateKey(skEm): %v", err)
			}
			if got, want := hex.EncodeToString(pkE), v.Enc; got != want {
				t.Errorf("enc = public key of skEm = %s, want %s", got, want)
			}
			if v.IKMR != "" {
				// DeriveKeyPair is not on the envelope path; it checks that
				// the transcribed skRm belongs to the vector's ikmR.
				k, err := s.kem.DeriveKeyPair(unhex(t, v.IKMR))
				if err != nil {
					t.Fatal(err)
				}
				if got, want := hex.EncodeToString(k.PublicKey().Bytes()), v.PkRm; got != want {
					t.Errorf("DeriveKeyPair(ikmR) public key = %s, want %s", got, want)
				}
			}

			r, err := s.recipient(skR, unhex(t, v.Enc), info)
			if err != nil {
				t.Fatalf("recipient: %v", err)
			}
			for i, e := range v.Encryptions {
				pt, err := r.Open(unhex(t, e.AAD), unhex(t, e.CT))
				if err != nil {
					t.Fatalf("encryption %d: Open: %v", i, err)
				}
				if got, want := hex.EncodeToString(pt), e.PT; got != want {
					t.Fatalf("encryption %d: Open = %s, want %s", i, got, want)
				}
			}
			for i, e := range v.Exports {
				got, err := r.Export(string(unhex(t, e.Context)), e.L)
				if err != nil {
					t.Fatalf("export %d: %v", i, err)
				}
				if hex.EncodeToString(got) != e.Value {
					t.Errorf("export %d = %x, want %s", i, got, e.Value)
				}
			}

			// A sender to the vector's recipient key, with a fresh ephemeral
			// key: crypto/hpke's for every AEAD, and for envelope v1's
			// suite also sdk/internal/hpkesender, which Seal uses.
			if err := sealer.CheckPublicKey(unhex(t, v.PkRm)); err != nil {
				t.Fatalf("CheckPublicKey(pkRm): %v", err)
			}
			pk, err := s.kem.NewPublicKey(unhex(t, v.PkRm))
			if err != nil {
				t.Fatal(err)
			}
			if v.AEADID == v1Suite.aead.ID() {
				pub, err := ecdh.X25519().NewPublicKey(unhex(t, v.PkRm))
				if err != nil {
					t.Fatal(err)
				}
				for i, e := range v.Encryptions[:8] {
					enc, ct, err := hpkesender.Seal(pub, info, unhex(t, e.AAD), unhex(t, e.PT))
					if err != nil {
						t.Fatalf("encryption %d: hpkesender.Seal: %v", i, err)
					}
					r, err := s.recipient(skR, enc, info)
					if err != nil {
						t.Fatal(err)
					}
					if pt, err := r.Open(unhex(t, e.AAD), ct); err != nil || hex.EncodeToString(pt) != e.PT {
						t.Fatalf("encryption %d: hpkesender's ciphertext does not open (%v)", i, err)
					}
				}
			}
			enc, snd, err := hpke.NewSender(pk, s.kdf, s.aead, info)
			if err != nil {
				t.Fatalf("sender: %v", err)
			}
			if bytes.Equal(enc, unhex(t, v.Enc)) {
				t.Errorf("sender reused the vector's ephemeral key")
			}
			cts := make([][]byte, len(v.Encryptions))
			for i, e := range v.Encryptions {
				if cts[i], err = snd.Seal(unhex(t, e.AAD), unhex(t, e.PT)); err != nil {
					t.Fatalf("encryption %d: Seal: %v", i, err)
				}
			}
			r2, err := s.recipient(skR, enc, info)
			if err != nil {
				t.Fatalf("recipient: %v", err)
			}
			for i, e := range v.Encryptions {
				pt, err := r2.Open(unhex(t, e.AAD), cts[i])
				if err != nil || hex.EncodeToString(pt) != e.PT {
					t.Fatalf("encryption %d: our own ciphertext does not open (%v)", i, err)
				}
			}
			for i, e := range v.Exports {
				a, err1 := snd.Export(string(unhex(t, e.Context)), e.L)
				b, err2 := r2.Export(string(unhex(t, e.Context)), e.L)
				if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
					t.Errorf("export %d: sender and recipient disagree (%v, %v)", i, err1, err2)
				}
			}
		})
	}
}
