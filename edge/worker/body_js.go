//go:build js && wasm

package main

import (
	"bytes"
	"net/http"
	"syscall/js"
)

// rawBodyWriter is the method of syumai/workers' ResponseWriter that sets
// the JS Response body to a JS value as it is.
type rawBodyWriter interface {
	WriteRawJSBody(body js.Value)
}

// wholeBody hands each response to the Worker as one Uint8Array, written
// after the handler has returned.
//
// The library streams other bodies through a ReadableStream whose pull and
// cancel callbacks (js.FuncOf, each holding a 16 KiB buffer) are never
// released: in an instance that lives for many requests that is 16 KiB
// lost per request. Responses here are small JSON documents and PNGs, so
// one copy costs less than the stream did, and the handler is done before
// the entry sees the Response.
func wholeBody(next http.Handler) http.Handler {
	uint8Array := js.Global().Get("Uint8Array")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := w.(rawBodyWriter)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusNotModified {
			// As net/http does natively (RFC 9110 §15.4.5: a 304 has no
			// representation of its own).
			rec.header.Del("Content-Type")
		}
		body := uint8Array.New(rec.body.Len())
		js.CopyBytesToJS(body, rec.body.Bytes())
		raw.WriteRawJSBody(body)
		w.WriteHeader(rec.status)
	})
}

// recorder collects a response: the header map is the real writer's.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = status, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	return r.body.Write(p)
}
