package applepay

import (
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
)

// appleRootG3PEM is Apple Root CA – G3, as Apple publishes it at
// https://www.apple.com/certificateauthority/AppleRootCA-G3.cer (here in
// PEM). SHA-256 fingerprint of the DER:
// 63343ABF B89A6A03 EBB57E9B 3F5FA7BE 7C4F5C75 6F3017B3 A8C488C3 653E9179,
// checked by TestPinnedRoot.
//
//go:embed AppleRootCA-G3.pem
var appleRootG3PEM []byte

// pinnedRoot parses the pinned root.
func pinnedRoot() (*x509.Certificate, error) {
	return parseRootPEM(appleRootG3PEM)
}

func parseRootPEM(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("applepay: root is not a PEM CERTIFICATE")
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("applepay: root: %w", err)
	}
	return c, nil
}
