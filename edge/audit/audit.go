// Package audit keeps the edge's append-only, hash-chained audit log in the
// vault's database (SQLite natively, D1 at the edge).
//
// For most uses, call [Log.Append] from the edge for every tokenize,
// forward, relay, delete and refusal, and [Verify] to check the chain
// (sealpay audit verify).
//
// Each entry's hash is SHA-256 over the previous entry's hash and the
// entry's canonical encoding (see [Entry.Canonical]); the first entry
// chains to 32 zero bytes. Entries carry no card data: a merchant id, an
// action, a target (route name or relay host), token ids, an error code and
// a time.
//
// An entry is the last statement of its operation's unit ([Log.Tail]),
// built when the unit runs from the head this process knows. Every entry
// has a sequence number that is the table's primary key: if another
// process (another Worker) appended first, the INSERT fails, so does the
// unit, and [sqlunit.Exec] runs it again on the head read anew. The chain
// is never forked.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// genesis is the "previous hash" of the first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ErrBroken is returned (wrapped in a [*BrokenLinkError]) by [Verify] when
// the chain does not verify.
var ErrBroken = errcode.New(errcode.Internal, "audit: hash chain broken")

// Entry is one audit log entry.
type Entry struct {
	Seq      int64     // 1, 2, 3, … assigned by Append
	Time     time.Time // stored with millisecond precision
	Merchant string    // merchant id, or "" when the caller was not identified
	Action   string    // e.g. "tokenize", "forward", "relay", "get", "delete", "refuse"
	Target   string    // route name, relay host or path; never a URL with a query
	Token    string    // token ids, comma-separated, if any
	Code     string    // "" on success, otherwise the error code
	Prev     string    // hex hash of the previous entry
	Hash     string    // hex hash of this entry
}

// canonical is the fixed-order shape that is hashed.
type canonical struct {
	Seq      int64  `json:"seq"`
	At       int64  `json:"at"`
	Merchant string `json:"merchant"`
	Action   string `json:"action"`
	Target   string `json:"target"`
	Token    string `json:"token"`
	Code     string `json:"code"`
}

// Canonical returns the bytes that are hashed for e: compact JSON with the
// members seq, at (Unix milliseconds), merchant, action, target, token,
// code in that order, without HTML escaping.
func (e *Entry) Canonical() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(canonical{e.Seq, e.Time.UnixMilli(), e.Merchant, e.Action, e.Target, e.Token, e.Code})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// ComputeHash returns the hex SHA-256 of prev's bytes followed by
// [Entry.Canonical].
func (e *Entry) ComputeHash(prev string) (string, error) {
	p, err := hex.DecodeString(prev)
	if err != nil || len(p) != sha256.Size {
		return "", fmt.Errorf("audit: previous hash is not 64 hex digits: %w", ErrBroken)
	}
	h := sha256.New()
	h.Write(p)
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Log appends to the audit_log table (created by the vault's migrations,
// edge/migrations/*_audit.sql). Each entry is the last statement of
// the unit of the operation it records ([Log.Tail]), so an operation and
// its entry are stored together or not at all.
type Log struct {
	q sqlunit.Querier
	// mu guards the head: the seq and hash of the last entry, as this Log
	// believes it to be (hasHead false: unknown, read it first).
	mu      sync.Mutex
	hasHead bool
	seq     int64
	hash    string
}

// New returns a Log that reads the chain's head with q.
func New(q sqlunit.Querier) *Log { return &Log{q: q} }

// Tail returns the unit tail that appends e: when the unit runs, e is
// chained to the head at that moment. Its Seq, Prev and Hash are set then.
func (l *Log) Tail(e Entry) sqlunit.Tail { return &tail{l: l, e: e} }

// Append stores e in a unit of its own and returns the stored entry.
func (l *Log) Append(ctx context.Context, ex sqlunit.Executor, e Entry) (Entry, error) {
	t := &tail{l: l, e: e}
	if _, err := sqlunit.Exec(ctx, ex, sqlunit.Unit{Tail: t}); err != nil {
		return Entry{}, fmt.Errorf("audit: appending entry: %w", err)
	}
	return t.e, nil
}

type tail struct {
	l *Log
	e Entry
}

func (t *tail) Next(ctx context.Context) (sqlunit.Stmt, func(), error) {
	l := t.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.hasHead {
		seq, hash, err := head(ctx, l.q)
		if err != nil {
			return sqlunit.Stmt{}, nil, err
		}
		l.hasHead, l.seq, l.hash = true, seq, hash
	}
	e := t.e
	e.Time = time.UnixMilli(e.Time.UnixMilli())
	e.Seq, e.Prev = l.seq+1, l.hash
	var err error
	if e.Hash, err = e.ComputeHash(e.Prev); err != nil {
		return sqlunit.Stmt{}, nil, err
	}
	t.e = e
	prevSeq, prevHash := l.seq, l.hash
	l.seq, l.hash = e.Seq, e.Hash
	undo := func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.seq == e.Seq && l.hash == e.Hash {
			l.seq, l.hash = prevSeq, prevHash
		} else {
			l.hasHead = false // someone else moved it: read it again
		}
	}
	return sqlunit.S(insertEntry, e.Seq, e.Time.UnixMilli(), e.Merchant, e.Action, e.Target, e.Token, e.Code, e.Prev, e.Hash), undo, nil
}

// Stale re-reads the head after a failed unit: another writer (another
// Worker) may have taken the sequence number.
func (t *tail) Stale(ctx context.Context, q sqlunit.Querier) (bool, error) {
	seq, hash, err := head(ctx, q)
	if err != nil {
		return false, err
	}
	l := t.l
	l.mu.Lock()
	defer l.mu.Unlock()
	stale := !l.hasHead || seq != l.seq || hash != l.hash
	l.hasHead, l.seq, l.hash = true, seq, hash
	return stale, nil
}

// insertEntry fails on a taken sequence number (the primary key), which
// fails the entry's unit: the chain is never forked.
const insertEntry = `INSERT INTO audit_log
	(seq, at, merchant, action, target, token, code, prev_hash, hash)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

func head(ctx context.Context, q sqlunit.Querier) (int64, string, error) {
	rows, err := q.Query(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)
	if err != nil {
		return 0, "", fmt.Errorf("audit: reading the chain head: %w", err)
	}
	if len(rows) == 0 {
		return 0, genesis, nil
	}
	return rows[0].Int(0), rows[0].String(1), nil
}

// BrokenLinkError reports the first entry at which the chain fails.
type BrokenLinkError struct {
	Seq    int64  // the first entry that does not verify (or the missing one)
	Reason string // what is wrong, e.g. "hash does not match the entry"
}

func (e *BrokenLinkError) Error() string {
	return fmt.Sprintf("audit: chain broken at entry %d: %s", e.Seq, e.Reason)
}

// Unwrap returns [ErrBroken].
func (e *BrokenLinkError) Unwrap() error { return ErrBroken }

// Verify walks the whole chain in sequence order and returns the number of
// entries that verified. It returns a [*BrokenLinkError] for the first
// missing sequence number, wrong previous hash or wrong entry hash.
//
// A chain cannot show that entries were cut off its end; compare the count
// (or the head hash) with one recorded elsewhere to detect that.
func Verify(ctx context.Context, db *sql.DB) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, at, merchant, action, target, token, code, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("audit: reading the log: %w", err)
	}
	defer rows.Close()
	prev := genesis
	var n int64
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Merchant, &e.Action, &e.Target, &e.Token, &e.Code, &e.Prev, &e.Hash); err != nil {
			return n, fmt.Errorf("audit: reading entry %d: %w", n+1, err)
		}
		e.Time = time.UnixMilli(at)
		switch want := n + 1; {
		case e.Seq != want:
			return n, &BrokenLinkError{Seq: want, Reason: fmt.Sprintf("entry missing (next stored entry is %d)", e.Seq)}
		case e.Prev != prev:
			return n, &BrokenLinkError{Seq: e.Seq, Reason: "previous hash does not match the previous entry"}
		}
		h, err := e.ComputeHash(prev)
		if err != nil || h != e.Hash {
			return n, &BrokenLinkError{Seq: e.Seq, Reason: "hash does not match the entry"}
		}
		prev = e.Hash
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("audit: reading the log: %w", err)
	}
	return n, nil
}
