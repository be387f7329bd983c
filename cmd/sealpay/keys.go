package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/sealpay/sealpay/sdk/envelope"
)

func init() {
	register("keys", "create, publish, rotate and retire the edge's envelope key set", runKeys)
}

const keysUsage = `keys new --out FILE | keys public --keys FILE | keys rotate --keys FILE | keys retire --keys FILE --kid KID | keys list --keys FILE`

func runKeys(env *Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want one of: %s", errUsage, keysUsage)
	}
	sub, args := args[0], args[1:]
	fs := newFlags(env, "keys "+sub, keysUsage)
	out := fs.String("out", "", "file to write the new private key set to (mode 0600; must not exist)")
	file := fs.String("keys", "", "private key set file")
	kid := fs.String("kid", "", "key id to retire")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch sub {
	case "new":
		if *out == "" {
			return fmt.Errorf("%w: keys new needs --out FILE", errUsage)
		}
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("%w: %s exists; refusing to overwrite a key set", errUsage, *out)
		}
		ks, err := envelope.GenerateKeySet()
		if err != nil {
			return err
		}
		if err := envelope.WriteKeySetFile(*out, ks); err != nil {
			return err
		}
		return printKeyList(env, ks)
	case "public", "rotate", "retire", "list":
		if *file == "" {
			return fmt.Errorf("%w: keys %s needs --keys FILE", errUsage, sub)
		}
		ks, err := envelope.ReadKeySetFile(*file)
		if err != nil {
			return err
		}
		switch sub {
		case "public":
			b, err := json.MarshalIndent(ks.Public(), "", "  ")
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s\n", b)
			return nil
		case "list":
			return printKeyList(env, ks)
		case "rotate":
			if _, err := ks.Rotate(); err != nil {
				return err
			}
		case "retire":
			if *kid == "" {
				return fmt.Errorf("%w: keys retire needs --kid KID", errUsage)
			}
			if err := ks.Retire(*kid); err != nil {
				return err
			}
		}
		if err := envelope.WriteKeySetFile(*file, ks); err != nil {
			return err
		}
		return printKeyList(env, ks)
	default:
		return fmt.Errorf("%w: unknown keys subcommand %q; want one of: %s", errUsage, sub, keysUsage)
	}
}

// printKeyList prints the key ids and their status; never key material.
func printKeyList(env *Env, ks *envelope.KeySet) error {
	type key struct {
		KID     string `json:"kid"`
		Status  string `json:"status"`
		Created string `json:"created,omitempty"`
		Retired string `json:"retired,omitempty"`
	}
	var keys []key
	for _, k := range ks.Keys() {
		kk := key{KID: k.KeyID, Status: k.Status}
		if !k.Created.IsZero() {
			kk.Created = k.Created.UTC().Format(time.RFC3339)
		}
		if !k.Retired.IsZero() {
			kk.Retired = k.Retired.UTC().Format(time.RFC3339)
		}
		keys = append(keys, kk)
	}
	b, err := json.MarshalIndent(map[string]any{"keys": keys}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return nil
}
