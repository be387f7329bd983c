package edge

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// Idempotency keys (docs/edge-api.md, "Idempotency keys"). A request to a
// state-changing POST that carries an Idempotency-Key header claims the key
// for its merchant and key kind (pk_ or sk_) in a unit of its own before
// the operation runs; its answer is stored, in a following unit, before it
// is sent, and replayed for [IdempotencyTTL] to every request with the same
// key and the same method, path and body.
const (
	// IdempotencyTTL is how long a stored answer is replayed.
	IdempotencyTTL = 24 * time.Hour
	// IdempotencyLease is how long a claimed key whose request has not
	// stored its answer stays in progress: after it, a crash between the
	// operation and the storing of its answer no longer blocks the key, and
	// a retry with the same request takes it over and runs again. It is
	// longer than any operation may take (the outbound client's timeout
	// is 20 s).
	IdempotencyLease = 60 * time.Second
	// MaxIdempotencyKey bounds an Idempotency-Key's length.
	MaxIdempotencyKey = 255
)

var (
	errIdemMismatch   = errcode.New(errcode.IdempotencyMismatch, "edge: this Idempotency-Key was used with a different request (method, path or body)")
	errIdemInProgress = errcode.New(errcode.IdempotencyInProgress, "edge: a request with this Idempotency-Key is still running; retry later")
)

// idemClaim is the key a running request holds.
type idemClaim struct {
	kind, key, owner string
}

const claimIdem = `INSERT INTO idempotency_keys
  (merchant, kind, idem_key, req_hash, state, owner, lease_until, created_at, expires_at)
  VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)
  ON CONFLICT (merchant, kind, idem_key) DO UPDATE SET
    req_hash = excluded.req_hash, state = 'running', owner = excluded.owner,
    lease_until = excluded.lease_until, status = NULL, headers = NULL, body = NULL,
    created_at = excluded.created_at, expires_at = excluded.expires_at
  WHERE idempotency_keys.expires_at <= ?
     OR (idempotency_keys.state = 'running' AND idempotency_keys.lease_until <= ?
         AND idempotency_keys.req_hash = excluded.req_hash)
  RETURNING owner`

// validIdemKey reports whether k is 1 to [MaxIdempotencyKey] visible ASCII
// characters.
func validIdemKey(k string) bool {
	if k == "" || len(k) > MaxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestHash is the SHA-256 of c's method, path and body, each
// length-prefixed.
func requestHash(c *call) []byte {
	h := sha256.New()
	for _, p := range [][]byte{[]byte(c.r.Method), []byte(c.r.URL.EscapedPath()), c.body} {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return h.Sum(nil)
}

// beginIdem handles c's Idempotency-Key before the operation: with no key
// it does nothing; otherwise it claims the key (c.idem is set, the
// operation runs), or returns the stored answer to replay, or the error
// for a key in use by another request or one still running.
func (h *Handler) beginIdem(c *call, kind authKind) (*response, error) {
	key := c.r.Header.Get("Idempotency-Key")
	if key == "" {
		return nil, nil
	}
	if !validIdemKey(key) {
		return nil, fmt.Errorf("edge: Idempotency-Key must be 1 to %d visible ASCII characters: %w", MaxIdempotencyKey, ErrBadRequest)
	}
	k := "pk"
	if kind == authSecret {
		k = "sk"
	}
	hash := requestHash(c)
	ctx := dbContext(c.r.Context())
	now := c.now.Unix()
	// A row deleted between the claim and the read (its request failed
	// and released it) is claimed again.
	for try := 0; try < 3; try++ {
		owner := rand.Text()
		rs, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(claimIdem,
			c.merchant.ID, k, key, hash, owner, c.now.Add(IdempotencyLease).Unix(), now,
			c.now.Add(IdempotencyTTL).Unix(), now, now)}})
		if err != nil {
			return nil, fmt.Errorf("edge: claiming an idempotency key: %w", err)
		}
		if len(rs[0]) == 1 {
			c.idem = &idemClaim{kind: k, key: key, owner: owner}
			return nil, nil
		}
		rows, err := h.store.Query(ctx, `SELECT req_hash, state, status, headers, body FROM idempotency_keys
			WHERE merchant = ? AND kind = ? AND idem_key = ? AND expires_at > ?`, c.merchant.ID, k, key, now)
		if err != nil {
			return nil, fmt.Errorf("edge: reading an idempotency key: %w", err)
		}
		if len(rows) == 0 {
			continue
		}
		row := rows[0]
		if !bytes.Equal(row.Bytes(0), hash) {
			return nil, errIdemMismatch
		}
		if row.String(1) != "done" {
			return nil, errIdemInProgress
		}
		resp := &response{status: int(row.Int(2)), header: http.Header{}, raw: row.Bytes(4)}
		if resp.raw == nil {
			resp.raw = []byte{}
		}
		if err := json.Unmarshal([]byte(row.String(3)), &resp.header); err != nil {
			return nil, fmt.Errorf("edge: stored idempotent answer has unreadable headers: %w", err)
		}
		resp.header.Set("Idempotent-Replayed", "true")
		c.replayed = true
		return resp, nil
	}
	return nil, errIdemInProgress
}

// finishIdem stores the answer of a request that holds a key, or releases
// the key if the answer is a server error (5xx: the retry runs again).
// Either is best effort: if it fails, the key stays in progress until its
// lease ends.
func (h *Handler) finishIdem(c *call, a *answerBuffer) {
	if a.status >= 500 {
		h.releaseIdem(c)
		return
	}
	id := c.idem
	hd, err := json.Marshal(a.header)
	if err == nil {
		_, err = h.store.Exec(dbContext(c.r.Context()), sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
			`UPDATE idempotency_keys SET state = 'done', status = ?, headers = ?, body = ?
			WHERE merchant = ? AND kind = ? AND idem_key = ? AND owner = ? AND state = 'running'`,
			int64(a.status), string(hd), a.body.Bytes(), c.merchant.ID, id.kind, id.key, id.owner)}})
	}
	if err != nil {
		h.log.Error("edge: storing an idempotent answer", "route", c.r.Pattern, "err", err.Error())
	}
}

// releaseIdem deletes the claim c holds, if it still holds it: the next
// request with its key runs. If that fails, the key stays in progress
// until its lease ends.
func (h *Handler) releaseIdem(c *call) {
	id := c.idem
	c.idem = nil
	_, err := h.store.Exec(dbContext(c.r.Context()), sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
		`DELETE FROM idempotency_keys WHERE merchant = ? AND kind = ? AND idem_key = ? AND owner = ? AND state = 'running'`,
		c.merchant.ID, id.kind, id.key, id.owner)}})
	if err != nil {
		h.log.Error("edge: releasing an idempotency key", "route", c.r.Pattern, "err", err.Error())
	}
}

// purgeIdem deletes the idempotency keys that expired before now.
func (h *Handler) purgeIdem(ctx context.Context, now time.Time) (int, error) {
	rs, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
		`DELETE FROM idempotency_keys WHERE expires_at <= ? RETURNING 1`, now.Unix())}})
	if err != nil {
		return 0, err
	}
	return len(rs[0]), nil
}

// answerBuffer holds an answer until its idempotency key has stored it.
type answerBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newAnswerBuffer() *answerBuffer { return &answerBuffer{header: http.Header{}} }

func (a *answerBuffer) Header() http.Header { return a.header }

func (a *answerBuffer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answerBuffer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(b)
}

// writeTo sends the buffered answer.
func (a *answerBuffer) writeTo(w http.ResponseWriter) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	w.WriteHeader(a.status)
	w.Write(a.body.Bytes())
}
