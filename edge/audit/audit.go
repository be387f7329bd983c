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
// D1 has no transactions, so an append cannot read the chain head and
// insert under one lock. Instead every entry has a sequence number that is
// the table's primary key: an appender reads the head (seq n, hash h),
// inserts seq n+1 chained to h with ON CONFLICT DO NOTHING, and if another
// appender won the race (no row inserted) reads the new head and tries
// again. The single INSERT is atomic, so the chain is never forked.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// genesis is the "previous hash" of the first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// maxAppendTries bounds the retries of a contended append.
const maxAppendTries = 64

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
// sdk/token/migrations/*_audit.sql).
type Log struct {
	db *sql.DB
	// mu serializes this process's appends so they do not race each other
	// for the same sequence number; races with other processes (other
	// Worker isolates) are resolved by retrying.
	mu sync.Mutex
	// seq and hash are the head this Log last wrote, if hasHead: the next
	// append tries it first and re-reads the head only when another writer
	// got in between (the INSERT then inserts nothing).
	hasHead bool
	seq     int64
	hash    string
	// insert is the prepared INSERT, made on first use: modernc.org/sqlite
	// otherwise parses and plans it on every append.
	insert *sql.Stmt
}

// New returns a Log on db.
func New(db *sql.DB) *Log { return &Log{db: db} }

// Append chains e to the head of the log and stores it. It sets e.Seq,
// e.Prev and e.Hash and returns the stored entry.
func (l *Log) Append(ctx context.Context, e Entry) (Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.Time = time.UnixMilli(e.Time.UnixMilli())
	for range maxAppendTries {
		seq, prev := l.seq, l.hash
		if !l.hasHead {
			var err error
			if seq, prev, err = head(ctx, l.db); err != nil {
				return Entry{}, err
			}
		}
		l.hasHead = false
		var err error
		e.Seq, e.Prev = seq+1, prev
		if e.Hash, err = e.ComputeHash(prev); err != nil {
			return Entry{}, err
		}
		if l.insert == nil {
			if l.insert, err = l.db.PrepareContext(ctx, insertEntry); err != nil {
				return Entry{}, fmt.Errorf("audit: preparing the append: %w", err)
			}
		}
		res, err := l.insert.ExecContext(ctx,
			e.Seq, e.Time.UnixMilli(), e.Merchant, e.Action, e.Target, e.Token, e.Code, e.Prev, e.Hash)
		if err != nil {
			if isConflict(err) {
				continue
			}
			return Entry{}, fmt.Errorf("audit: appending entry: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			continue // another appender took this sequence number
		}
		l.hasHead, l.seq, l.hash = true, e.Seq, e.Hash
		return e, nil
	}
	return Entry{}, errors.New("audit: append kept losing the race for the next sequence number")
}

const insertEntry = `INSERT INTO audit_log
	(seq, at, merchant, action, target, token, code, prev_hash, hash)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(seq) DO NOTHING`

// isConflict reports whether err is a uniqueness conflict. Drivers word it
// differently; the ON CONFLICT clause makes this a fallback.
func isConflict(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLITE_CONSTRAINT")
}

func head(ctx context.Context, db *sql.DB) (int64, string, error) {
	var seq int64
	var hash string
	err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, genesis, nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("audit: reading the chain head: %w", err)
	}
	return seq, hash, nil
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
