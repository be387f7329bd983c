-- Nonces of signed QR codes accepted by the edge's POST /v1/qr/verify
-- (edge/qr.go, a qr.NonceStore): each is accepted once, until it expires.
-- One INSERT … ON CONFLICT DO NOTHING decides, atomically without a
-- transaction (D1 has none).
CREATE TABLE IF NOT EXISTS qr_nonces (
  nonce      TEXT    PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS qr_nonces_expires ON qr_nonces (expires_at);
