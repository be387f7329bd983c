//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"syscall/js"
)

// serve registers h as the instance's "serve" function, which the entry
// (edge/workerjs/worker.mjs) calls once per request:
//
//	serve(method, url, headers, body) → Promise<[status, statusText, headers, body]>
//
// headers is a JSON array of [name, value] pairs both ways, body a
// Uint8Array or null. The entry reads the request body whole before the
// call, and Go hands the response over whole once the handler has
// returned. It replaces syumai/workers' handleRequest, which crosses into
// JS for every header, streams both bodies through ReadableStreams (whose
// callbacks it never releases: 16 KiB lost per request in a long-lived
// instance) and splits every header value at its commas.
func serve(binding js.Value, h http.Handler) {
	promise := js.Global().Get("Promise")
	uint8Array := js.Global().Get("Uint8Array")
	binding.Set("serve", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 4 {
			return promise.Call("reject", js.Global().Get("Error").New("serve: want 4 arguments"))
		}
		r, err := request(args[0].String(), args[1].String(), args[2].String(), args[3])
		if err != nil {
			return promise.Call("reject", js.Global().Get("Error").New(err.Error()))
		}
		var settle js.Func
		settle = js.FuncOf(func(_ js.Value, p []js.Value) any {
			defer settle.Release()
			resolve := p[0]
			go func() {
				rec := &recorder{header: http.Header{}, status: http.StatusOK}
				h.ServeHTTP(rec, r)
				if rec.status == http.StatusNotModified {
					// As net/http does natively (RFC 9110 §15.4.5: a 304
					// has no representation of its own).
					rec.header.Del("Content-Type")
				}
				body := js.Null()
				if !nullBody(rec.status) {
					body = uint8Array.New(rec.body.Len())
					js.CopyBytesToJS(body, rec.body.Bytes())
				}
				resolve.Invoke(js.ValueOf([]any{rec.status, http.StatusText(rec.status), headerJSON(rec.header), body}))
			}()
			return nil
		})
		return promise.New(settle)
	}))
}

// request makes the *http.Request for the handler, as net/http would for
// the same request on the native server: one value per field line (the
// fetch API has joined repeated fields with ", ").
func request(method, rawURL, headers string, body js.Value) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("serve: request URL: %w", err)
	}
	var pairs [][2]string
	if err := json.Unmarshal([]byte(headers), &pairs); err != nil {
		return nil, fmt.Errorf("serve: request headers: %w", err)
	}
	h := make(http.Header, len(pairs))
	for _, p := range pairs {
		h.Add(p[0], p[1])
	}
	var b []byte
	if !body.IsNull() && !body.IsUndefined() {
		b = make([]byte, body.Get("length").Int())
		js.CopyBytesToGo(b, body)
	}
	r, err := http.NewRequestWithContext(context.Background(), method, u.String(), bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	r.Header, r.Host = h, h.Get("Host")
	if r.Host == "" {
		r.Host = u.Host
	}
	r.RequestURI = u.RequestURI()
	// The peer is Cloudflare, which sets CF-Connecting-IP itself.
	r.RemoteAddr = h.Get("CF-Connecting-IP")
	return r, nil
}

// headerJSON is h as a JSON array of [name, value] pairs.
func headerJSON(h http.Header) string {
	pairs := make([][2]string, 0, len(h))
	for k, vs := range h {
		for _, v := range vs {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	b, _ := json.Marshal(pairs) // strings always marshal
	return string(b)
}

// nullBody reports whether a response with this status has no body (the
// fetch API's Response refuses one).
func nullBody(status int) bool {
	switch status {
	case http.StatusSwitchingProtocols, http.StatusNoContent, http.StatusResetContent, http.StatusNotModified:
		return true
	}
	return false
}

// recorder collects a response.
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
