//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/syumai/workers/cloudflare"
)

// d1 is the edge's store on the Worker's D1 binding: each unit is one
// db.batch() — one round trip, atomic (a failing statement rolls the whole
// batch back) — and each read one db.prepare().bind().raw(). It talks to
// the binding itself: github.com/syumai/workers v0.33.0's database/sql
// driver offers neither batch() nor anything else atomic.
type d1 struct {
	name string
}

var _ sqlunit.Executor = (*d1)(nil)

var (
	uint8Array = js.Global().Get("Uint8Array")
	jsArray    = js.Global().Get("Array")
	jsObject   = js.Global().Get("Object")
)

// binding returns the D1 binding. The environment belongs to the
// request being served, so it is looked up per call.
func (d *d1) binding() (js.Value, error) {
	db := cloudflare.GetBinding(d.name)
	if db.IsUndefined() || db.IsNull() {
		return js.Value{}, fmt.Errorf("edge/worker: no D1 binding %q", d.name)
	}
	return db, nil
}

func (d *d1) prepare(db js.Value, s sqlunit.Stmt) js.Value {
	args := make([]any, len(s.Args))
	for i, a := range s.Args {
		switch v := a.(type) {
		case []byte:
			b := uint8Array.New(len(v))
			js.CopyBytesToJS(b, v)
			args[i] = b
		default:
			args[i] = v
		}
	}
	return db.Call("prepare", s.SQL).Call("bind", args...)
}

func (d *d1) Query(ctx context.Context, q string, args ...any) (sqlunit.Rows, error) {
	db, err := d.binding()
	if err != nil {
		return nil, err
	}
	res, err := await(d.prepare(db, sqlunit.Stmt{SQL: q, Args: args}).Call("raw"))
	if err != nil {
		return nil, fmt.Errorf("edge/worker: D1 read: %w", err)
	}
	out := make(sqlunit.Rows, res.Length())
	for i := range out {
		out[i] = row(res.Index(i))
	}
	return out, nil
}

func (d *d1) Exec(ctx context.Context, u sqlunit.Unit) ([]sqlunit.Rows, error) {
	db, err := d.binding()
	if err != nil {
		return nil, err
	}
	stmts := u.Stmts
	var undo func()
	if u.Tail != nil {
		s, un, err := u.Tail.Next(ctx)
		if err != nil {
			return nil, err
		}
		stmts, undo = append(stmts[:len(stmts):len(stmts)], s), un
	}
	batch := jsArray.New(len(stmts))
	for i, s := range stmts {
		batch.SetIndex(i, d.prepare(db, s))
	}
	res, err := await(db.Call("batch", batch))
	if err != nil {
		if undo != nil {
			undo()
		}
		return nil, sqlunit.Classify(fmt.Errorf("edge/worker: D1 batch: %w", err))
	}
	out := make([]sqlunit.Rows, len(stmts))
	for i := range out {
		rs := res.Index(i).Get("results")
		if rs.IsUndefined() || rs.IsNull() {
			continue
		}
		out[i] = make(sqlunit.Rows, rs.Length())
		for k := range out[i] {
			out[i][k] = row(jsObject.Call("values", rs.Index(k)))
		}
	}
	return out, nil
}

// (await, the promise helper, is in assets_js.go.)

// row converts a JS array of column values.
func row(a js.Value) sqlunit.Row {
	r := make(sqlunit.Row, a.Length())
	for i := range r {
		r[i] = value(a.Index(i))
	}
	return r
}

// value converts one D1 column value: numbers, strings, null, and blobs
// (arrays of byte values, or an ArrayBuffer view).
func value(v js.Value) any {
	switch v.Type() {
	case js.TypeNumber:
		return v.Float()
	case js.TypeString:
		return v.String()
	case js.TypeBoolean:
		if v.Bool() {
			return int64(1)
		}
		return int64(0)
	case js.TypeObject:
		if v.InstanceOf(jsArray) {
			b := make([]byte, v.Length())
			for i := range b {
				b[i] = byte(v.Index(i).Int())
			}
			return b
		}
		if v.InstanceOf(js.Global().Get("ArrayBuffer")) {
			v = uint8Array.New(v)
		}
		b := make([]byte, v.Get("length").Int())
		js.CopyBytesToGo(b, v)
		return b
	}
	return nil
}
