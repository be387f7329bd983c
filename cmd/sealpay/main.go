// Command sealpay is Sealpay's one binary: key sets, sealing and opening
// card envelopes, card checks, payment QR codes, the edge server and the demo.
//
// Card data and secrets are read only from stdin or files, never from the
// command line, where ps and shell history would keep them.
//
// Usage:
//
//	sealpay keys new --out FILE
//	sealpay keys public --keys FILE
//	sealpay keys rotate --keys FILE
//	sealpay keys retire --keys FILE --kid KID
//	sealpay seal --jwks FILE --merchant MID [--origin URL] [--ttl DURATION] < card.json
//	sealpay open --keys FILE [--merchant MID] [--origin URL] < envelope
//	sealpay card check < card.json (or a bare number)
//	sealpay qr parse|sign|verify ...
//	sealpay registry init|certify|revoke|bundle ...
//	sealpay serve --config FILE [--addr 127.0.0.1:8787]
//	sealpay demo
//
// Failures print {"error":{"code":"...","message":"..."}} to stderr and exit
// with status 1 (2 for usage errors).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// Env is what a subcommand may touch: its streams and its clock. Tests run
// subcommands in-process with buffers and a fixed clock.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
}

// command runs one subcommand with the arguments after its name.
type command struct {
	run     func(env *Env, args []string) error
	summary string
}

// commands is filled by the init functions of the files that implement them.
var commands = map[string]command{}

func register(name, summary string, run func(env *Env, args []string) error) {
	commands[name] = command{run: run, summary: summary}
}

// errUsage marks a usage error: exit status 2.
var errUsage = errors.New("usage")

// errQuiet makes a command exit with status 1 without printing an error: the
// command has already printed its answer (e.g. `card check` on an invalid
// card prints the result, with its error code, on stdout).
var errQuiet = errors.New("quiet failure")

func main() {
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now}
	os.Exit(run(env, os.Args[1:]))
}

// run dispatches to a subcommand and turns its error into the JSON error
// shape on stderr and an exit status.
func run(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "sealpay: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	err := cmd.run(env, args[1:])
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errQuiet) {
		return 1
	}
	if errors.Is(err, errUsage) {
		fmt.Fprintf(env.Stderr, "sealpay %s: %v\n", args[0], err)
		return 2
	}
	writeError(env.Stderr, err)
	return 1
}

// writeError prints err as {"error":{"code","message"}}. Error messages in
// sdk/ never contain card data, keys or tokens.
func writeError(w io.Writer, err error) {
	type body struct {
		Code    errcode.Code `json:"code"`
		Message string       `json:"message"`
	}
	b, _ := json.Marshal(map[string]body{"error": {Code: errcode.Of(err), Message: err.Error()}})
	fmt.Fprintf(w, "%s\n", b)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "sealpay — end-to-end card sealing, payment QR checks and the Sealpay edge.")
	fmt.Fprintln(w, "\nCard data and secrets are read from stdin or files only.\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'sealpay COMMAND -h' for a command's flags.")
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(env *Env, name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: sealpay %s\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and refuses stray positional arguments, which is
// where a card number typed on the command line would end up.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments (card data and secrets go on stdin, never on the command line)", errUsage)
	}
	return nil
}

// readInput reads at most limit bytes of stdin.
func readInput(env *Env, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(env.Stdin, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, errcode.New(errcode.PayloadTooLarge, fmt.Sprintf("input larger than %d bytes", limit))
	}
	return b, nil
}
