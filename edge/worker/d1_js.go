//go:build js && wasm

package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
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

// d1js is edge/workerjs/d1.mjs, which the entry makes a global: a unit
// goes to it as one JSON string and its rows come back as one, one crossing
// each way instead of a JS value per statement, argument, row and column.
var d1js = js.Global().Get("sealpayD1")

// binding returns the D1 binding. The environment belongs to the
// request being served, so it is looked up per call.
func (d *d1) binding() (js.Value, error) {
	db := cloudflare.GetBinding(d.name)
	if db.IsUndefined() || db.IsNull() {
		return js.Value{}, fmt.Errorf("edge/worker: no D1 binding %q", d.name)
	}
	return db, nil
}

func (d *d1) Query(ctx context.Context, q string, args ...any) (sqlunit.Rows, error) {
	db, err := d.binding()
	if err != nil {
		return nil, err
	}
	stmt, err := appendStmt(nil, sqlunit.Stmt{SQL: q, Args: args})
	if err != nil {
		return nil, err
	}
	res, err := await(d1js.Call("query", db, string(stmt)))
	if err != nil {
		return nil, fmt.Errorf("edge/worker: D1 read: %w", err)
	}
	var rows []rawRow
	if err := json.Unmarshal([]byte(res.String()), &rows); err != nil {
		return nil, fmt.Errorf("edge/worker: D1 read: %w", err)
	}
	return toRows(rows)
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
	batch := []byte{'['}
	for i, s := range stmts {
		if i > 0 {
			batch = append(batch, ',')
		}
		if batch, err = appendStmt(batch, s); err != nil {
			if undo != nil {
				undo()
			}
			return nil, err
		}
	}
	batch = append(batch, ']')
	res, err := await(d1js.Call("batch", db, string(batch)))
	if err != nil {
		if undo != nil {
			undo()
		}
		return nil, sqlunit.Classify(fmt.Errorf("edge/worker: D1 batch: %w", err))
	}
	// The batch committed: from here on an error is the adapter's, and the
	// unit's effects stay.
	var results [][]rawRow
	if err := json.Unmarshal([]byte(res.String()), &results); err != nil || len(results) != len(stmts) {
		return nil, fmt.Errorf("edge/worker: D1 batch: %d results for %d statements: %v", len(results), len(stmts), err)
	}
	out := make([]sqlunit.Rows, len(stmts))
	for i, rs := range results {
		if out[i], err = toRows(rs); err != nil {
			return nil, fmt.Errorf("edge/worker: D1 batch: %w", err)
		}
	}
	return out, nil
}

// (await, the promise helper, is in assets_js.go.)

// appendStmt appends s in d1.mjs's wire form: {"sql": ..., "args": [...]},
// a blob argument as {"$b": base64}.
func appendStmt(b []byte, s sqlunit.Stmt) ([]byte, error) {
	q, _ := json.Marshal(s.SQL) // a string always marshals
	b = append(append(append(b, `{"sql":`...), q...), `,"args":[`...)
	for i, a := range s.Args {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := a.(type) {
		case []byte:
			b = append(b, `{"$b":"`...)
			b = base64.StdEncoding.AppendEncode(b, v)
			b = append(b, `"}`...)
		case string, int, int64, float64, bool, nil:
			j, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("edge/worker: D1 argument %d: %w", i, err)
			}
			b = append(b, j...)
		default:
			return nil, fmt.Errorf("edge/worker: D1 argument %d is a %T", i, a)
		}
	}
	return append(b, "]}"...), nil
}

// rawRow is a row in d1.mjs's wire form.
type rawRow []json.RawMessage

// toRows converts rows from the wire form: numbers (float64), strings,
// NULL, booleans (as 0 or 1) and blobs ({"$b": base64}).
func toRows(rows []rawRow) (sqlunit.Rows, error) {
	out := make(sqlunit.Rows, len(rows))
	for i, raw := range rows {
		r := make(sqlunit.Row, len(raw))
		for k, c := range raw {
			if len(c) > 0 && c[0] == '{' {
				var blob struct {
					B []byte `json:"$b"` // encoding/json decodes standard base64
				}
				if err := json.Unmarshal(c, &blob); err != nil {
					return nil, err
				}
				if blob.B == nil {
					blob.B = []byte{}
				}
				r[k] = blob.B
				continue
			}
			if err := json.Unmarshal(c, &r[k]); err != nil {
				return nil, err
			}
			if b, ok := r[k].(bool); ok { // SQLite has none, but as before
				r[k] = int64(0)
				if b {
					r[k] = int64(1)
				}
			}
		}
		out[i] = r
	}
	return out, nil
}
