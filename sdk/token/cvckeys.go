package token

// CVC keys: crypto-erasure. See docs/vault.md, "Deletion".
//
//	CVC key    32 random bytes per (KEK id, window), window = the Unix second at
//	           which a CVC-key window (Options.CVCKeyWindow) starts; kept in a
//	           CVCKeyStore wrapped by that KEK with
//	           AD = lp("sealpay/vault/v2/cvc-key") lp(kek id) lp(window)
//	expires    window + CVCKeyWindow + CVCTTL: no CVC sealed under the key
//	           outlives it (a CVC's expiry is capped at its key's)
//
// Once a key's expiry has passed, the purge destroys it. A CVC sealed
// under it cannot be opened any more, by anyone, from any copy of the
// database — unless that copy also holds the key: see [CVCKeyStore].

import (
	"context"
	"crypto/cipher"
	"fmt"
	"strconv"
	"sync"

	"github.com/sealpay/sealpay/sdk/sqlunit"
	"golang.org/x/crypto/chacha20poly1305"
)

const labelCVCKey = "sealpay/vault/v2/cvc-key"

func cvcKeyAD(kekID string, window int64) []byte {
	return lp(labelCVCKey, kekID, strconv.FormatInt(window, 10))
}

// A CVCKeyStore keeps the short-lived keys that seal CVCs, each wrapped by
// a KEK, until it is destroyed. Where it keeps them decides what erasing
// a CVC means:
//
//   - [NewMemoryCVCKeys] keeps them in the process only, never in the
//     database: once destroyed, no copy of the database — a backup, a
//     file copied before the purge — opens a CVC sealed under them. A
//     restart loses the CVCs held at that moment (a relay then gets
//     [ErrNoCVC]). For a single process: the native server.
//   - [NewSQLCVCKeys] keeps them in the table vault_cvc_keys of the
//     vault's database, shared by every process and Worker: a copy of the
//     database taken after the purge opens none of them, but one taken
//     before (a D1 Time Travel restore point, a backup) holds the key
//     beside the CVC.
//
// Implementations must be safe for concurrent use.
type CVCKeyStore interface {
	// Load returns the wrapped key stored for (kekID, window) and its
	// expiry (Unix seconds), or nil if there is none.
	Load(ctx context.Context, kekID string, window int64) (wrapped []byte, expires int64, err error)
	// Store stores wrapped for (kekID, window) unless a key is stored
	// there already, and returns the key stored there now, so that racers
	// agree on one key.
	Store(ctx context.Context, kekID string, window int64, wrapped []byte, expires int64) (stored []byte, storedExpires int64, err error)
	// Destroy deletes every key whose expiry is at or before now and
	// returns how many went.
	Destroy(ctx context.Context, now int64) (int, error)
}

// NewMemoryCVCKeys returns a [CVCKeyStore] in the process's memory.
func NewMemoryCVCKeys() CVCKeyStore { return &memoryCVCKeys{keys: map[cvcKeyID]memoryCVCKey{}} }

type cvcKeyID struct {
	kek    string
	window int64
}

type memoryCVCKey struct {
	wrapped []byte
	expires int64
}

type memoryCVCKeys struct {
	mu   sync.Mutex
	keys map[cvcKeyID]memoryCVCKey
}

func (m *memoryCVCKeys) Load(_ context.Context, kekID string, window int64) ([]byte, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[cvcKeyID{kekID, window}]
	if !ok {
		return nil, 0, nil
	}
	return k.wrapped, k.expires, nil
}

func (m *memoryCVCKeys) Store(_ context.Context, kekID string, window int64, wrapped []byte, expires int64) ([]byte, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := cvcKeyID{kekID, window}
	if k, ok := m.keys[id]; ok {
		return k.wrapped, k.expires, nil
	}
	m.keys[id] = memoryCVCKey{append([]byte(nil), wrapped...), expires}
	return wrapped, expires, nil
}

func (m *memoryCVCKeys) Destroy(_ context.Context, now int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, k := range m.keys {
		if k.expires <= now {
			clear(k.wrapped)
			delete(m.keys, id)
			n++
		}
	}
	return n, nil
}

// NewSQLCVCKeys returns a [CVCKeyStore] in the table vault_cvc_keys
// (migration 0110_cvc_keys.sql), whose units run on ex.
func NewSQLCVCKeys(ex sqlunit.Executor) CVCKeyStore { return &sqlCVCKeys{ex: ex} }

type sqlCVCKeys struct{ ex sqlunit.Executor }

func (s *sqlCVCKeys) Load(ctx context.Context, kekID string, window int64) ([]byte, int64, error) {
	rows, err := s.ex.Query(ctx, `SELECT wrapped, expires_at FROM vault_cvc_keys WHERE kek_id = ? AND win = ?`, kekID, window)
	if err != nil {
		return nil, 0, internal("reading CVC keys", err)
	}
	if len(rows) == 0 {
		return nil, 0, nil
	}
	return rows[0].Bytes(0), rows[0].Int(1), nil
}

func (s *sqlCVCKeys) Store(ctx context.Context, kekID string, window int64, wrapped []byte, expires int64) ([]byte, int64, error) {
	if _, err := s.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
		`INSERT INTO vault_cvc_keys (kek_id, win, wrapped, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (kek_id, win) DO NOTHING`,
		kekID, window, wrapped, expires)}}); err != nil {
		return nil, 0, internal("storing CVC key", err)
	}
	w, e, err := s.Load(ctx, kekID, window)
	if err == nil && w == nil {
		err = fmt.Errorf("token: CVC key vanished after insert: %w", errKeyMaterial)
	}
	return w, e, err
}

func (s *sqlCVCKeys) Destroy(ctx context.Context, now int64) (int, error) {
	rows, err := s.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
		`DELETE FROM vault_cvc_keys WHERE expires_at <= ? RETURNING 1`, now)}})
	if err != nil {
		return 0, internal("destroying CVC keys", err)
	}
	return len(rows[0]), nil
}

// cvcKey is a CVC key in use: its AEAD and expiry.
type cvcKey struct {
	aead    cipher.AEAD
	expires int64
}

// cvcKeyFor returns the key of (kekID, window), creating it if create is
// set and there is none. It returns nil, nil if the key is gone (destroyed,
// or held by a process that restarted). Keys past their expiry at now
// are never returned, and are dropped from the cache.
func (r *keyring) cvcKeyFor(ctx context.Context, kekID string, window, now, expires int64, create bool) (*cvcKey, error) {
	id := cvcKeyID{kekID, window}
	r.mu.Lock()
	for cid, k := range r.cvc {
		if k.expires <= now {
			delete(r.cvc, cid)
		}
	}
	k := r.cvc[id]
	r.mu.Unlock()
	if k != nil {
		return k, nil
	}
	kek, ok := r.keks.byID[kekID]
	if !ok {
		return nil, fmt.Errorf("token: CVC sealed under KEK %q, which is not in the KEK set: %w", kekID, errKeyMaterial)
	}
	ad := cvcKeyAD(kekID, window)
	wrapped, exp, err := r.cvcStore.Load(ctx, kekID, window)
	if err != nil {
		return nil, err
	}
	if wrapped == nil {
		if !create {
			return nil, nil
		}
		key, _ := randomKey(ctx)
		w, err := kek.Wrap(ctx, key, ad)
		clear(key)
		if err != nil {
			return nil, fmt.Errorf("token: KEK %q cannot wrap a key: %w", kekID, errKeyMaterial)
		}
		if wrapped, exp, err = r.cvcStore.Store(ctx, kekID, window, w, expires); err != nil {
			return nil, err
		}
	}
	if exp <= now {
		return nil, nil
	}
	key, err := kek.Unwrap(ctx, wrapped, ad)
	if err != nil {
		return nil, fmt.Errorf("token: KEK %q cannot unwrap a CVC key: %w", kekID, errKeyMaterial)
	}
	aead, err := chacha20poly1305.NewX(key)
	clear(key)
	if err != nil {
		return nil, fmt.Errorf("token: CVC key has the wrong size: %w", errKeyMaterial)
	}
	k = &cvcKey{aead: aead, expires: exp}
	r.mu.Lock()
	r.cvc[id] = k
	r.mu.Unlock()
	return k, nil
}

// forgetCVCKeys drops the cached CVC keys that expired at now.
func (r *keyring) forgetCVCKeys(now int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, k := range r.cvc {
		if k.expires <= now {
			delete(r.cvc, id)
		}
	}
}
