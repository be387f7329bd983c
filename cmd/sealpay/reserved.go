package main

import (
	"errors"
	"fmt"
)

// errNotYet is returned by subcommands whose work is reserved for later
// issues: they fail honestly rather than pretend.
var errNotYet = errors.New("not built yet")

func init() {
	register("demo", "run the local edge, storefront and merchant backend (not built yet)", func(env *Env, args []string) error {
		fmt.Fprintln(env.Stderr, "sealpay demo will build the browser module, create a demo merchant, keys and a")
		fmt.Fprintln(env.Stderr, "registry in a data directory, start the edge with its SQLite vault, the example")
		fmt.Fprintln(env.Stderr, "merchant backend and the storefront, and print the URL to open.")
		return fmt.Errorf("demo: %w", errNotYet)
	})
}
