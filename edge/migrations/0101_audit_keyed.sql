-- Keyed, anchored audit log (edge/audit), schema 101.
--
-- Entries written from now on are chained with HMAC-SHA256 under an audit
-- key that lives outside the database (audit_key_file natively, the
-- SEALPAY_AUDIT_KEY secret on the Worker); mac_key names that key. Entries
-- written before this migration keep mac_key '' and their unkeyed SHA-256
-- links: sealpay audit verify accepts them only as a prefix of the chain.
-- client is the caller's address and key_id a fingerprint of the API key it
-- presented ("pk:sha256:" and 12 hex digits of its hash), never the key.
ALTER TABLE audit_log ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN mac_key TEXT NOT NULL DEFAULT '';

-- Checkpoints: the head of the chain at a retention cut (audit.Prune),
-- keyed like the entries. Verification starts from the latest one.
-- legacy_until is the last unkeyed entry still after the cut (0: none).
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  seq          INTEGER PRIMARY KEY,
  hash         TEXT NOT NULL,
  at           INTEGER NOT NULL,
  legacy_until INTEGER NOT NULL,
  mac_key      TEXT NOT NULL,
  mac          TEXT NOT NULL
);

CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;

-- Only a checkpoint that a later one supersedes may go.
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
WHEN NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE seq > OLD.seq)
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints: the latest checkpoint stays');
END;

-- Entries may be deleted only below a checkpoint (retention). A forged
-- checkpoint does not verify without the audit key.
DROP TRIGGER IF EXISTS audit_log_no_delete;
CREATE TRIGGER IF NOT EXISTS audit_log_delete_below_checkpoint BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE seq >= OLD.seq)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The link is checked inside the unit that appends: an entry must chain to
-- the entry (or the checkpoint) just before it, as the database holds it
-- when the unit runs, on D1 (one batch()) as natively (one savepoint). An
-- appender whose idea of the head is stale fails here (or on the primary
-- key), and its unit runs again on the head read anew.
CREATE TRIGGER IF NOT EXISTS audit_log_link BEFORE INSERT ON audit_log
WHEN NEW.seq > 1
  AND NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq - 1 AND hash = NEW.prev_hash)
  AND NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE seq = NEW.seq - 1 AND hash = NEW.prev_hash)
BEGIN
  SELECT RAISE(ABORT, 'audit_log: entry does not chain to the head');
END;

-- Refusals of callers that did not authenticate, and rate-limited
-- requests, counted per client, merchant, code and minute (win: Unix
-- seconds of the minute's start): one row updated, not one audit entry per
-- refusal. The first refusal of each row is also an audit entry.
CREATE TABLE IF NOT EXISTS audit_refusals (
  win      INTEGER NOT NULL,
  client   TEXT NOT NULL,
  merchant TEXT NOT NULL,
  code     TEXT NOT NULL,
  n        INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  last_at  INTEGER NOT NULL,
  PRIMARY KEY (win, client, merchant, code)
);
