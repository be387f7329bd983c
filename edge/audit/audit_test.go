package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/edge/migrations"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	_ "modernc.org/sqlite"
)

// openDB returns a fresh SQLite database with the edge's migrations.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "audit.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// testKeys returns audit keys whose primary is id with a secret made of b.
func testKeys(t testing.TB, entries ...string) *audit.Keys {
	t.Helper()
	ks, err := audit.ParseKeys([]byte(strings.Join(entries, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func keyEntry(id string, b byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

var keys = func() *audit.Keys {
	ks, err := audit.ParseKeys([]byte(keyEntry("a1", 1)))
	if err != nil {
		panic(err)
	}
	return ks
}()

func entry(i int) audit.Entry {
	return audit.Entry{
		Time:     time.UnixMilli(1_800_000_000_000 + int64(i)*1000),
		Merchant: "m_shop",
		Action:   "tokenize",
		Target:   "tokens",
		Token:    "tok_0000000000000000000000",
		Client:   "198.51.100.7",
		KeyID:    "pk:sha256:0123456789ab",
	}
}

// fill appends n entries and returns them.
func fill(t *testing.T, db *sql.DB, n int) []audit.Entry {
	t.Helper()
	ex := sqlunit.OnSQL(db)
	log := audit.New(ex, keys)
	var out []audit.Entry
	for i := range n {
		e, err := log.Append(context.Background(), ex, entry(i))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func verify(db *sql.DB, ks *audit.Keys, opts audit.VerifyOptions) (audit.Result, error) {
	return audit.Verify(context.Background(), sqlunit.OnSQL(db), ks, opts)
}

func TestAppendVerify(t *testing.T) {
	db := openDB(t)
	es := fill(t, db, 10)
	for i, e := range es {
		if e.Seq != int64(i+1) || e.MACKey != "a1" {
			t.Errorf("Append #%d: Seq, MACKey = %d, %q; want %d, a1", i, e.Seq, e.MACKey, i+1)
		}
		if i > 0 && e.Prev != es[i-1].Hash {
			t.Errorf("Append #%d: Prev = %s, want previous hash %s", i, e.Prev, es[i-1].Hash)
		}
	}
	res, err := verify(db, keys, audit.VerifyOptions{})
	if err != nil || res.Entries != 10 || res.Legacy != 0 {
		t.Fatalf("Verify = %+v, %v; want 10 keyed entries", res, err)
	}
	if want := (audit.Head{Seq: 10, Hash: es[9].Hash}); res.Head != want {
		t.Errorf("Verify head = %v, want %v", res.Head, want)
	}
	var client, keyID string
	db.QueryRow(`SELECT client, key_id FROM audit_log WHERE seq = 3`).Scan(&client, &keyID)
	if client != "198.51.100.7" || keyID != "pk:sha256:0123456789ab" {
		t.Errorf("stored client, key_id = %q, %q; want the entry's", client, keyID)
	}
}

func TestEmptyVerifies(t *testing.T) {
	res, err := verify(openDB(t), keys, audit.VerifyOptions{})
	if err != nil || res.Entries != 0 {
		t.Fatalf("Verify(empty) = %+v, %v; want 0, nil", res, err)
	}
}

// TestConcurrentAppenders simulates several Worker isolates: separate Logs
// (separate locks) on one database race for sequence numbers.
func TestConcurrentAppenders(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			ex := sqlunit.OnSQL(db)
			log := audit.New(ex, keys)
			for i := range each {
				if _, err := log.Append(ctx, ex, entry(w*each+i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	res, err := verify(db, keys, audit.VerifyOptions{})
	if err != nil || res.Entries != writers*each {
		t.Fatalf("Verify = %+v, %v; want %d, nil", res, err, writers*each)
	}
}

// TestLinkCheckedInUnit: an entry whose prev_hash is not the head's is
// refused by the database itself, whatever the appender believed.
func TestLinkCheckedInUnit(t *testing.T) {
	db := openDB(t)
	es := fill(t, db, 3)
	_, err := db.Exec(`INSERT INTO audit_log (seq, at, merchant, action, target, token, code, client, key_id, mac_key, prev_hash, hash)
		VALUES (4, 0, '', 'x', '', '', '', '', '', 'a1', ?, ?)`, es[1].Hash, es[2].Hash)
	if err == nil || !strings.Contains(err.Error(), "does not chain") {
		t.Errorf("inserting an entry chained to entry 2 after entry 3: err = %v, want the link trigger's refusal", err)
	}
}

func TestAppendOnly(t *testing.T) {
	db := openDB(t)
	fill(t, db, 2)
	if _, err := db.Exec(`UPDATE audit_log SET code = 'x' WHERE seq = 1`); err == nil {
		t.Error("UPDATE audit_log succeeded, want the trigger to refuse it")
	}
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq = 1`); err == nil {
		t.Error("DELETE FROM audit_log succeeded, want the trigger to refuse it")
	}
}

// dropTriggers removes every trigger of the audit tables, as an attacker
// with write access to the database can.
func dropTriggers(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	if len(names) < 4 {
		t.Fatalf("found triggers %v, want the audit tables' four at least", names)
	}
	for _, n := range names {
		if _, err := db.Exec(`DROP TRIGGER ` + n); err != nil {
			t.Fatal(err)
		}
	}
}

// rehash recomputes every link from seq from on as an attacker without
// the key can: unkeyed SHA-256 (mac_key ”), or HMAC under their own key.
func rehash(t *testing.T, db *sql.DB, from int64, attackerKeys *audit.Keys) {
	t.Helper()
	ctx := context.Background()
	var prev string
	if from == 1 {
		prev = strings.Repeat("0", 64)
	} else if err := db.QueryRow(`SELECT hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1`, from).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT seq, at, merchant, action, target, token, code, client, key_id FROM audit_log WHERE seq >= ? ORDER BY seq`, from)
	if err != nil {
		t.Fatal(err)
	}
	var es []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at int64
		rows.Scan(&e.Seq, &at, &e.Merchant, &e.Action, &e.Target, &e.Token, &e.Code, &e.Client, &e.KeyID)
		e.Time = time.UnixMilli(at)
		es = append(es, e)
	}
	rows.Close()
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq >= ?`, from); err != nil {
		t.Fatal(err)
	}
	if attackerKeys != nil {
		// The attacker's own chain, appended by the package itself.
		ex := sqlunit.OnSQL(db)
		log := audit.New(ex, attackerKeys)
		for _, e := range es {
			e.Seq = 0
			if _, err := log.Append(ctx, ex, e); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for i, e := range es {
		e.Seq = from + int64(i)
		h, err := e.ComputeHash(prev)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO audit_log (seq, at, merchant, action, target, token, code, client, key_id, mac_key, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`, e.Seq, e.Time.UnixMilli(), e.Merchant, e.Action, e.Target, e.Token, e.Code, e.Client, e.KeyID, prev, h); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

// TestTamper: the attacks of the security review all fail verification
// with the audit key, while they passed the unkeyed chain.
func TestTamper(t *testing.T) {
	other := testKeys(t, keyEntry("a1", 2)) // same id, another secret
	tests := []struct {
		name    string
		tamper  func(t *testing.T, db *sql.DB, es []audit.Entry)
		expect  func(es []audit.Entry) *audit.Head // head recorded before the attack
		wantSeq int64
	}{
		{"delete entries and re-hash unkeyed", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			dropTriggers(t, db)
			db.Exec(`DELETE FROM audit_log WHERE seq IN (4, 5)`)
			db.Exec(`UPDATE audit_log SET seq = seq - 2 WHERE seq > 5`)
			rehash(t, db, 4, nil)
		}, nil, 4},
		{"delete entries and re-hash all from the start unkeyed", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			dropTriggers(t, db)
			db.Exec(`DELETE FROM audit_log WHERE seq = 2`)
			db.Exec(`UPDATE audit_log SET seq = seq - 1 WHERE seq > 2`)
			rehash(t, db, 1, nil)
		}, nil, 8},
		{"delete entries and re-hash with another key", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			dropTriggers(t, db)
			db.Exec(`DELETE FROM audit_log WHERE seq = 3`)
			db.Exec(`UPDATE audit_log SET seq = seq - 1 WHERE seq > 3`)
			rehash(t, db, 3, other)
		}, nil, 3},
		{"drop the triggers and edit", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			dropTriggers(t, db)
			db.Exec(`UPDATE audit_log SET client = '203.0.113.9' WHERE seq = 6`)
		}, nil, 6},
		{"drop the triggers, edit and re-hash the rest", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			dropTriggers(t, db)
			db.Exec(`UPDATE audit_log SET code = 'forged' WHERE seq = 2`)
			rehash(t, db, 2, nil)
		}, nil, 2},
		{"cut off the tail", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			dropTriggers(t, db)
			db.Exec(`DELETE FROM audit_log WHERE seq > 6`)
		}, func(es []audit.Entry) *audit.Head { return &audit.Head{Seq: 8, Hash: es[7].Hash} }, 7},
		{"cut off the tail and append a forged one", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			dropTriggers(t, db)
			db.Exec(`DELETE FROM audit_log WHERE seq > 6`)
			rehash(t, db, 7, other)
		}, func(es []audit.Entry) *audit.Head { return &audit.Head{Seq: 7, Hash: es[6].Hash} }, 7},
		{"delete everything", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			dropTriggers(t, db)
			db.Exec(`DELETE FROM audit_log`)
		}, func(es []audit.Entry) *audit.Head { return &audit.Head{Seq: 5, Hash: es[4].Hash} }, 1},
		{"insert an entry before the chain's start", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			// Outside the chain, Verify never read it; anyone reading
			// the table would.
			dropTriggers(t, db)
			if _, err := db.Exec(`INSERT INTO audit_log (seq, at, merchant, action, target, token, code, client, key_id, mac_key, prev_hash, hash)
				SELECT 0, at, merchant, 'delete', target, token, code, client, key_id, mac_key, prev_hash, hash FROM audit_log WHERE seq = 1`); err != nil {
				t.Fatal(err)
			}
		}, nil, 0},
		{"forged checkpoint", func(t *testing.T, db *sql.DB, es []audit.Entry) {
			db.Exec(`INSERT INTO audit_checkpoints (seq, hash, at, legacy_until, mac_key, mac) VALUES (4, ?, 0, 0, 'a1', ?)`, es[3].Hash, strings.Repeat("0", 64))
			db.Exec(`DELETE FROM audit_log WHERE seq <= 4`)
		}, nil, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			es := fill(t, db, 8)
			var opts audit.VerifyOptions
			if tc.expect != nil {
				opts.ExpectHead = tc.expect(es)
				if _, err := verify(db, keys, opts); err != nil {
					t.Fatalf("Verify with the head before the attack = %v, want nil", err)
				}
			}
			tc.tamper(t, db, es)
			res, err := verify(db, keys, opts)
			var broken *audit.BrokenLinkError
			if !errors.As(err, &broken) || !errors.Is(err, audit.ErrBroken) {
				t.Fatalf("Verify = %+v, %v; want a BrokenLinkError", res, err)
			}
			if broken.Seq != tc.wantSeq {
				t.Errorf("Verify broken at %d (%s); want %d", broken.Seq, broken.Reason, tc.wantSeq)
			}
		})
	}
}

// TestLegacyPrefix: entries written before audit keys verify as a prefix
// of keyed ones, and nowhere else.
func TestLegacyPrefix(t *testing.T) {
	db := openDB(t)
	fill(t, db, 3)
	dropTriggers(t, db)
	rehash(t, db, 1, nil) // the three as the unkeyed code wrote them
	ex := sqlunit.OnSQL(db)
	if _, err := verify(db, keys, audit.VerifyOptions{}); err == nil {
		t.Error("Verify of a chain of unkeyed entries only = nil, want an error")
	}
	if _, err := audit.New(ex, keys).Append(context.Background(), ex, entry(3)); err != nil {
		t.Fatal(err)
	}
	res, err := verify(db, keys, audit.VerifyOptions{})
	if err != nil || res.Entries != 4 || res.Legacy != 3 {
		t.Fatalf("Verify = %+v, %v; want 4 entries, 3 unkeyed", res, err)
	}
	rehash(t, db, 4, nil) // downgrade the keyed one
	if _, err := verify(db, keys, audit.VerifyOptions{}); err == nil {
		t.Error("Verify after downgrading the keyed entry = nil, want an error")
	}
}

// TestKeyRotation: entries MACed by an older key still verify.
func TestKeyRotation(t *testing.T) {
	db := openDB(t)
	fill(t, db, 3)
	rotated := testKeys(t, keyEntry("a2", 9), keyEntry("a1", 1))
	ex := sqlunit.OnSQL(db)
	e, err := audit.New(ex, rotated).Append(context.Background(), ex, entry(3))
	if err != nil || e.MACKey != "a2" {
		t.Fatalf("Append with the rotated keys = %q, %v; want MACed by a2", e.MACKey, err)
	}
	if res, err := verify(db, rotated, audit.VerifyOptions{}); err != nil || res.Entries != 4 {
		t.Errorf("Verify with both keys = %+v, %v; want 4", res, err)
	}
	if _, err := verify(db, keys, audit.VerifyOptions{}); err == nil {
		t.Error("Verify without the new key = nil, want an error at entry 4")
	}
}

func TestParseHead(t *testing.T) {
	h := audit.Head{Seq: 12, Hash: strings.Repeat("ab", 32)}
	got, err := audit.ParseHead(h.String())
	if err != nil || got != h {
		t.Errorf("ParseHead(%q) = %v, %v; want %v", h.String(), got, err, h)
	}
	for _, bad := range []string{"", "12", "x:" + h.Hash, "12:abc", "-1:" + h.Hash} {
		if _, err := audit.ParseHead(bad); err == nil {
			t.Errorf("ParseHead(%q) = nil error, want one", bad)
		}
	}
}

func TestParseKeys(t *testing.T) {
	for _, bad := range []string{"", "# only a comment", "a1", "a1:!!!", "a1:" + base64.StdEncoding.EncodeToString(make([]byte, 16)),
		keyEntry("a1", 1) + " " + keyEntry("a1", 2), keyEntry("a/1", 1)} {
		if _, err := audit.ParseKeys([]byte(bad)); !errors.Is(err, audit.ErrKeys) {
			t.Errorf("ParseKeys(%d bytes) = %v, want ErrKeys", len(bad), err)
		}
	}
	ks := testKeys(t, "# audit keys", keyEntry("new", 3)+","+keyEntry("old", 4))
	if ks.PrimaryID() != "new" {
		t.Errorf("PrimaryID = %q, want new", ks.PrimaryID())
	}
	if s := ks.String(); strings.Contains(s, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))) {
		t.Errorf("Keys.String() shows the secret")
	}
}

// TestCanonicalVector pins the MAC of a fixed first entry (documented in
// docs/edge-api.md, "Test vectors"): HMAC-SHA256 under 32 bytes of 0x01,
// of "sealpay/audit/v2 entry", a zero byte, 32 zero bytes and the
// canonical JSON. Cross-checked with openssl dgst -sha256 -mac HMAC.
func TestCanonicalVector(t *testing.T) {
	db := openDB(t)
	ex := sqlunit.OnSQL(db)
	e := audit.Entry{Time: time.UnixMilli(1800000000000), Merchant: "m_shop", Action: "tokenize",
		Target: "tokens", Token: "tok_0000000000000000000000", Client: "198.51.100.7", KeyID: "pk:sha256:0123456789ab"}
	got, err := audit.New(ex, keys).Append(context.Background(), ex, e)
	if err != nil {
		t.Fatal(err)
	}
	const wantCanon = `{"v":2,"seq":1,"at":1800000000000,"merchant":"m_shop","action":"tokenize","target":"tokens","token":"tok_0000000000000000000000","code":"","client":"198.51.100.7","key_id":"pk:sha256:0123456789ab","mac_key":"a1"}`
	if c := string(got.Canonical()); c != wantCanon {
		t.Errorf("Canonical() = %s, want %s", c, wantCanon)
	}
	if got.Hash != canonicalVectorMAC {
		t.Errorf("Hash = %s, want %s", got.Hash, canonicalVectorMAC)
	}
	// The unkeyed link of entries written before audit keys.
	legacy := audit.Entry{Seq: 1, Time: time.UnixMilli(1800000000000), Merchant: "m_shop", Action: "tokenize",
		Target: "tokens", Token: "tok_0000000000000000000000"}
	if h, err := legacy.ComputeHash(strings.Repeat("0", 64)); err != nil || h != legacyVectorHash {
		t.Errorf("ComputeHash = %s, %v; want %s", h, err, legacyVectorHash)
	}
}

const (
	canonicalVectorMAC = "c22ca5d460bf3ce99c75c42721aa1e21a43536abfe1aa99745e548ab94da53c0"
	legacyVectorHash   = "7e69afbcc063e867372b49ec19c72630b98c8d1b97457be277d969b7bbeb288a"
)

// TestPrune: a retention cut archives the old entries, leaves a keyed
// checkpoint, and the rest still verifies, also against a head recorded
// before the cut; appends go on, even after every entry was cut.
func TestPrune(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	es := fill(t, db, 20)
	ex := sqlunit.OnSQL(db)
	before := es[11].Time // entries 1..11 are older
	var archive bytes.Buffer
	if _, err := audit.Prune(ctx, ex, keys, audit.PruneOptions{Before: before}); err == nil {
		t.Error("Prune without an archive = nil error, want one")
	}
	res, err := audit.Prune(ctx, ex, keys, audit.PruneOptions{Before: before, Archive: &archive})
	if err != nil || res.Entries != 11 || res.Checkpoint != (audit.Head{Seq: 11, Hash: es[10].Hash}) {
		t.Fatalf("Prune = %+v, %v; want 11 entries cut at 11", res, err)
	}
	lines := bytes.Split(bytes.TrimSpace(archive.Bytes()), []byte("\n"))
	if len(lines) != 12 {
		t.Fatalf("archive has %d lines, want 11 entries and a checkpoint", len(lines))
	}
	for i, l := range lines[:11] {
		var r audit.ArchiveRecord
		if err := json.Unmarshal(l, &r); err != nil || r.Type != "entry" || r.Entry.Seq != int64(i+1) || r.Entry.Hash != es[i].Hash {
			t.Fatalf("archive line %d = %s, want entry %d", i+1, l, i+1)
		}
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n)
	if n != 9 {
		t.Errorf("audit_log holds %d entries after the cut, want 9", n)
	}
	for _, head := range []audit.Head{{Seq: 5, Hash: es[4].Hash}, {Seq: 11, Hash: es[10].Hash}, {Seq: 20, Hash: es[19].Hash}} {
		v, err := verify(db, keys, audit.VerifyOptions{ExpectHead: &head})
		if err != nil || v.Entries != 9 || v.Checkpoint.Seq != 11 {
			t.Errorf("Verify after the cut, expecting %v = %+v, %v; want 9 entries from checkpoint 11", head, v, err)
		}
	}
	// Deleting entries after the checkpoint still shows.
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq = 12`); err == nil {
		t.Error("DELETE of an entry after the checkpoint succeeded, want the trigger to refuse")
	}
	// Cut everything, then append: the head is the checkpoint.
	res, err = audit.Prune(ctx, ex, keys, audit.PruneOptions{Before: es[19].Time.Add(time.Second), Archive: &archive})
	if err != nil || res.Entries != 9 {
		t.Fatalf("second Prune = %+v, %v; want 9", res, err)
	}
	var cps int
	db.QueryRow(`SELECT count(*) FROM audit_checkpoints`).Scan(&cps)
	if cps != 1 {
		t.Errorf("%d checkpoints kept, want the latest only", cps)
	}
	e, err := audit.New(ex, keys).Append(ctx, ex, entry(30))
	if err != nil || e.Seq != 21 || e.Prev != es[19].Hash {
		t.Fatalf("Append after pruning everything = seq %d, %v; want 21 chained to entry 20", e.Seq, err)
	}
	if v, err := verify(db, keys, audit.VerifyOptions{}); err != nil || v.Entries != 1 || v.Head.Seq != 21 {
		t.Errorf("Verify = %+v, %v; want 1 entry, head 21", v, err)
	}
	// A Log that cached the head before the cut still appends.
	if _, err := audit.New(ex, keys).Append(ctx, ex, entry(31)); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyEntryBelowCheckpoint: pruning deletes every entry up to its
// checkpoint, so an entry below it was inserted; it is outside the chain,
// and Verify must not pass it over.
func TestVerifyEntryBelowCheckpoint(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	es := fill(t, db, 20)
	if _, err := audit.Prune(ctx, sqlunit.OnSQL(db), keys, audit.PruneOptions{Before: es[11].Time, Archive: io.Discard}); err != nil {
		t.Fatal(err)
	}
	dropTriggers(t, db)
	if _, err := db.Exec(`INSERT INTO audit_log (seq, at, merchant, action, target, token, code, client, key_id, mac_key, prev_hash, hash)
		SELECT 3, at, merchant, 'delete', target, token, code, client, key_id, mac_key, prev_hash, hash FROM audit_log WHERE seq = 12`); err != nil {
		t.Fatal(err)
	}
	var broken *audit.BrokenLinkError
	if _, err := verify(db, keys, audit.VerifyOptions{}); !errors.As(err, &broken) || broken.Seq != 3 {
		t.Errorf("Verify with an entry inserted below the checkpoint = %v, want broken at 3", err)
	}
}

// TestPruneRefusesBrokenChain: a cut must not launder a tampered chain.
func TestPruneRefusesBrokenChain(t *testing.T) {
	db := openDB(t)
	es := fill(t, db, 5)
	dropTriggers(t, db)
	db.Exec(`UPDATE audit_log SET code = 'forged' WHERE seq = 2`)
	var archive bytes.Buffer
	_, err := audit.Prune(context.Background(), sqlunit.OnSQL(db), keys, audit.PruneOptions{Before: es[4].Time, Archive: &archive})
	if !errors.Is(err, audit.ErrBroken) {
		t.Errorf("Prune of a tampered chain = %v, want ErrBroken", err)
	}
}

// TestPruneLegacy: a cut inside the unkeyed entries written before audit
// keys leaves the rest of them verifiable, and no more.
func TestPruneLegacy(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	es := fill(t, db, 6)
	dropTriggers(t, db)
	rehash(t, db, 1, nil)
	ex := sqlunit.OnSQL(db)
	if _, err := audit.New(ex, keys).Append(ctx, ex, entry(6)); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if _, err := audit.Prune(ctx, ex, keys, audit.PruneOptions{Before: es[3].Time, Archive: &archive}); err != nil {
		t.Fatal(err)
	}
	if v, err := verify(db, keys, audit.VerifyOptions{}); err != nil || v.Entries != 4 || v.Legacy != 3 {
		t.Fatalf("Verify after a cut among unkeyed entries = %+v, %v; want 4 entries, 3 unkeyed", v, err)
	}
	rehash(t, db, 7, nil) // downgrade the keyed entry after the cut
	if _, err := verify(db, keys, audit.VerifyOptions{}); err == nil {
		t.Error("Verify after downgrading a keyed entry past the checkpoint = nil, want an error")
	}
}

// TestRefusalAggregates: refusals of one client and minute make one entry
// and one counter, however many there are.
func TestRefusalAggregates(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	ex := sqlunit.OnSQL(db)
	log := audit.New(ex, keys)
	t0 := time.Unix(1_800_000_000, 0) // the start of a minute
	refuse := func(client string, at time.Time) bool {
		logged, err := log.Refusal(ctx, ex, audit.Entry{Time: at, Action: "refuse", Target: "POST /v1/tokens", Code: "unauthorized", Client: client})
		if err != nil {
			t.Fatal(err)
		}
		return logged
	}
	logged := 0
	for i := range 100 {
		if refuse("198.51.100.1", t0.Add(time.Duration(i)*100*time.Millisecond)) {
			logged++
		}
	}
	if logged != 1 {
		t.Errorf("100 refusals in one minute logged %d entries, want 1", logged)
	}
	if !refuse("198.51.100.2", t0) || !refuse("198.51.100.1", t0.Add(time.Minute)) {
		t.Error("the first refusal of another client or minute was not logged")
	}
	var n, last int64
	db.QueryRow(`SELECT n, last_at FROM audit_refusals WHERE client = '198.51.100.1' AND win = ?`, t0.Unix()).Scan(&n, &last)
	if n != 100 || last != t0.Add(9900*time.Millisecond).UnixMilli() {
		t.Errorf("counter = %d, last %d; want 100, %d", n, last, t0.Add(9900*time.Millisecond).UnixMilli())
	}
	if v, err := verify(db, keys, audit.VerifyOptions{}); err != nil || v.Entries != 3 {
		t.Errorf("Verify = %+v, %v; want 3 entries", v, err)
	}
	// Concurrent refusals of a new minute: still one entry.
	var wg sync.WaitGroup
	var mu sync.Mutex
	logged = 0
	for range 8 {
		wg.Go(func() {
			ex := sqlunit.OnSQL(db)
			l, err := audit.New(ex, keys).Refusal(ctx, ex, audit.Entry{Time: t0.Add(2 * time.Minute), Code: "unauthorized", Client: "198.51.100.3"})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			if l {
				logged++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if logged != 1 {
		t.Errorf("8 concurrent first refusals logged %d entries, want 1", logged)
	}
	// Prune archives and deletes the counters of the minutes that ended.
	var archive bytes.Buffer
	res, err := audit.Prune(ctx, ex, keys, audit.PruneOptions{Before: t0.Add(2 * time.Minute), Archive: &archive})
	if err != nil || res.Refusals != 3 {
		t.Errorf("Prune = %+v, %v; want the 3 counters of the first two minutes", res, err)
	}
	if !bytes.Contains(archive.Bytes(), []byte(`"n":100`)) {
		t.Errorf("archive lacks the counter of 100")
	}
}
