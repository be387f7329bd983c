package applepay

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestPinnedRoot checks the committed root against the SHA-256 fingerprint
// Apple publishes for Apple Root CA – G3 (apple.com/certificateauthority).
func TestPinnedRoot(t *testing.T) {
	root, err := pinnedRoot()
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(root.Raw)
	const want = "63343abfb89a6a03ebb57e9b3f5fa7be7c4f5c756f3017b3a8c488c3653e9179"
	if got := hex.EncodeToString(fp[:]); got != want {
		t.Fatalf("pinned root fingerprint %s, want %s", got, want)
	}
	if root.Subject.CommonName != "Apple Root CA - G3" || !root.IsCA {
		t.Fatalf("pinned root is %q", root.Subject.CommonName)
	}
	if err := root.CheckSignatureFrom(root); err != nil {
		t.Fatalf("pinned root is not self-signed: %v", err)
	}
}
