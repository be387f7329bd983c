//go:build js && wasm

package main

import (
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall/js"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// assetsFS is the edge's browser assets in the Worker: the Workers static
// assets of wrangler.toml's [assets] (build/assets/v1/, written by
// edge/build.sh), read through the binding "ASSETS" of the request being
// served.
//
// The entry (edge/workerjs/assets.mjs) answers the requests for every
// asset but frame.html itself, so the modules never pass through Go's
// memory; frame.html comes here because its Content-Security-Policy is
// made from the configuration. Without the binding there are no assets,
// as natively without assets_dir.
type assetsFS struct{}

var _ fs.ReadFileFS = assetsFS{}

// Open opens one asset, read whole.
func (a assetsFS) Open(name string) (fs.File, error) {
	b, err := a.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &assetFile{data: b, name: name, size: int64(len(b))}, nil
}

// ReadFile reads one asset: GET /v1/{name} from the binding.
func (assetsFS) ReadFile(name string) ([]byte, error) {
	notExist := &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	if !fs.ValidPath(name) || name == "." || strings.Contains(name, "/") {
		return nil, notExist
	}
	binding := cloudflare.GetBinding("ASSETS")
	if binding.IsUndefined() || binding.IsNull() {
		return nil, notExist
	}
	// The host is not looked at: the binding serves its own files only.
	res, err := await(binding.Call("fetch", "https://assets.invalid/v1/"+name))
	if err != nil {
		return nil, fmt.Errorf("edge/worker: reading the static asset %s: %w", name, err)
	}
	switch status := res.Get("status").Int(); status {
	case 200:
	case 404:
		return nil, notExist
	default:
		return nil, fmt.Errorf("edge/worker: the static asset %s answered %d", name, status)
	}
	buf, err := await(res.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("edge/worker: reading the static asset %s: %w", name, err)
	}
	b := make([]byte, buf.Get("byteLength").Int())
	js.CopyBytesToGo(b, js.Global().Get("Uint8Array").New(buf))
	return b, nil
}

// await blocks the calling goroutine until the promise p settles. Unlike
// the library's helper it releases both callbacks, so a long-lived
// instance does not keep them.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	resolve := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{v: args[0]}
		return nil
	})
	reject := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{err: fmt.Errorf("%s", js.Global().Get("String").Invoke(args[0]).String())}
		return nil
	})
	defer resolve.Release()
	defer reject.Release()
	p.Call("then", resolve, reject)
	r := <-done
	return r.v, r.err
}

// assetFile is an asset read whole, as an fs.File and its fs.FileInfo.
// (Not a bytes.Reader: its other methods would add 10 KB to app.wasm.)
type assetFile struct {
	data []byte // what is left to read
	name string
	size int64
}

func (f *assetFile) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func (f *assetFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *assetFile) Close() error               { return nil }
func (f *assetFile) Name() string               { return f.name }
func (f *assetFile) Size() int64                { return f.size }
func (f *assetFile) Mode() fs.FileMode          { return 0o444 }
func (f *assetFile) ModTime() time.Time         { return time.Time{} }
func (f *assetFile) IsDir() bool                { return false }
func (f *assetFile) Sys() any                   { return nil }
