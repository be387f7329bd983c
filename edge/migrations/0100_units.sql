-- Guards of atomic units (package sdk/sqlunit), schema 100.
--
-- A unit (a list of statements run all-or-nothing: one D1 batch(), one
-- savepoint natively) cannot branch, so a statement that must hold for the
-- unit to go on is a guard: INSERT INTO unit_refusals (reason) SELECT ?
-- WHERE [NOT] EXISTS (…). The trigger turns any such insert into an error
-- whose message names the reason, which fails the whole unit; the table
-- never holds a row.
CREATE TABLE IF NOT EXISTS unit_refusals (
  reason TEXT NOT NULL
);

CREATE TRIGGER IF NOT EXISTS unit_refusals_raise BEFORE INSERT ON unit_refusals
BEGIN
  SELECT CASE NEW.reason
    WHEN 'replayed' THEN RAISE(ABORT, 'sealpay_refused:replayed')
    WHEN 'not_found' THEN RAISE(ABORT, 'sealpay_refused:not_found')
    WHEN 'no_cvc' THEN RAISE(ABORT, 'sealpay_refused:no_cvc')
    ELSE RAISE(ABORT, 'sealpay_refused:unknown')
  END;
END;
