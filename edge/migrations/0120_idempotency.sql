-- Idempotency keys of the edge's state-changing POSTs (edge/idempotency.go,
-- docs/edge-api.md, "Idempotency keys"): one row per (merchant, key kind,
-- Idempotency-Key). req_hash is the SHA-256 of the request's method, path
-- and body; state is 'running' while the first request runs (until
-- lease_until, after which a retry may take the key over) and 'done' once
-- its answer (status, headers as JSON, body; never card data) is stored.
-- owner names the request holding the key, so that a request whose lease
-- was taken over cannot store its answer. The purge deletes rows whose
-- expires_at has passed.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  merchant    TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  idem_key    TEXT    NOT NULL,
  req_hash    BLOB    NOT NULL,
  state       TEXT    NOT NULL,
  owner       TEXT    NOT NULL,
  lease_until INTEGER NOT NULL,
  status      INTEGER,
  headers     TEXT,
  body        BLOB,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (merchant, kind, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expires ON idempotency_keys (expires_at);
