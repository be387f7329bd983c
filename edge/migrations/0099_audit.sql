-- Audit log of the edge (edge/audit): append-only and hash-chained.
-- seq is the primary key so concurrent appenders (D1 has no transactions)
-- race on it: exactly one INSERT wins each sequence number, the others
-- re-read the head and retry. The triggers refuse updates and deletes.
CREATE TABLE IF NOT EXISTS audit_log (
  seq       INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  merchant  TEXT NOT NULL,
  action    TEXT NOT NULL,
  target    TEXT NOT NULL,
  token     TEXT NOT NULL,
  code      TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
