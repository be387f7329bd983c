//go:build !(js && wasm)

// Command worker is the Sealpay edge as a Cloudflare Worker. It only builds
// for GOOS=js GOARCH=wasm (see edge/build.sh); on other platforms use
// `sealpay serve`.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "edge/worker: build with GOOS=js GOARCH=wasm (edge/build.sh); natively, run `sealpay serve --config FILE`")
	os.Exit(2)
}
