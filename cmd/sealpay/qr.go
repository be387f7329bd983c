package main

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/sdk/qr/qrpng"
)

func init() {
	register("qr", "parse, sign and verify EMVCo payment QR codes", runQR)
}

const qrUsage = `qr parse [--strict] < payload
       qr sign --key FILE --cert FILE --amount A --currency C [--ref R] [--ttl DURATION] [--png FILE]
               [--base FILE | --city CITY --country CC [--mcc MCC]]
       qr verify --trust FILE [--pin FILE]... [--min-version N] [--expect-amount A] [--expect-currency C]
                 [--expect-payee P] [--lang L] [--require-signed] < payload

parse prints the payload's fields, scheme, CRC validity and warnings as JSON; a malformed
payload or a bad CRC exits 1 with qr_malformed or qr_bad_crc.

sign prints a Sealpay-signed payload. --base is the merchant's static EMVCo code (from its
bank); its merchant account objects must be among the certificate's payee accounts.
Without --base, sign builds a minimal code for tests and demos: the certificate's first
payee account, the certificate's name as payee, --city and --country.

verify prints the verdict as JSON on stdout and exits 0 when it is "verified" or
"unsigned" (an unsigned code is not an error: show the payee and warn), and 1 when it is
"rejected" — or "unsigned" with --require-signed. --pin is a root public key file (from
'registry init') to pin; without it, root.pub.jwk beside the trust bundle is pinned.
A trust bundle past its expiry still loads, and signed codes are then rejected with
qr_expired (detail trust_bundle): fetch a newer bundle. --min-version is the version of
the newest bundle this verifier has accepted before; an older one is refused
(qr_replayed), since it could bring back a revoked key.`

// maxPayload bounds stdin for qr commands: EMVCo payloads are at most 512
// characters, links a few KB.
const maxPayload = 8 << 10

func runQR(env *Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want one of:\n       %s", errUsage, qrUsage)
	}
	sub, args := args[0], args[1:]
	fs := newFlags(env, "qr "+sub, qrUsage)
	strict := fs.Bool("strict", false, "parse: refuse national deviations from EMVCo MPM")
	keyFile := fs.String("key", "", "sign: merchant private key file")
	certFile := fs.String("cert", "", "sign: merchant certificate file")
	amount := fs.String("amount", "", "sign: amount, e.g. 49.90")
	currency := fs.String("currency", "", "sign: ISO 4217 currency, e.g. BRL or 986")
	ref := fs.String("ref", "", "sign: order reference (field 62/05)")
	ttl := fs.Duration("ttl", 15*time.Minute, "sign: how long the code is valid")
	png := fs.String("png", "", "sign: also write the code as a PNG image to this file")
	base := fs.String("base", "", "sign: file holding the merchant's static EMVCo payload")
	city := fs.String("city", "", "sign without --base: merchant city")
	country := fs.String("country", "", "sign without --base: ISO 3166 country, e.g. BR")
	mcc := fs.String("mcc", "0000", "sign without --base: merchant category code")
	trustFile := fs.String("trust", "", "verify: trust bundle file")
	var pins stringList
	fs.Var(&pins, "pin", "verify: root public key file to pin; repeatable")
	expAmount := fs.String("expect-amount", "", "verify: the amount the checkout expects")
	expCurrency := fs.String("expect-currency", "", "verify: the currency the checkout expects")
	expPayee := fs.String("expect-payee", "", "verify: the payee (name or merchant ID) the checkout expects")
	lang := fs.String("lang", "en", "verify: language of the messages (BCP 47 tag)")
	requireSigned := fs.Bool("require-signed", false, "verify: exit 1 for an unsigned code too")
	minVersion := fs.Int64("min-version", 0, "verify: refuse a trust bundle older than this version (rollback)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch sub {
	case "parse":
		payload, err := readPayload(env)
		if err != nil {
			return err
		}
		mode := qr.Lenient
		if *strict {
			mode = qr.Strict
		}
		p, err := qr.Parse(payload, mode)
		if err != nil {
			return err
		}
		return printJSON(env, parsedView(p))

	case "sign":
		if *keyFile == "" || *certFile == "" || *amount == "" || *currency == "" {
			return fmt.Errorf("%w: qr sign needs --key, --cert, --amount and --currency", errUsage)
		}
		kb, err := readKeyFile(*keyFile)
		if err != nil {
			return err
		}
		key, err := qr.ParseMerchantKey(kb)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(*keyFile), err)
		}
		cb, err := os.ReadFile(*certFile)
		if err != nil {
			return err
		}
		cert, err := qr.ParseCertificate(cb)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(*certFile), err)
		}
		var basePayload string
		if *base != "" {
			bb, err := os.ReadFile(*base)
			if err != nil {
				return err
			}
			basePayload = strings.TrimSpace(string(bb))
		} else {
			if *city == "" || *country == "" {
				return fmt.Errorf("%w: qr sign without --base needs --city and --country", errUsage)
			}
			payee := cert.Name
			if len([]rune(payee)) > 25 && len(cert.Names) > 0 {
				payee = cert.Names[0]
			}
			// ParseCertificate guarantees at least one account.
			account := qr.Object{ID: cert.Accounts[0].ID, Value: cert.Accounts[0].Value}
			basePayload, err = qr.Build([]qr.Object{
				{ID: "00", Value: "01"},
				{ID: "01", Value: "11"},
				account,
				{ID: "52", Value: *mcc},
				{ID: "58", Value: strings.ToUpper(*country)},
				{ID: "59", Value: payee},
				{ID: "60", Value: *city},
			})
			if err != nil {
				return err
			}
		}
		payload, err := qr.Sign(basePayload, key, cert, qr.SignOptions{
			Amount: *amount, Currency: *currency, Reference: *ref, TTL: *ttl, Now: env.Now(),
		})
		if err != nil {
			return err
		}
		if *png != "" {
			img, err := qrpng.Render(payload, 0)
			if err != nil {
				return err
			}
			if err := os.WriteFile(*png, img, 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintln(env.Stdout, payload)
		return nil

	case "verify":
		if *trustFile == "" {
			return fmt.Errorf("%w: qr verify needs --trust FILE", errUsage)
		}
		if len(pins) == 0 {
			beside := filepath.Join(filepath.Dir(*trustFile), "root.pub.jwk")
			if _, err := os.Stat(beside); err != nil {
				return fmt.Errorf("%w: qr verify needs --pin FILE (no root.pub.jwk beside the trust bundle)", errUsage)
			}
			pins = stringList{beside}
		}
		var roots []ed25519.PublicKey
		for _, pf := range pins {
			b, err := os.ReadFile(pf)
			if err != nil {
				return err
			}
			pub, err := qr.ParsePublicKey(b)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Base(pf), err)
			}
			roots = append(roots, pub)
		}
		tb, err := os.ReadFile(*trustFile)
		if err != nil {
			return err
		}
		trust, err := qr.LoadTrustBundle(tb, roots, env.Now())
		if err != nil {
			return err
		}
		if v := trust.Bundle().Version; v < *minVersion {
			return fmt.Errorf("qr verify: trust bundle version %d, older than --min-version %d: %w", v, *minVersion, qr.ErrBundleRollback)
		}
		payload, err := readPayload(env)
		if err != nil {
			return err
		}
		var expect *qr.Expectation
		if *expAmount != "" || *expCurrency != "" || *expPayee != "" {
			expect = &qr.Expectation{Amount: *expAmount, Currency: *expCurrency, Payee: *expPayee}
		}
		v := qr.Verify(payload, trust, qr.VerifyOptions{Expect: expect, Now: env.Now(), Lang: *lang})
		if err := printJSON(env, v); err != nil {
			return err
		}
		if v.Status == qr.Rejected || v.Status == qr.Unsigned && *requireSigned {
			return errQuiet
		}
		return nil

	default:
		return fmt.Errorf("%w: unknown qr subcommand %q; want one of:\n       %s", errUsage, sub, qrUsage)
	}
}

// readPayload reads a payload from stdin, without the line ending a shell
// or a scanner adds.
func readPayload(env *Env) (string, error) {
	b, err := readInput(env, maxPayload)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// parsedView is the JSON `qr parse` prints.
func parsedView(p *qr.Payload) any {
	type object struct {
		ID       string   `json:"id"`
		Value    string   `json:"value"`
		Children []object `json:"children,omitempty"`
	}
	var conv func([]qr.Object) []object
	conv = func(objs []qr.Object) []object {
		out := make([]object, 0, len(objs))
		for _, o := range objs {
			out = append(out, object{ID: o.ID, Value: o.Value, Children: conv(o.Children)})
		}
		return out
	}
	s := p.Scheme()
	warnings := p.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return map[string]any{
		"scheme":    map[string]string{"id": s.ID, "name": s.Name, "country": s.Country},
		"crc_valid": true,
		"fields": map[string]string{
			"merchant_name": p.MerchantName(), "city": p.City(), "mcc": p.MCC(),
			"currency": p.Currency(), "currency_code": p.CurrencyCode(), "amount": p.Amount(),
			"country": p.Country(), "reference": p.Reference(), "postal_code": p.PostalCode(),
		},
		"objects":  conv(p.Objects),
		"warnings": warnings,
	}
}
