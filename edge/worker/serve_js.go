//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall/js"
)

// serve registers h as the instance's "serve" function, which the entry
// (edge/workerjs/worker.mjs) calls once per request:
//
//	serve(method, url, fields, body) → Promise<[status, statusText, fields, body, point?]>
//
// fields are the header fields as one string, "name\nvalue\n" for each
// (fetch's Headers hold no line breaks), both ways; body is a Uint8Array
// or null. The entry reads the request body whole before the call, and Go
// hands the response over whole once the handler has returned. It
// replaces syumai/workers' handleRequest, which crosses into JS for every
// header, streams both bodies through ReadableStreams (whose callbacks it
// never releases: 16 KiB lost per request in a long-lived instance) and
// splits every header value at its commas.
//
// With points (the Worker has the Analytics Engine binding), the answer
// also carries the request's data point as one string (pointRecorder),
// which the entry writes to the dataset.
//
// One goroutine serves the instance's requests in turn (the pool lends an
// instance to one request at a time), so its stack has grown once and not
// for every request.
//
// after, if not nil, runs once the handler has returned, before the
// response is handed over, while the request's ExecutionContext is still
// the instance's (the event delivery's ctx.waitUntil).
func serve(binding js.Value, h http.Handler, after func(), points *pointRecorder) {
	promise := js.Global().Get("Promise")
	uint8Array := js.Global().Get("Uint8Array")
	type job struct {
		r       *http.Request
		resolve js.Value
	}
	jobs := make(chan job, 1)
	go func() {
		for j := range jobs {
			rec := &recorder{header: http.Header{}, status: http.StatusOK}
			h.ServeHTTP(rec, j.r)
			if after != nil {
				after()
			}
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
			answer := []any{rec.status, http.StatusText(rec.status), fieldsOf(rec.header), body}
			if points != nil {
				answer = append(answer, points.take())
			}
			j.resolve.Invoke(js.ValueOf(answer))
		}
	}()
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
			settle.Release()
			jobs <- job{r, p[0]}
			return nil
		})
		return promise.New(settle)
	}))
}

// request makes the *http.Request for the handler, as net/http would for
// the same request on the native server: one value per field line (the
// fetch API has joined repeated fields with ", ").
func request(method, rawURL, fields string, body js.Value) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("serve: request URL: %w", err)
	}
	h := make(http.Header, strings.Count(fields, "\n")/2)
	for rest := fields; rest != ""; {
		var name, value string
		var ok bool
		if name, rest, ok = strings.Cut(rest, "\n"); ok {
			value, rest, ok = strings.Cut(rest, "\n")
		}
		if !ok {
			return nil, fmt.Errorf("serve: request header fields are malformed")
		}
		h.Add(name, value)
	}
	var b []byte
	if !body.IsNull() && !body.IsUndefined() {
		b = make([]byte, body.Get("length").Int())
		js.CopyBytesToGo(b, body)
	}
	r := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
		Host:          u.Host,
		RequestURI:    u.RequestURI(),
		// The peer is Cloudflare, which sets CF-Connecting-IP itself.
		RemoteAddr: h.Get("CF-Connecting-IP"),
	}
	if host := h.Get("Host"); host != "" {
		r.Host = host
	}
	if b == nil {
		r.Body = http.NoBody
	}
	return r.WithContext(context.Background()), nil
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
