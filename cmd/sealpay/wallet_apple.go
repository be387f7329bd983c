package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/applepay"
)

// runApplePayKeys manages the Apple Pay key set (apple_pay_keys_file, or
// the Worker's SEALPAY_APPLE_PAY_KEYS): payment processing keys, each for
// one merchant, with the certificate Apple issued for it.
func runApplePayKeys(env *Env, sub, file, mid, kid, csrFile, certFile string) error {
	switch sub {
	case "new":
		if mid == "" {
			return fmt.Errorf("%w: wallet keys new needs --merchant MID", errUsage)
		}
		ks, err := applepay.ReadKeySetFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			ks, err = applepay.NewKeySet(), nil
		}
		if err != nil {
			return err
		}
		hash, csr, err := ks.Generate(mid, env.Now())
		if err != nil {
			return err
		}
		if err := applepay.WriteKeySetFile(file, ks); err != nil {
			return err
		}
		// The CSR is public: it goes to Apple's developer portal
		// ("Apple Pay Payment Processing Certificate").
		if csrFile != "" {
			if err := os.WriteFile(csrFile, csr, 0o644); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(env.Stdout, "%s", csr)
		}
		fmt.Fprintf(env.Stderr, "new Apple Pay key %s for %s: upload the CSR to Apple, then run wallet keys cert --wallet apple_pay\n", hash, mid)
		return printApplePayKeys(env, ks, csrFile != "")
	case "cert", "retire", "list":
		ks, err := applepay.ReadKeySetFile(file)
		if err != nil {
			return err
		}
		switch sub {
		case "list":
			return printApplePayKeys(env, ks, true)
		case "cert":
			if certFile == "" {
				return fmt.Errorf("%w: wallet keys cert needs --cert FILE", errUsage)
			}
			b, err := os.ReadFile(certFile)
			if err != nil {
				return err
			}
			if _, err := ks.AttachCertificate(b); err != nil {
				return fmt.Errorf("%w: %v", errUsage, err)
			}
		case "retire":
			if kid == "" {
				return fmt.Errorf("%w: wallet keys retire needs --kid HASH (the publicKeyHash)", errUsage)
			}
			if err := ks.Retire(kid); err != nil {
				return fmt.Errorf("%w: %v", errUsage, err)
			}
		}
		if err := applepay.WriteKeySetFile(file, ks); err != nil {
			return err
		}
		return printApplePayKeys(env, ks, true)
	}
	return fmt.Errorf("%w: unknown wallet keys subcommand %q for apple_pay; want new, cert, retire or list", errUsage, sub)
}

// printApplePayKeys prints each key's publicKeyHash, merchant, status and
// certificate expiry; never key bytes. With show false it prints nothing
// (the CSR went to stdout).
func printApplePayKeys(env *Env, ks *applepay.KeySet, show bool) error {
	if !show {
		return nil
	}
	type key struct {
		KID         string     `json:"kid"`
		Merchant    string     `json:"merchant"`
		Status      string     `json:"status"`
		Certificate bool       `json:"certificate"`
		NotAfter    *time.Time `json:"certificate_not_after,omitempty"`
	}
	keys := []key{}
	for _, k := range ks.Info() {
		e := key{KID: k.PublicKeyHash, Merchant: k.MerchantID, Status: k.Status, Certificate: k.HasCertificate}
		if !k.NotAfter.IsZero() {
			na := k.NotAfter.UTC()
			e.NotAfter = &na
		}
		keys = append(keys, e)
	}
	b, err := json.MarshalIndent(map[string]any{"keys": keys}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return nil
}
