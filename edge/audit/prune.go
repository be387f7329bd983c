package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// checkpointMAC returns the MAC of a checkpoint: the head hash at a
// retention cut, at the time of the cut, under the key named macKey.
func (ks *Keys) checkpointMAC(macKey string, cp checkpoint) (string, error) {
	k := ks.byID[macKey]
	if k == nil {
		return "", fmt.Errorf("audit: checkpoint names audit key %q, which is not configured: %w", macKey, ErrBroken)
	}
	b := compactJSON(struct {
		Seq         int64  `json:"seq"`
		Hash        string `json:"hash"`
		At          int64  `json:"at"`
		LegacyUntil int64  `json:"legacy_until"`
		MACKey      string `json:"mac_key"`
	}{cp.Seq, cp.Hash, cp.At, cp.LegacyUntil, macKey})
	return hex.EncodeToString(k.mac(checkpointDomain, b)), nil
}

// checkpoint is a checkpoint row, without its MAC.
type checkpoint struct {
	Head
	At          int64 // Unix milliseconds
	LegacyUntil int64 // the last unkeyed entry after the cut, 0 for none
}

// latestCheckpoint returns the latest checkpoint after checking its MAC,
// or one at 0 with the genesis hash when there is none.
func latestCheckpoint(ctx context.Context, q sqlunit.Querier, keys *Keys) (checkpoint, error) {
	rows, err := q.Query(ctx, `SELECT seq, hash, at, legacy_until, mac_key, mac FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`)
	if err != nil {
		return checkpoint{}, fmt.Errorf("audit: reading checkpoints: %w", err)
	}
	if len(rows) == 0 {
		return checkpoint{Head: Head{0, genesis}}, nil
	}
	r := rows[0]
	cp := checkpoint{Head{r.Int(0), r.String(1)}, r.Int(2), r.Int(3)}
	want, err := keys.checkpointMAC(r.String(4), cp)
	if err != nil || !equalHex(want, r.String(5)) {
		return checkpoint{}, &BrokenLinkError{Seq: cp.Seq, Reason: "the checkpoint's MAC does not verify"}
	}
	return cp, nil
}

// PruneOptions are [Prune]'s options.
type PruneOptions struct {
	// Before is the cut: entries older than it (in sequence order, up to
	// the first that is not) are archived and deleted, and so are the
	// refusal counters of minutes that ended before it.
	Before time.Time
	// Archive receives the pruned entries and counters, one JSON object a
	// line, before they are deleted. If it has a Sync method (an
	// *os.File), Prune calls it before deleting. Required: open a file
	// with os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600).
	Archive io.Writer
	// Now is the time recorded in checkpoints; zero means time.Now().
	Now time.Time
}

// PruneResult is what [Prune] did.
type PruneResult struct {
	Entries    int64 // entries archived and deleted
	Refusals   int64 // refusal counters archived and deleted
	Checkpoint Head  // the chain now starts after this (the zero Head if it never was cut)
}

// ArchiveRecord is one line of a [Prune] archive: an entry, a refusal
// counter or the checkpoint that replaced the entries before it.
type ArchiveRecord struct {
	Type       string          `json:"type"` // "entry", "refusals" or "checkpoint"
	Entry      *Entry          `json:"entry,omitempty"`
	Refusals   *RefusalCount   `json:"refusals,omitempty"`
	Checkpoint *CheckpointInfo `json:"checkpoint,omitempty"`
}

// CheckpointInfo is a checkpoint as archived.
type CheckpointInfo struct {
	Seq         int64  `json:"seq"`
	Hash        string `json:"hash"`
	At          int64  `json:"at"`           // Unix milliseconds
	LegacyUntil int64  `json:"legacy_until"` // the last unkeyed entry after the cut, 0 for none
	MACKey      string `json:"mac_key"`
	MAC         string `json:"mac"`
}

// Prune cuts the audit log at opts.Before and keeps it verifiable: in
// rounds of up to 500 entries, it checks the entries' links from the
// latest checkpoint, writes them to opts.Archive, then, in one unit,
// records a checkpoint (the head hash at the cut, MACed with the primary
// key) and deletes them; [Verify] starts from that checkpoint. A chain
// that does not verify is not pruned (a [*BrokenLinkError]). Unkeyed
// entries written before audit keys go only all together: a checkpoint
// after a checkpoint verify only up to the one the checkpoint names
// (legacy_until). A concurrent Prune makes one of
// the two fail with a [*sqlunit.Refusal]; nothing is lost.
//
// Call it from a timer (natively) or a cron trigger (the Worker), with
// Before = now − the retention.
func Prune(ctx context.Context, ex sqlunit.Executor, keys *Keys, opts PruneOptions) (PruneResult, error) {
	var res PruneResult
	if opts.Archive == nil {
		return res, errors.New("audit: Prune needs an archive")
	}
	before := opts.Before.UnixMilli()
	for {
		cp, err := latestCheckpoint(ctx, ex, keys)
		if err != nil {
			return res, err
		}
		if cp.Seq > 0 {
			res.Checkpoint = cp.Head
		}
		es, err := readEntries(ctx, ex, cp.Seq+1, pageSize)
		if err != nil {
			return res, err
		}
		w := newWalker(keys, cp)
		cut := 0
		for cut < len(es) && es[cut].Time.UnixMilli() < before {
			if err := w.step(&es[cut]); err != nil {
				return res, fmt.Errorf("audit: not pruning a chain that does not verify: %w", err)
			}
			cut++
		}
		if cut == 0 {
			break
		}
		legacyUntil, err := lastUnkeyed(ctx, ex)
		if err != nil {
			return res, err
		}
		if legacyUntil <= es[cut-1].Seq {
			legacyUntil = 0
		}
		if err := prune(ctx, ex, keys, opts, es[:cut], legacyUntil, &res); err != nil {
			return res, err
		}
		if cut < pageSize {
			break
		}
	}
	n, err := pruneRefusals(ctx, ex, opts)
	res.Refusals = n
	return res, err
}

// prune archives es, the entries right after the latest checkpoint, and
// replaces them with a checkpoint at the last.
func prune(ctx context.Context, ex sqlunit.Executor, keys *Keys, opts PruneOptions, es []Entry, legacyUntil int64, res *PruneResult) error {
	last := es[len(es)-1]
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	at := now.UnixMilli()
	mk := keys.primary.id
	cp := checkpoint{Head{last.Seq, last.Hash}, at, legacyUntil}
	mac, err := keys.checkpointMAC(mk, cp)
	if err != nil {
		return err
	}
	recs := make([]ArchiveRecord, 0, len(es)+1)
	for i := range es {
		recs = append(recs, ArchiveRecord{Type: "entry", Entry: &es[i]})
	}
	recs = append(recs, ArchiveRecord{Type: "checkpoint", Checkpoint: &CheckpointInfo{last.Seq, last.Hash, at, legacyUntil, mk, mac}})
	if err := archive(opts.Archive, recs); err != nil {
		return err
	}
	_, err = sqlunit.Exec(ctx, ex, sqlunit.Unit{Stmts: []sqlunit.Stmt{
		// Another Prune cut here or further first.
		sqlunit.Refuse(sqlunit.RefusedReplayed, `SELECT 1 FROM audit_checkpoints WHERE seq >= ?`, last.Seq),
		// The entry is still what was archived and checked.
		sqlunit.RefuseUnless(sqlunit.RefusedNotFound, `SELECT 1 FROM audit_log WHERE seq = ? AND hash = ?`, last.Seq, last.Hash),
		sqlunit.S(`INSERT INTO audit_checkpoints (seq, hash, at, legacy_until, mac_key, mac) VALUES (?, ?, ?, ?, ?, ?)`, last.Seq, last.Hash, at, legacyUntil, mk, mac),
		sqlunit.S(`DELETE FROM audit_log WHERE seq <= ?`, last.Seq),
		sqlunit.S(`DELETE FROM audit_checkpoints WHERE seq < ?`, last.Seq),
	}})
	if err != nil {
		return fmt.Errorf("audit: pruning entries up to %d: %w", last.Seq, err)
	}
	res.Entries += int64(len(es))
	res.Checkpoint = Head{last.Seq, last.Hash}
	return nil
}

// lastUnkeyed returns the sequence number of the last unkeyed entry, 0
// for none.
func lastUnkeyed(ctx context.Context, q sqlunit.Querier) (int64, error) {
	rows, err := q.Query(ctx, `SELECT seq FROM audit_log WHERE mac_key = '' ORDER BY seq DESC LIMIT 1`)
	if err != nil {
		return 0, fmt.Errorf("audit: reading the log: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	return rows[0].Int(0), nil
}

// pruneRefusals archives and deletes the refusal counters of minutes that
// ended before opts.Before.
func pruneRefusals(ctx context.Context, ex sqlunit.Executor, opts PruneOptions) (int64, error) {
	end := opts.Before.Unix() - refusalWindow
	rows, err := ex.Query(ctx, `SELECT win, client, merchant, code, n, first_at, last_at FROM audit_refusals WHERE win <= ? ORDER BY win`, end)
	if err != nil {
		return 0, fmt.Errorf("audit: reading refusal counters: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	recs := make([]ArchiveRecord, len(rows))
	for i, r := range rows {
		recs[i] = ArchiveRecord{Type: "refusals", Refusals: &RefusalCount{Window: time.Unix(r.Int(0), 0).UTC(), Client: r.String(1),
			Merchant: r.String(2), Code: r.String(3), N: r.Int(4), First: time.UnixMilli(r.Int(5)).UTC(), Last: time.UnixMilli(r.Int(6)).UTC()}}
	}
	if err := archive(opts.Archive, recs); err != nil {
		return 0, err
	}
	if _, err := ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(`DELETE FROM audit_refusals WHERE win <= ?`, end)}}); err != nil {
		return 0, fmt.Errorf("audit: deleting refusal counters: %w", err)
	}
	return int64(len(rows)), nil
}

// archive writes recs as JSON lines and syncs the writer if it can.
func archive(w io.Writer, recs []ArchiveRecord) error {
	var buf []byte
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("audit: encoding the archive: %w", err)
		}
		buf = append(append(buf, b...), '\n')
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("audit: writing the archive: %w", err)
	}
	if s, ok := w.(interface{ Sync() error }); ok {
		if err := s.Sync(); err != nil {
			return fmt.Errorf("audit: syncing the archive: %w", err)
		}
	}
	return nil
}
