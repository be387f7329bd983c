-- Sealpay vault, schema 140: wallet payments (docs/wallets.md).
--
-- A wallet token's number is stored like a card's, in vault_tokens. Its
-- one-time cryptogram and ECI are held like a CVC: sealed under the
-- current CVC key (vault_cvc_keys), for the CVC lifetime at most, and
-- deleted by the first relay that asks for either ({{tok_…:cryptogram}},
-- {{tok_…:eci}}); the purge deletes expired rows, and destroying their CVC
-- key makes the rest unreadable. No foreign key, as for vault_cvcs: the
-- row is written before its token row.
CREATE TABLE IF NOT EXISTS vault_wallet_creds (
  token       TEXT    NOT NULL PRIMARY KEY,
  merchant_id TEXT    NOT NULL,
  kek_id      TEXT    NOT NULL,
  sealed      BLOB    NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS vault_wallet_creds_expires ON vault_wallet_creds (expires_at);

-- The guard trigger of 0100_units.sql, with the reason a relay gives when
-- the cryptogram it needs is gone.
DROP TRIGGER IF EXISTS unit_refusals_raise;
CREATE TRIGGER IF NOT EXISTS unit_refusals_raise BEFORE INSERT ON unit_refusals
BEGIN
  SELECT CASE NEW.reason
    WHEN 'replayed' THEN RAISE(ABORT, 'sealpay_refused:replayed')
    WHEN 'not_found' THEN RAISE(ABORT, 'sealpay_refused:not_found')
    WHEN 'no_cvc' THEN RAISE(ABORT, 'sealpay_refused:no_cvc')
    WHEN 'no_cryptogram' THEN RAISE(ABORT, 'sealpay_refused:no_cryptogram')
    ELSE RAISE(ABORT, 'sealpay_refused:unknown')
  END;
END;
