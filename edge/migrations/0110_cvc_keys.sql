-- Sealpay vault, schema 110: the short-lived keys that seal CVCs
-- (package token, token.NewSQLCVCKeys), for crypto-erasure.
--
-- One key per (KEK version, window): win is the Unix second at which the
-- key's window starts, wrapped the key under kek_id. expires_at is the end
-- of the window plus the CVC lifetime: no CVC sealed under the key
-- outlives it, and the purge deletes the key once it has passed, which
-- makes every CVC it sealed unreadable. See docs/vault.md, "Deletion".
--
-- The native server keeps these keys in memory instead (never on disk);
-- the table is the Worker's (D1) and the tools'.
CREATE TABLE IF NOT EXISTS vault_cvc_keys (
  kek_id     TEXT    NOT NULL,
  win        INTEGER NOT NULL,
  wrapped    BLOB    NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (kek_id, win)
);
CREATE INDEX IF NOT EXISTS vault_cvc_keys_expires ON vault_cvc_keys (expires_at);
