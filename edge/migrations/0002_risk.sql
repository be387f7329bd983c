-- Sealpay risk (package sdk/risk), schema 2: velocity counters that hold
-- across processes and Worker instances.
--
-- Same rules as 0001_init.sql: plain SQL D1 accepts, idempotent, no
-- transactions needed at run time.

-- Fixed-window counters. win is the window's start (Unix seconds); a
-- request reads its window and the one before for a sliding estimate.
-- Updated only by INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n
-- RETURNING n, one atomic statement.
CREATE TABLE IF NOT EXISTS risk_counters (
  name       TEXT    NOT NULL,
  win        INTEGER NOT NULL,
  n          INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (name, win)
);
CREATE INDEX IF NOT EXISTS risk_counters_expires ON risk_counters (expires_at);

-- Set members per window, to count distinct cards: a member is new when
-- INSERT … ON CONFLICT DO NOTHING RETURNING gives a row back.
CREATE TABLE IF NOT EXISTS risk_members (
  name       TEXT    NOT NULL,
  win        INTEGER NOT NULL,
  member     TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (name, win, member)
);
CREATE INDEX IF NOT EXISTS risk_members_expires ON risk_members (expires_at);
