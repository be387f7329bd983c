-- Sealpay vault, schema 1.
--
-- Applied by migrations.Apply (edge/migrations) on SQLite and by `wrangler d1 migrations apply`
-- on Cloudflare D1, which both record it as "0001_init.sql" in the
-- d1_migrations table. Plain SQLite that D1 accepts: no BEGIN/COMMIT, no
-- PRAGMA, and every statement idempotent (IF NOT EXISTS) so that a run
-- interrupted halfway can simply run again.
--
-- Times are INTEGER Unix seconds. A row with an expires_at at or before now
-- is dead: reads filter on it, Purge deletes it later.
-- See docs/vault.md for the reasoning.

-- Data keys, wrapped by a KEK. One 'seal' key per KEK version (rows sealed
-- under that version use it) and one 'fingerprint' key whose bytes are the
-- same under every version (re-wrapped, never regenerated).
CREATE TABLE IF NOT EXISTS vault_keys (
  kek_id     TEXT    NOT NULL,
  purpose    TEXT    NOT NULL CHECK (purpose IN ('seal', 'fingerprint')),
  wrapped    BLOB    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (kek_id, purpose)
);

-- One row per token. sealed holds the number and the cardholder name,
-- sealed under the 'seal' key of kek_id with the token and merchant as
-- additional data. expires_at is NULL for reusable tokens.
CREATE TABLE IF NOT EXISTS vault_tokens (
  token       TEXT    NOT NULL PRIMARY KEY,
  merchant_id TEXT    NOT NULL,
  brand       TEXT    NOT NULL,
  last4       TEXT    NOT NULL,
  exp_month   INTEGER NOT NULL,
  exp_year    INTEGER NOT NULL,
  fingerprint TEXT    NOT NULL,
  single_use  INTEGER NOT NULL DEFAULT 0 CHECK (single_use IN (0, 1)),
  kek_id      TEXT    NOT NULL,
  sealed      BLOB    NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER
);
CREATE INDEX IF NOT EXISTS vault_tokens_kek ON vault_tokens (kek_id);
CREATE INDEX IF NOT EXISTS vault_tokens_expires ON vault_tokens (expires_at) WHERE expires_at IS NOT NULL;

-- CVCs, apart from the cards and only for minutes: taken (deleted) by the
-- first reveal that asks for them. No foreign key: the CVC row is written
-- before its token row, so that a failed tokenize leaves only an orphan
-- that expires.
CREATE TABLE IF NOT EXISTS vault_cvcs (
  token       TEXT    NOT NULL PRIMARY KEY,
  merchant_id TEXT    NOT NULL,
  kek_id      TEXT    NOT NULL,
  sealed      BLOB    NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS vault_cvcs_expires ON vault_cvcs (expires_at);
CREATE INDEX IF NOT EXISTS vault_cvcs_kek ON vault_cvcs (kek_id);

-- Envelope jtis, each accepted once, remembered until its envelope expires.
CREATE TABLE IF NOT EXISTS vault_jtis (
  jti         TEXT    NOT NULL PRIMARY KEY,
  merchant_id TEXT    NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS vault_jtis_expires ON vault_jtis (expires_at);
