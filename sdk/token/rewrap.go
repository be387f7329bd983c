package token

import (
	"context"
	"fmt"

	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// Rewrap moves up to batch rows (cards and CVCs) sealed under older KEKs of
// the set to the primary KEK, and returns how many rows it handled. Call it
// until it returns 0: then no row needs the older KEKs and they can leave
// the set.
//
// Reads keep working throughout: a row names its KEK version, and the set
// still holds the old one. Each row is moved by one conditional UPDATE (… WHERE
// kek_id = old), so a row deleted, taken or moved by another process in the
// meantime is skipped, never overwritten. A row that fails authentication
// stops Rewrap with an error: it needs an operator, not a retry.
func (v *Vault) Rewrap(ctx context.Context, batch int) (n int, err error) {
	if batch <= 0 {
		batch = 100
	}
	primary := v.keys.keks.primary.ID()
	for _, old := range v.keys.keks.others {
		for _, t := range []struct{ table, label string }{
			{"vault_tokens", labelCard},
			{"vault_cvcs", labelCVC},
		} {
			if n >= batch {
				return n, nil
			}
			k, err := v.rewrapTable(ctx, t.table, t.label, old.ID(), primary, batch-n)
			n += k
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

type sealedRow struct {
	token, merchant string
	sealed          []byte
}

func (v *Vault) rewrapTable(ctx context.Context, table, label, oldID, newID string, limit int) (int, error) {
	// table is one of two constants above, never input.
	rows, err := v.ex.Query(ctx, `SELECT token, merchant_id, sealed FROM `+table+` WHERE kek_id = ? LIMIT ?`, oldID, limit)
	if err != nil {
		return 0, internal("rewrap: reading "+table, err)
	}
	var todo []sealedRow
	for _, row := range rows {
		todo = append(todo, sealedRow{row.String(0), row.String(1), row.Bytes(2)})
	}
	if len(todo) == 0 {
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
	for _, r := range todo {
		pt, err := openRow(oldAEAD, label, oldID, r.token, r.merchant, r.sealed)
		if err != nil {
			return n, fmt.Errorf("token: rewrap: a row of %s under KEK %q failed authentication: %w", table, oldID, errInternal)
		}
		sealed := sealRow(newAEAD, label, newID, r.token, r.merchant, pt)
		if _, err := v.ex.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
			`UPDATE `+table+` SET kek_id = ?, sealed = ? WHERE token = ? AND kek_id = ?`, newID, sealed, r.token, oldID)}}); err != nil {
			return n, internal("rewrap: updating "+table, err)
		}
		// Counted whether moved here or found gone: what matters is that
		// the row no longer needs oldID, or soon will not.
		n++
	}
	return n, nil
}
