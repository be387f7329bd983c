package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
)

func init() {
	register("wallet", "create, publish and rotate the merchants' Google Pay and Apple Pay keys", runWallet)
}

const walletUsage = `wallet keys new --keys FILE --merchant MID | wallet keys public --keys FILE --merchant MID | ` +
	`wallet keys promote --keys FILE --kid KID | wallet keys retire --keys FILE --kid KID | wallet keys list --keys FILE; ` +
	`with --wallet apple_pay: new --keys FILE --merchant MID [--csr OUT] | cert --keys FILE --cert apple_pay.cer | ` +
	`retire --keys FILE --kid HASH | list --keys FILE`

// runWallet manages the Google Pay key set (google_pay_keys_file, or the
// Worker's SEALPAY_GOOGLE_PAY_KEYS): P-256 keys, each for one merchant.
func runWallet(env *Env, args []string) error {
	if len(args) < 2 || args[0] != "keys" {
		return fmt.Errorf("%w: want one of: %s", errUsage, walletUsage)
	}
	sub, args := args[1], args[2:]
	flags := newFlags(env, "wallet keys "+sub, walletUsage)
	file := flags.String("keys", "", "Google Pay key set file (mode 0600)")
	mid := flags.String("merchant", "", "Sealpay merchant id the key is for")
	kid := flags.String("kid", "", "key id")
	name := flags.String("wallet", "google_pay", "google_pay or apple_pay")
	csr := flags.String("csr", "", "apple_pay new: write the certificate signing request for Apple here")
	cert := flags.String("cert", "", "apple_pay cert: the payment processing certificate Apple issued (DER or PEM)")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if *file == "" {
		return fmt.Errorf("%w: wallet keys %s needs --keys FILE", errUsage, sub)
	}
	switch *name {
	case "google_pay":
	case "apple_pay":
		return runApplePayKeys(env, sub, *file, *mid, *kid, *csr, *cert)
	default:
		return fmt.Errorf("%w: --wallet must be google_pay or apple_pay", errUsage)
	}
	switch sub {
	case "new":
		if *mid == "" {
			return fmt.Errorf("%w: wallet keys new needs --merchant MID", errUsage)
		}
		// A new file, or one more key in an existing one: a merchant's
		// first key is its primary, a later one waits for promote.
		ks, err := googlepay.ReadKeySetFile(*file)
		if errors.Is(err, fs.ErrNotExist) {
			ks, err = googlepay.NewKeySet(), nil
		}
		if err != nil {
			return err
		}
		if _, err := ks.Add(*mid); err != nil {
			return err
		}
		if err := googlepay.WriteKeySetFile(*file, ks); err != nil {
			return err
		}
		return printWalletKeys(env, ks)
	case "public", "promote", "retire", "list":
		ks, err := googlepay.ReadKeySetFile(*file)
		if err != nil {
			return err
		}
		switch sub {
		case "public":
			if *mid == "" {
				return fmt.Errorf("%w: wallet keys public needs --merchant MID", errUsage)
			}
			pub := ks.PublicKey(*mid)
			if pub == "" {
				return fmt.Errorf("%w: no key for merchant %q in %s", errUsage, *mid, *file)
			}
			// What Google's tokenizationSpecification DIRECT takes as
			// publicKey, and what the Google Pay console registers.
			b, _ := json.MarshalIndent(map[string]string{"merchant": *mid, "protocol_version": googlepay.ECv2, "public_key": pub}, "", "  ")
			fmt.Fprintf(env.Stdout, "%s\n", b)
			return nil
		case "list":
			return printWalletKeys(env, ks)
		case "promote", "retire":
			if *kid == "" {
				return fmt.Errorf("%w: wallet keys %s needs --kid KID", errUsage, sub)
			}
			op := ks.Promote
			if sub == "retire" {
				op = ks.Retire
			}
			if err := op(*kid); err != nil {
				return fmt.Errorf("%w: %v", errUsage, err)
			}
		}
		if err := googlepay.WriteKeySetFile(*file, ks); err != nil {
			return err
		}
		return printWalletKeys(env, ks)
	}
	return fmt.Errorf("%w: unknown wallet keys subcommand %q; want one of: %s", errUsage, sub, walletUsage)
}

// printWalletKeys prints key ids, merchants and statuses; never key bytes.
func printWalletKeys(env *Env, ks *googlepay.KeySet) error {
	type key struct {
		KID      string `json:"kid"`
		Merchant string `json:"merchant"`
		Status   string `json:"status"`
	}
	keys := []key{}
	for _, k := range ks.Keys() {
		keys = append(keys, key{k.KeyID, k.Merchant, k.Status})
	}
	b, err := json.MarshalIndent(map[string]any{"keys": keys}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return nil
}
