package main

import (
	"encoding/json"
	"fmt"

	"github.com/sealpay/sealpay/sdk/card"
)

func init() {
	register("card", "check card JSON or a bare number from stdin", runCard)
}

func runCard(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: want: card check < card.json (or a bare number)", errUsage)
	}
	fs := newFlags(env, "card check", "card check < card.json (or a bare number)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	in, err := readInput(env, maxCardInput)
	if err != nil {
		return err
	}
	res := card.Check(in, env.Now())
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", b)
	if res.Error != nil {
		return errQuiet
	}
	return nil
}
