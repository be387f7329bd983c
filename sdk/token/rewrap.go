package token

import (
	"context"
	"errors"
	"fmt"

	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// Rewrap moves up to batch rows to the primary KEK and the current row
// format, and returns how many rows it handled: cards and CVCs sealed
// under older KEKs of the set, and v1 rows under the primary (sealed
// before the row's clear columns were bound into its additional data; see
// docs/vault.md). Call it until it returns 0: then no row needs the older
// KEKs, which can leave the set, and every card row is v2.
//
// Reads keep working throughout: a row names its KEK version, and the set
// still holds the old one. Each row is moved by one conditional UPDATE (…
// WHERE kek_id = old AND sealed = the bytes read), so a row deleted,
// taken or moved by another process in the meantime is skipped, never
// overwritten. A row that fails authentication stops Rewrap with an
// error: it needs an operator, not a retry. A CVC whose key is already
// gone is deleted.
func (v *Vault) Rewrap(ctx context.Context, batch int) (n int, err error) {
	if batch <= 0 {
		batch = 100
	}
	primary := v.keys.keks.primary.ID()
	type pass struct {
		cvc  bool
		from string // KEK id
		v1   bool   // only v1 rows
	}
	var passes []pass
	for _, old := range v.keys.keks.others {
		passes = append(passes, pass{false, old.ID(), false}, pass{true, old.ID(), false})
	}
	passes = append(passes, pass{false, primary, true}, pass{true, primary, true})
	for _, p := range passes {
		if n >= batch {
			return n, nil
		}
		var k int
		if p.cvc && !p.v1 {
			// Wallet cryptograms were never written as v1 rows.
			k, err = v.rewrapWallet(ctx, p.from, primary, batch-n)
			n += k
			if err != nil || n >= batch {
				return n, err
			}
		}
		if p.cvc {
			k, err = v.rewrapCVCs(ctx, p.from, primary, p.v1, batch-n)
		} else {
			k, err = v.rewrapCards(ctx, p.from, primary, p.v1, batch-n)
		}
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// onlyV1 selects v1 rows.
const onlyV1 = ` AND substr(sealed, 1, 1) = x'01'`

func (v *Vault) rewrapCards(ctx context.Context, oldID, newID string, v1 bool, limit int) (int, error) {
	q := `SELECT ` + cardColumns + ` FROM vault_tokens WHERE kek_id = ?`
	if v1 {
		q += onlyV1
	}
	rows, err := v.ex.Query(ctx, q+` LIMIT ?`, oldID, limit)
	if err != nil {
		return 0, internal("rewrap: reading vault_tokens", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	oldAEAD, err := v.keys.sealer(ctx, oldID)
	if err != nil {
		return 0, err
	}
	newAEAD, err := v.keys.sealer(ctx, newID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, row := range rows {
		_, sealed, m := scanCard(row)
		pt, err := openCard(oldAEAD, oldID, m, sealed)
		if err != nil {
			return n, fmt.Errorf("token: rewrap: a card row under KEK %q failed authentication: %w", oldID, errInternal)
		}
		resealed := sealCard(newAEAD, newID, m, pt)
		clear(pt)
		if _, err := v.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
			`UPDATE vault_tokens SET kek_id = ?, sealed = ? WHERE token = ? AND kek_id = ? AND sealed = ?`,
			newID, resealed, m.token, oldID, sealed)}}); err != nil {
			return n, internal("rewrap: updating vault_tokens", err)
		}
		// Counted whether moved here or found gone: what matters is that
		// the row no longer needs oldID, or soon will not.
		n++
	}
	return n, nil
}

// rewrapWallet re-seals wallet cryptograms like [Vault.rewrapCVCs]
// re-seals CVCs.
func (v *Vault) rewrapWallet(ctx context.Context, oldID, newID string, limit int) (int, error) {
	now := v.opts.Now().Unix()
	rows, err := v.ex.Query(ctx, `SELECT token, merchant_id, sealed, expires_at FROM vault_wallet_creds WHERE kek_id = ? AND expires_at > ? LIMIT ?`, oldID, now, limit)
	if err != nil {
		return 0, internal("rewrap: reading vault_wallet_creds", err)
	}
	n := 0
	for _, row := range rows {
		tok, merchant, sealed, expires := row.String(0), row.String(1), row.Bytes(2), row.Int(3)
		n++
		window, ok := cvcWindow(sealed)
		if !ok {
			return n, fmt.Errorf("token: rewrap: a wallet row under KEK %q is malformed: %w", oldID, errInternal)
		}
		key, err := v.keys.cvcKeyFor(ctx, oldID, window, now, 0, false)
		if err != nil {
			return n, err
		}
		if key == nil {
			// Its key is gone, and the cryptogram with it.
			if _, err := v.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
				`DELETE FROM vault_wallet_creds WHERE token = ? AND kek_id = ? AND sealed = ?`, tok, oldID, sealed)}}); err != nil {
				return n, internal("rewrap: deleting from vault_wallet_creds", err)
			}
			continue
		}
		pt, err := openWalletRow(key.aead, oldID, tok, merchant, expires, sealed)
		if err != nil {
			return n, fmt.Errorf("token: rewrap: a wallet row under KEK %q failed authentication: %w", oldID, errInternal)
		}
		nw, nk, err := v.currentCVCKey(ctx, newID, now)
		if err != nil {
			clear(pt)
			return n, err
		}
		exp := min(expires, nk.expires)
		resealed := sealWallet(nk.aead, newID, nw, tok, merchant, exp, pt)
		clear(pt)
		if _, err := v.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
			`UPDATE vault_wallet_creds SET kek_id = ?, sealed = ?, expires_at = ? WHERE token = ? AND kek_id = ? AND sealed = ?`,
			newID, resealed, exp, tok, oldID, sealed)}}); err != nil {
			return n, internal("rewrap: updating vault_wallet_creds", err)
		}
	}
	return n, nil
}

// rewrapCVCs re-seals CVCs under the primary's current CVC key. The new
// key may end sooner than the old one (a shorter CVC TTL): the CVC's
// expiry is then brought forward with it, never beyond its key.
func (v *Vault) rewrapCVCs(ctx context.Context, oldID, newID string, v1 bool, limit int) (int, error) {
	now := v.opts.Now().Unix()
	q := `SELECT token, merchant_id, sealed, expires_at FROM vault_cvcs WHERE kek_id = ? AND expires_at > ?`
	if v1 {
		q += onlyV1
	}
	rows, err := v.ex.Query(ctx, q+` LIMIT ?`, oldID, now, limit)
	if err != nil {
		return 0, internal("rewrap: reading vault_cvcs", err)
	}
	n := 0
	for _, row := range rows {
		tok, merchant, sealed, expires := row.String(0), row.String(1), row.Bytes(2), row.Int(3)
		pt, err := v.openCVCSealed(ctx, oldID, tok, merchant, expires, sealed, now)
		if errors.Is(err, errOpenRow) {
			return n, fmt.Errorf("token: rewrap: a CVC row under KEK %q failed authentication: %w", oldID, errInternal)
		}
		if err != nil {
			return n, err
		}
		n++
		if pt == nil {
			// Its key is gone, and the CVC with it: the row is dead.
			if _, err := v.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
				`DELETE FROM vault_cvcs WHERE token = ? AND kek_id = ? AND sealed = ?`, tok, oldID, sealed)}}); err != nil {
				return n, internal("rewrap: deleting from vault_cvcs", err)
			}
			continue
		}
		window, key, err := v.currentCVCKey(ctx, newID, now)
		if err != nil {
			clear(pt)
			return n, err
		}
		exp := min(expires, key.expires)
		resealed := sealCVC(key.aead, newID, window, tok, merchant, exp, pt)
		clear(pt)
		if _, err := v.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
			`UPDATE vault_cvcs SET kek_id = ?, sealed = ?, expires_at = ? WHERE token = ? AND kek_id = ? AND sealed = ?`,
			newID, resealed, exp, tok, oldID, sealed)}}); err != nil {
			return n, internal("rewrap: updating vault_cvcs", err)
		}
	}
	return n, nil
}
