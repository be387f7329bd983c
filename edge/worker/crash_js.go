//go:build js && wasm && sealpay_crashtest

package main

import (
	"net/http"
	"os"
)

// With the sealpay_crashtest build tag, for edge/worker_test.go only, the
// Worker ends its Go program on request, the two ways a bug can:
//
//	POST /__crash/panic  a goroutine panics outside the handler's recovery
//	POST /__crash/exit   os.Exit(3)
//
// The entry must answer that request with a 500 and serve the next one
// from a new instance.
func init() {
	wrapForTest = func(next http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/", next)
		mux.HandleFunc("POST /__crash/panic", func(w http.ResponseWriter, r *http.Request) {
			go panic("edge/worker: crash test")
			select {} // the panic ends the program first
		})
		mux.HandleFunc("POST /__crash/exit", func(w http.ResponseWriter, r *http.Request) {
			os.Exit(3)
		})
		return mux
	}
}
