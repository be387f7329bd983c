package risk

import "github.com/sealpay/sealpay/sdk/sqlunit"

// RecordStmts returns the statements that [Limiter.Record] a card attempt
// on a [SQLStore]'s tables, for the caller to put in the unit of the
// operation they count (a tokenize): the attempt is counted if and only if
// the operation is stored. Each new card member counts 1 on its counter,
// checked before the member is inserted, in the same unit.
func (l *Limiter) RecordStmts(key, client string, a Attempt) []sqlunit.Stmt {
	members, adds := l.plan(key, client, a)
	var out []sqlunit.Stmt
	for _, m := range members {
		out = append(out,
			sqlunit.S(`INSERT INTO risk_counters (name, win, n, expires_at)
				SELECT ?, ?, 1, ? WHERE NOT EXISTS (SELECT 1 FROM risk_members WHERE name = ? AND win = ? AND member = ?)
				ON CONFLICT (name, win) DO UPDATE SET n = n + 1`,
				m.Counter.Name, m.Counter.Start, m.Expires, m.Counter.Name, m.Counter.Start, m.Member),
			sqlunit.S(`INSERT INTO risk_members (name, win, member, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (name, win, member) DO NOTHING`,
				m.Counter.Name, m.Counter.Start, m.Member, m.Expires))
	}
	if len(adds) > 0 && len(adds) <= maxBatch {
		args := make([]any, 0, 4*len(adds))
		for _, d := range adds {
			args = append(args, d.Counter.Name, d.Counter.Start, d.N, d.Expires)
		}
		out = append(out, sqlunit.Stmt{SQL: addQueries[len(adds)], Args: args})
	}
	return out
}
