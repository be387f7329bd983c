package audit

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// Head names a point of the chain: an entry's sequence number and hash,
// written "SEQ:HASH". The empty chain's head is 0 and 64 zeros.
type Head struct {
	Seq  int64
	Hash string
}

// String returns "SEQ:HASH", the form [ParseHead] reads.
func (h Head) String() string { return strconv.FormatInt(h.Seq, 10) + ":" + h.Hash }

// ParseHead parses "SEQ:HASH" as [Head.String] writes it.
func ParseHead(s string) (Head, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 0 {
		return Head{}, errors.New("audit: head is not SEQ:HASH")
	}
	hash = strings.ToLower(hash)
	if _, err := decodeHash(hash); err != nil {
		return Head{}, errors.New("audit: head is not SEQ:HASH (HASH of 64 hex digits)")
	}
	return Head{n, hash}, nil
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

// VerifyOptions are [Verify]'s options.
type VerifyOptions struct {
	// ExpectHead, if set, is a head recorded earlier (from [Result.Head]):
	// the chain must still hold that entry with that hash, or have moved
	// past it with a checkpoint. An attacker who cuts entries off the end
	// leaves a chain that verifies on its own; this is what catches it.
	ExpectHead *Head
}

// Result is what [Verify] found.
type Result struct {
	// Entries is the number of entries that verified.
	Entries int64
	// Legacy is how many of them are unkeyed, written before audit keys.
	Legacy int64
	// Checkpoint is the checkpoint the chain starts from (retention cut
	// entries before it), or the zero Head.
	Checkpoint Head
	// Head is the last entry verified: record it elsewhere (a ticket, a
	// log server) and pass it as [VerifyOptions.ExpectHead] later.
	Head Head
}

// pageSize is how many entries Verify and Prune read at a time.
const pageSize = 500

// Verify walks the chain in sequence order, from the latest checkpoint
// (or from the first entry), and checks each link under keys. It returns
// a [*BrokenLinkError] for a checkpoint whose MAC fails, the first
// missing sequence number, wrong previous hash or wrong entry hash
// (edited, deleted and re-hashed, or MACed by a key not in keys), an
// entry stored before the chain's start (inserted below the checkpoint,
// or with a sequence number below 1), an
// unkeyed entry after a keyed one or a chain of unkeyed entries only, and
// for an expected head the chain no longer holds.
func Verify(ctx context.Context, q sqlunit.Querier, keys *Keys, opts VerifyOptions) (Result, error) {
	var res Result
	cp, err := latestCheckpoint(ctx, q, keys)
	if err != nil {
		return res, err
	}
	if cp.Seq > 0 {
		res.Checkpoint = cp.Head
	}
	// The chain starts after the checkpoint (or at 1): pruning deletes
	// every entry up to its checkpoint in the unit that writes it, so an
	// entry before the start was inserted, outside the links the walk
	// checks, where anyone reading the table would take it for history.
	rows, err := q.Query(ctx, `SELECT seq FROM audit_log WHERE seq <= ? ORDER BY seq LIMIT 1`, cp.Seq)
	if err != nil {
		return res, fmt.Errorf("audit: reading the log: %w", err)
	}
	if len(rows) > 0 {
		return res, &BrokenLinkError{Seq: rows[0].Int(0), Reason: "entry before the start of the chain (the checkpoint or entry 1): inserted"}
	}
	w := newWalker(keys, cp)
	var expectHash string
	for {
		es, err := readEntries(ctx, q, w.next, pageSize)
		if err != nil {
			return res, err
		}
		for i := range es {
			if err := w.step(&es[i]); err != nil {
				res.Entries, res.Legacy = w.n, w.legacy
				return res, err
			}
			if opts.ExpectHead != nil && es[i].Seq == opts.ExpectHead.Seq {
				expectHash = es[i].Hash
			}
		}
		if len(es) < pageSize {
			break
		}
	}
	res.Entries, res.Legacy = w.n, w.legacy
	res.Head = Head{w.next - 1, w.prev}
	if w.n > 0 && w.n == w.legacy && cp.Seq == 0 {
		return res, &BrokenLinkError{Seq: w.next, Reason: "no keyed entry follows the unkeyed entries written before audit keys: the chain proves nothing yet"}
	}
	if e := opts.ExpectHead; e != nil {
		switch {
		case e.Seq == cp.Seq && cp.Seq > 0:
			expectHash = cp.Hash
		case e.Seq == 0:
			expectHash = genesis
		case e.Seq < cp.Seq:
			expectHash = e.Hash // pruned: the checkpoint's MAC shows the chain went past it
		case e.Seq > res.Head.Seq:
			return res, &BrokenLinkError{Seq: res.Head.Seq + 1, Reason: fmt.Sprintf("entries cut off the end: the chain ends at %d, the expected head is %d", res.Head.Seq, e.Seq)}
		}
		if expectHash != e.Hash {
			return res, &BrokenLinkError{Seq: e.Seq, Reason: "the entry at the expected head has another hash"}
		}
	}
	return res, nil
}

// walker checks links one entry after the other.
type walker struct {
	keys        *Keys
	prev        string // hash the next entry must chain to
	next        int64  // sequence number it must have
	keyed       bool   // a keyed entry was seen
	legacyUntil int64  // unkeyed entries may go up to this one; -1: any before the first keyed
	n, legacy   int64
}

// newWalker starts at checkpoint cp (seq 0: the start of the chain).
func newWalker(keys *Keys, cp checkpoint) walker {
	w := walker{keys: keys, prev: cp.Hash, next: cp.Seq + 1, legacyUntil: -1}
	if cp.Seq > 0 {
		w.legacyUntil = cp.LegacyUntil
	}
	return w
}

func (w *walker) step(e *Entry) error {
	switch {
	case e.Seq != w.next:
		return &BrokenLinkError{Seq: w.next, Reason: fmt.Sprintf("entry missing (next stored entry is %d)", e.Seq)}
	case e.Prev != w.prev:
		return &BrokenLinkError{Seq: e.Seq, Reason: "previous hash does not match the previous entry"}
	case e.MACKey == "" && (w.keyed || w.legacyUntil >= 0 && e.Seq > w.legacyUntil):
		return &BrokenLinkError{Seq: e.Seq, Reason: "unkeyed entry after keyed ones or after a checkpoint"}
	case e.MACKey != "" && w.keys.byID[e.MACKey] == nil:
		return &BrokenLinkError{Seq: e.Seq, Reason: fmt.Sprintf("MACed by audit key %q, which is not configured", e.MACKey)}
	}
	h, err := e.link(w.keys, w.prev)
	if err != nil || !equalHex(h, e.Hash) {
		return &BrokenLinkError{Seq: e.Seq, Reason: "hash does not match the entry"}
	}
	if e.MACKey == "" {
		w.legacy++
	} else {
		w.keyed = true
	}
	w.prev, w.next = e.Hash, e.Seq+1
	w.n++
	return nil
}

// equalHex compares two hex hashes in constant time.
func equalHex(a, b string) bool {
	x, err1 := hex.DecodeString(a)
	y, err2 := hex.DecodeString(b)
	return err1 == nil && err2 == nil && hmac.Equal(x, y)
}

const selectEntries = `SELECT seq, at, merchant, action, target, token, code, client, key_id, mac_key, prev_hash, hash
	FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?`

// readEntries reads up to n entries from seq from on.
func readEntries(ctx context.Context, q sqlunit.Querier, from int64, n int) ([]Entry, error) {
	rows, err := q.Query(ctx, selectEntries, from, n)
	if err != nil {
		return nil, fmt.Errorf("audit: reading the log: %w", err)
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{Seq: r.Int(0), Time: time.UnixMilli(r.Int(1)), Merchant: r.String(2), Action: r.String(3),
			Target: r.String(4), Token: r.String(5), Code: r.String(6), Client: r.String(7), KeyID: r.String(8),
			MACKey: r.String(9), Prev: r.String(10), Hash: r.String(11)}
	}
	return out, nil
}
