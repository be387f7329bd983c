package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/qr"
)

func init() {
	register("registry", "run the merchant registry: root key, certificates, revocations, trust bundle", runRegistry)
}

const registryUsage = `registry init --out DIR
       registry certify --root FILE --merchant MID --name NAME [--payee NAME]... [--domain D]...
                        (--account GUID=ID | --accounts-from FILE)... --key-out FILE --cert-out FILE [--valid DURATION]
       registry revoke --root FILE --kid KID [--reason TEXT]
       registry bundle --root FILE --certs DIR --out FILE [--ttl DURATION]

A registry is a directory:
  DIR/root.jwk          the root private key (Ed25519 JWK, mode 0600): keep it offline
  DIR/root.pub.jwk      the root public key, to pin in apps and in 'qr verify --pin'
  DIR/certs/            merchant certificates; 'registry bundle' includes every *.json here
  DIR/revocations.json  revoked key IDs, kept by 'registry revoke' next to --root
'registry certify' makes a new merchant key (written to --key-out, mode 0600, for the
merchant) and its certificate (write it to DIR/certs/MID.json). 'registry bundle'
signs the certificates and revocations into a trust bundle whose version is one more
than the bundle already at --out, valid for --ttl (default 720h = 30 days, 1h to
2160h = 90 days); verifiers reject signed codes once it has expired, so sign a new
one well before (daily, say) and redeploy it to the edge.

The certificate binds the merchant's payee accounts: a signed code verifies only if
every merchant account object in it (EMVCo IDs 02–51) is one of them, so at least one
is required. Register them exactly as the merchant's codes carry them:
  --accounts-from FILE   every account object of the merchant's static EMVCo code in
                         FILE (the code 'qr sign --base' will sign): the safe choice
  --account GUID=ID      a template {00: GUID, 01: ID}, e.g. a Pix key:
                         --account br.gov.bcb.pix=123e4567-e12b-12d1-a456-426655440000
  --account GUID/NN=ID   a template {00: GUID, NN: ID}, e.g. a PromptPay tax ID:
                         --account A000000677010111/02=0105536012345
  --account NN=ID        a card network's merchant ID, NN in 02–25: --account 04=5204123412341234
A template the merchant's code fills differently (more sub-objects, other IDs) is
another account: use --accounts-from. Known schemes are checked: a Pix key must be a
CPF, CNPJ, +55 phone number, e-mail address or random key (UUID); a PromptPay
template holds one proxy (01: 0066 and 9 digits, 02: 13 digits, 03: 15 digits, or
04); a GUID is 1–32 printable characters without spaces.`

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runRegistry(env *Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want one of:\n       %s", errUsage, registryUsage)
	}
	sub, args := args[0], args[1:]
	fs := newFlags(env, "registry "+sub, registryUsage)
	out := fs.String("out", "", "init: registry directory to create; bundle: trust bundle file to write")
	rootFile := fs.String("root", "", "root private key file (DIR/root.jwk)")
	mid := fs.String("merchant", "", "merchant ID (1–32 of A–Z a–z 0–9 . _ -)")
	name := fs.String("name", "", "the merchant's verified display name")
	var payees, domains stringList
	fs.Var(&payees, "payee", "another payee name (QR field 59) registered for the merchant; repeatable")
	fs.Var(&domains, "domain", "a web domain of the merchant, for look-alike checks; repeatable")
	var accounts stringList
	fs.Var(&accounts, "account", "a payee account: GUID=ID, GUID/NN=ID or NN=ID (NN 02–25); repeatable")
	accountsFrom := fs.String("accounts-from", "", "file holding the merchant's static EMVCo code, whose account objects (02–51) to register")
	keyOut := fs.String("key-out", "", "file for the new merchant private key (mode 0600; must not exist)")
	certOut := fs.String("cert-out", "", "file for the merchant certificate")
	valid := fs.Duration("valid", 365*24*time.Hour, "how long the certificate is valid")
	kid := fs.String("kid", "", "key ID to revoke")
	reason := fs.String("reason", "", "short reason for the revocation, e.g. key_compromise")
	certs := fs.String("certs", "", "directory of certificate files (*.json)")
	ttl := fs.Duration("ttl", qr.DefaultBundleTTL, "bundle: how long verifiers trust the bundle (1h to 2160h)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	now := env.Now().UTC()
	need := func(pairs ...string) error {
		for i := 0; i < len(pairs); i += 2 {
			if pairs[i+1] == "" {
				return fmt.Errorf("%w: registry %s needs --%s", errUsage, sub, pairs[i])
			}
		}
		return nil
	}
	switch sub {
	case "init":
		if err := need("out", *out); err != nil {
			return err
		}
		root, err := qr.GenerateRootKey()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(*out, "certs"), 0o700); err != nil {
			return err
		}
		if err := writeNewFile(filepath.Join(*out, "root.jwk"), root.ExportPrivateJWK(), 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, "root.pub.jwk"), root.PublicJWK(), 0o644); err != nil {
			return err
		}
		return printJSON(env, map[string]string{"root_kid": root.KeyID(), "pin": filepath.Join(*out, "root.pub.jwk")})

	case "certify":
		if err := need("root", *rootFile, "merchant", *mid, "name", *name, "key-out", *keyOut, "cert-out", *certOut); err != nil {
			return err
		}
		root, err := readRootKey(*rootFile)
		if err != nil {
			return err
		}
		if _, err := os.Stat(*keyOut); err == nil {
			return fmt.Errorf("%w: %s exists; refusing to overwrite a key", errUsage, *keyOut)
		}
		if len(accounts) == 0 && *accountsFrom == "" {
			return fmt.Errorf("%w: registry certify needs --account or --accounts-from: a certificate binds the accounts the merchant's codes pay into", errUsage)
		}
		accts, err := payeeAccounts(accounts, *accountsFrom)
		if err != nil {
			return err
		}
		key, err := qr.GenerateMerchantKey()
		if err != nil {
			return err
		}
		cert, err := root.Certify(qr.Certificate{MerchantID: *mid, Name: *name, Names: payees, Accounts: accts, Domains: domains,
			PublicKey: key.Public(), NotBefore: now, NotAfter: now.Add(*valid)})
		if err != nil {
			return err
		}
		cb, err := json.MarshalIndent(cert, "", "  ")
		if err != nil {
			return err
		}
		if err := writeNewFile(*keyOut, key.ExportPrivateJWK(), 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(*certOut, append(cb, '\n'), 0o644); err != nil {
			return err
		}
		// The accounts in EMVCo form, for the reviewer to compare with
		// the merchant's printed code.
		var bound []string
		for _, a := range cert.Accounts {
			bound = append(bound, a.ID+fmt.Sprintf("%02d", utf8.RuneCountInString(a.Value))+a.Value)
		}
		return printJSON(env, map[string]any{"merchant": cert.MerchantID, "kid": cert.KeyID,
			"not_after": cert.NotAfter.Format(time.RFC3339), "accounts": bound})

	case "revoke":
		if err := need("root", *rootFile, "kid", *kid); err != nil {
			return err
		}
		if _, err := readRootKey(*rootFile); err != nil {
			return err
		}
		path := revocationsFile(*rootFile)
		revs, err := readRevocations(path)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(revs, func(r revocation) bool { return r.KeyID == *kid }) {
			revs = append(revs, revocation{KeyID: *kid, RevokedAt: now.Unix(), Reason: *reason})
		}
		b, _ := json.MarshalIndent(revs, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			return err
		}
		return printJSON(env, map[string]any{"revoked": *kid, "revocations": len(revs)})

	case "bundle":
		if err := need("root", *rootFile, "certs", *certs, "out", *out); err != nil {
			return err
		}
		if *ttl < time.Hour || *ttl > qr.MaxBundleTTL {
			return fmt.Errorf("%w: registry bundle --ttl %s: want 1h to %s", errUsage, *ttl, qr.MaxBundleTTL)
		}
		root, err := readRootKey(*rootFile)
		if err != nil {
			return err
		}
		// Whole seconds: the file holds Unix seconds.
		issued := now.Truncate(time.Second)
		b := qr.Bundle{Version: 1, IssuedAt: issued, ExpiresAt: issued.Add(*ttl).Truncate(time.Second)}
		if prev, err := os.ReadFile(*out); err == nil {
			t, err := qr.LoadTrustBundle(prev, []ed25519.PublicKey{root.Public()}, now)
			if err != nil {
				return fmt.Errorf("existing bundle %s: %w", *out, err)
			}
			b.Version = t.Bundle().Version + 1
		}
		files, err := filepath.Glob(filepath.Join(*certs, "*.json"))
		if err != nil {
			return err
		}
		slices.Sort(files)
		for _, f := range files {
			cb, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			c, err := qr.ParseCertificate(cb)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Base(f), err)
			}
			b.Certificates = append(b.Certificates, *c)
		}
		revs, err := readRevocations(revocationsFile(*rootFile))
		if err != nil {
			return err
		}
		for _, r := range revs {
			b.Revocations = append(b.Revocations, qr.Revocation{KeyID: r.KeyID, RevokedAt: time.Unix(r.RevokedAt, 0).UTC(), Reason: r.Reason})
		}
		signed, err := root.SignBundle(b)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, signed, 0o644); err != nil {
			return err
		}
		return printJSON(env, map[string]any{"version": b.Version, "certificates": len(b.Certificates), "revocations": len(b.Revocations),
			"issued_at": b.IssuedAt.Format(time.RFC3339), "expires_at": b.ExpiresAt.Format(time.RFC3339)})

	default:
		return fmt.Errorf("%w: unknown registry subcommand %q; want one of:\n       %s", errUsage, sub, registryUsage)
	}
}

// payeeAccounts reads the --account flags and the account objects of the
// --accounts-from file.
func payeeAccounts(flags []string, from string) ([]qr.Object, error) {
	var out []qr.Object
	for _, f := range flags {
		a, err := parseAccountFlag(f)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if from == "" {
		return out, nil
	}
	b, err := os.ReadFile(from)
	if err != nil {
		return nil, err
	}
	p, err := qr.Parse(strings.TrimSpace(string(b)), qr.Lenient)
	if err != nil {
		return nil, fmt.Errorf("--accounts-from %s: %w", filepath.Base(from), err)
	}
	accounts := p.Accounts()
	if len(accounts) == 0 {
		return nil, fmt.Errorf("%w: --accounts-from %s: the code has no merchant account objects (02–51)", errUsage, filepath.Base(from))
	}
	return append(out, accounts...), nil
}

// parseAccountFlag parses one --account: NN=ID for a card network's object
// (NN 02–25), GUID/NN=ID for a template {00: GUID, NN: ID}, or GUID=ID for
// {00: GUID, 01: ID}. The template ID is 26; the registry matches a
// template under any ID in 26–51.
func parseAccountFlag(f string) (qr.Object, error) {
	key, id, ok := strings.Cut(f, "=")
	if !ok || key == "" || id == "" {
		return qr.Object{}, fmt.Errorf("%w: --account %q: want GUID=ID, GUID/NN=ID or NN=ID", errUsage, f)
	}
	if len(key) == 2 && key[0] >= '0' && key[0] <= '9' && key[1] >= '0' && key[1] <= '9' {
		if key < "02" || key > "25" {
			return qr.Object{}, fmt.Errorf("%w: --account %s=…: a card network's ID is 02–25; give a template as GUID=ID", errUsage, key)
		}
		return qr.Object{ID: key, Value: id}, nil
	}
	guid, sub, hasSub := strings.Cut(key, "/")
	if !hasSub {
		sub = "01"
	}
	if guid == "" || len(sub) != 2 || sub < "01" || sub > "99" || strings.Trim(sub, "0123456789") != "" {
		return qr.Object{}, fmt.Errorf("%w: --account %q: want GUID=ID or GUID/NN=ID with NN 01–99", errUsage, f)
	}
	return qr.Object{ID: "26", Children: []qr.Object{{ID: "00", Value: guid}, {ID: sub, Value: id}}}, nil
}

// revocation is one entry of DIR/revocations.json.
type revocation struct {
	KeyID     string `json:"kid"`
	RevokedAt int64  `json:"revoked_at"`
	Reason    string `json:"reason,omitempty"`
}

func revocationsFile(rootFile string) string {
	return filepath.Join(filepath.Dir(rootFile), "revocations.json")
}

func readRevocations(path string) ([]revocation, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var revs []revocation
	if err := json.Unmarshal(b, &revs); err != nil {
		return nil, fmt.Errorf("%s: not a list of revocations", filepath.Base(path))
	}
	return revs, nil
}

func readRootKey(path string) (*qr.RootKey, error) {
	b, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	k, err := qr.ParseRootKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return k, nil
}

// writeNewFile writes a file that must not exist yet, with mode perm from
// the start (no window with a wider mode).
func writeNewFile(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printJSON(env *Env, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := env.Stdout.Write(buf.Bytes())
	return err
}

// readKeyFile reads a private key file, refusing one that its group or
// other users may read or write (envelope.ErrInsecureKeyFile).
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := envelope.CheckKeyFileMode(filepath.Base(path), fi); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}
