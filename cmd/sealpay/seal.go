package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
)

func init() {
	register("seal", "seal card JSON from stdin to a public JWK Set; prints the envelope", runSeal)
	register("open", "open an envelope from stdin with a private key set (debugging tool)", runOpen)
}

// maxCardInput caps what seal reads from stdin.
const maxCardInput = 4 << 10

// maxEnvelopeInput caps what open reads from stdin.
const maxEnvelopeInput = 16 << 10

func runSeal(env *Env, args []string) error {
	fs := newFlags(env, "seal", "seal --jwks FILE --merchant MID [--origin URL] [--ttl DURATION] < card.json")
	jwksFile := fs.String("jwks", "", "public JWK Set file (as served at GET /v1/keys)")
	mid := fs.String("merchant", "", "merchant id the envelope is for")
	origin := fs.String("origin", "", "origin of the page that seals, e.g. https://shop.example (optional)")
	ttl := fs.Duration("ttl", 15*time.Minute, "envelope lifetime, at most 1h")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *jwksFile == "" || *mid == "" {
		return fmt.Errorf("%w: seal needs --jwks FILE and --merchant MID", errUsage)
	}
	jwks, err := os.ReadFile(*jwksFile)
	if err != nil {
		return fmt.Errorf("reading --jwks: %w", err)
	}
	pub, err := envelope.ParsePublicKeySet(jwks)
	if err != nil {
		return err
	}
	in, err := readInput(env, maxCardInput)
	if err != nil {
		return err
	}
	c, err := card.Parse(bytes.TrimSpace(in))
	if err != nil {
		return err
	}
	s, err := envelope.Seal(pub, c, envelope.SealOptions{MerchantID: *mid, Origin: *origin, TTL: *ttl, Now: env.Now()})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, s)
	return nil
}

func runOpen(env *Env, args []string) error {
	fs := newFlags(env, "open", "open --keys FILE [--merchant MID] [--origin URL] < envelope\n\n"+
		"A debugging tool: it prints the card in the clear. The edge opens envelopes itself;\n"+
		"never use this on production data or keep its output.")
	file := fs.String("keys", "", "private key set file")
	mid := fs.String("merchant", "", "require this merchant id (optional)")
	origin := fs.String("origin", "", "require this origin (optional)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *file == "" {
		return fmt.Errorf("%w: open needs --keys FILE", errUsage)
	}
	ks, err := envelope.ReadKeySetFile(*file)
	if err != nil {
		return err
	}
	in, err := readInput(env, maxEnvelopeInput)
	if err != nil {
		return err
	}
	o, err := envelope.Open(ks, string(bytes.TrimSpace(in)), envelope.OpenOptions{MerchantID: *mid, Origin: *origin, Now: env.Now()})
	if err != nil {
		return err
	}
	b, err := json.Marshal(o.Card)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return nil
}
