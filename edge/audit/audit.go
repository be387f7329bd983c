// Package audit keeps the edge's append-only, keyed and anchored audit log
// in the vault's database (SQLite natively, D1 at the edge).
//
// For most uses, make a [Log] with [New] and [ParseKeys], put
// [Log.Tail] into the unit of every tokenize, forward, relay and delete,
// [Log.Append] refusals, [Log.Refusal] refusals of unauthenticated
// callers and rate-limited requests (counted, at most one entry per
// client and minute), and check the chain with [Verify] (sealpay audit
// verify). [Prune] cuts entries older than the retention, archiving them
// first.
//
// # The chain
//
// Each entry's hash is HMAC-SHA256, under an audit key kept outside the
// database, of a domain string, the previous entry's hash (32 bytes) and
// the entry's canonical encoding ([Entry.Canonical]); the first entry
// chains to 32 zero bytes. Whoever can write the database but does not
// hold the key cannot delete entries and re-hash the rest, nor edit one
// with the triggers dropped: [Verify] finds the first link that fails.
// A cut-off tail leaves a valid chain, so an operator records the head
// ([Result.Head]) elsewhere and verifies with [VerifyOptions.ExpectHead].
// Entries written before audit keys (mac_key "") are unkeyed SHA-256
// links; they verify only as a prefix followed by keyed entries.
//
// Entries carry no card data: a merchant id, an action, a target (route
// name or relay host), token ids, an error code, the client's address, a
// fingerprint of the API key presented (never the key) and a time.
//
// # Concurrency
//
// An entry is the last statement of its operation's unit ([Log.Tail]),
// MACed when the unit runs on the head this process knows. The database
// checks the link inside the unit: seq is the primary key, and a trigger
// (migration 0101) refuses an entry whose prev_hash is not the hash of
// the entry (or checkpoint) just before it. If another process (another
// Worker) appended first, the unit fails, and [sqlunit.Exec] runs it
// again on the head read anew. Natively the units of a group commit run
// one after the other on one writer, each seeing the one before; on D1
// each unit is one batch(). The chain is never forked.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
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
	Seq      int64     `json:"seq"`      // 1, 2, 3, … assigned by Append
	Time     time.Time `json:"time"`     // stored with millisecond precision
	Merchant string    `json:"merchant"` // merchant id, or "" when the caller was not identified
	Action   string    `json:"action"`   // e.g. "tokenize", "forward", "relay", "get", "delete", "refuse"
	Target   string    `json:"target"`   // route name, relay host or path; never a URL with a query
	Token    string    `json:"token"`    // token ids, comma-separated, if any
	Code     string    `json:"code"`     // "" on success, otherwise the error code
	Client   string    `json:"client"`   // the client's address
	KeyID    string    `json:"key_id"`   // fingerprint of the API key presented, e.g. "pk:sha256:0123456789ab"; never the key
	MACKey   string    `json:"mac_key"`  // id of the audit key that MACed the entry; "" for unkeyed entries written before audit keys
	Prev     string    `json:"prev"`     // hex hash of the previous entry
	Hash     string    `json:"hash"`     // hex hash (MAC) of this entry
}

// legacyCanonical is the fixed-order shape of unkeyed entries.
type legacyCanonical struct {
	Seq      int64  `json:"seq"`
	At       int64  `json:"at"`
	Merchant string `json:"merchant"`
	Action   string `json:"action"`
	Target   string `json:"target"`
	Token    string `json:"token"`
	Code     string `json:"code"`
}

// canonical is the fixed-order shape of keyed entries.
type canonical struct {
	V        int    `json:"v"`
	Seq      int64  `json:"seq"`
	At       int64  `json:"at"`
	Merchant string `json:"merchant"`
	Action   string `json:"action"`
	Target   string `json:"target"`
	Token    string `json:"token"`
	Code     string `json:"code"`
	Client   string `json:"client"`
	KeyID    string `json:"key_id"`
	MACKey   string `json:"mac_key"`
}

// Canonical returns the bytes that are hashed for e: compact JSON without
// HTML escaping. A keyed entry's members are v (2), seq, at (Unix
// milliseconds), merchant, action, target, token, code, client, key_id and
// mac_key in that order; an unkeyed one's (MACKey "") are seq, at,
// merchant, action, target, token and code.
func (e *Entry) Canonical() []byte {
	var v any = canonical{2, e.Seq, e.Time.UnixMilli(), e.Merchant, e.Action, e.Target, e.Token, e.Code, e.Client, e.KeyID, e.MACKey}
	if e.MACKey == "" {
		v = legacyCanonical{e.Seq, e.Time.UnixMilli(), e.Merchant, e.Action, e.Target, e.Token, e.Code}
	}
	return compactJSON(v)
}

func compactJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// ComputeHash returns the hex SHA-256 of prev's bytes followed by
// [Entry.Canonical]: the unkeyed link of entries written before audit
// keys. Keyed entries are checked by [Verify].
func (e *Entry) ComputeHash(prev string) (string, error) {
	p, err := decodeHash(prev)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(p)
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil)), nil
}

// link returns e's hash: its keyed MAC under ks, or its unkeyed hash.
func (e *Entry) link(ks *Keys, prev string) (string, error) {
	if e.MACKey == "" {
		return e.ComputeHash(prev)
	}
	k := ks.byID[e.MACKey]
	if k == nil {
		return "", fmt.Errorf("audit: entry %d names audit key %q, which is not configured: %w", e.Seq, e.MACKey, ErrBroken)
	}
	p, err := decodeHash(prev)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(k.mac(entryDomain, p, e.Canonical())), nil
}

func decodeHash(h string) ([]byte, error) {
	p, err := hex.DecodeString(h)
	if err != nil || len(p) != sha256.Size {
		return nil, fmt.Errorf("audit: hash is not 64 hex digits: %w", ErrBroken)
	}
	return p, nil
}

// Log appends to the audit_log table (created by the vault's migrations,
// edge/migrations). Each entry is the last statement of the unit of the
// operation it records ([Log.Tail]), so an operation and its entry are
// stored together or not at all.
type Log struct {
	q    sqlunit.Querier
	keys *Keys
	// mu guards the head: the seq and hash of the last entry (or of the
	// latest checkpoint when every entry was pruned), as this Log
	// believes it to be (hasHead false: unknown, read it first).
	mu      sync.Mutex
	hasHead bool
	seq     int64
	hash    string
}

// New returns a Log that reads the chain's head with q and MACs entries
// with the primary of keys.
func New(q sqlunit.Querier, keys *Keys) *Log { return &Log{q: q, keys: keys} }

// Tail returns the unit tail that appends e: when the unit runs, e is
// chained to the head at that moment. Its Seq, MACKey, Prev and Hash are
// set then.
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
	e.Seq, e.Prev, e.MACKey = l.seq+1, l.hash, l.keys.primary.id
	var err error
	if e.Hash, err = e.link(l.keys, e.Prev); err != nil {
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
	return sqlunit.S(insertEntry, e.Seq, e.Time.UnixMilli(), e.Merchant, e.Action, e.Target, e.Token, e.Code,
		e.Client, e.KeyID, e.MACKey, e.Prev, e.Hash), undo, nil
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

// insertEntry fails on a taken sequence number (the primary key) or on a
// prev_hash that is not the head's (the trigger audit_log_link), which
// fails the entry's unit: the chain is never forked.
const insertEntry = `INSERT INTO audit_log
	(seq, at, merchant, action, target, token, code, client, key_id, mac_key, prev_hash, hash)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// selectHead is the last entry, or the latest checkpoint if every entry
// was pruned.
const selectHead = `SELECT seq, hash FROM (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1)
	UNION ALL SELECT seq, hash FROM (SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1)
	ORDER BY seq DESC LIMIT 1`

func head(ctx context.Context, q sqlunit.Querier) (int64, string, error) {
	rows, err := q.Query(ctx, selectHead)
	if err != nil {
		return 0, "", fmt.Errorf("audit: reading the chain head: %w", err)
	}
	if len(rows) == 0 {
		return 0, genesis, nil
	}
	return rows[0].Int(0), rows[0].String(1), nil
}
