-- Events to the merchant (edge/events.go, docs/edge-api.md, "Events"):
-- a persistent outbox. An event row is inserted by the unit of the
-- operation that caused it (a delete, a refusal, a relay's failure entry),
-- so it exists if and only if that operation took effect; its body is the
-- JSON delivered, byte for byte (never card data). state is 'pending'
-- until the merchant's endpoint answers 2xx ('delivered') or the retries
-- run out ('failed'); next_at is when it is next due (a delivery in
-- flight pushes it forward by a lease and sets leased, so a crash
-- mid-delivery retries: after the lease, or at once when the native
-- server, the database's only user, starts again); attempts counts the
-- deliveries begun. dedupe, when set, names an episode
-- (one card-testing block) of which only one event is kept per window.
-- The purge deletes delivered and failed rows after a week.
CREATE TABLE IF NOT EXISTS events (
  id          TEXT    PRIMARY KEY,
  merchant    TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  dedupe      TEXT,
  body        BLOB    NOT NULL,
  created_at  INTEGER NOT NULL,
  state       TEXT    NOT NULL DEFAULT 'pending',
  attempts    INTEGER NOT NULL DEFAULT 0,
  leased      INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,
  last_status INTEGER,
  last_error  TEXT,
  done_at     INTEGER
);
CREATE INDEX IF NOT EXISTS events_due ON events (state, next_at);
CREATE INDEX IF NOT EXISTS events_dedupe ON events (merchant, dedupe, created_at);
CREATE INDEX IF NOT EXISTS events_done ON events (done_at);

-- The primary key id of each key set the edge last saw (name 'envelope',
-- 'audit'): a start-up that sees another one queues key.rotated.
CREATE TABLE IF NOT EXISTS event_keys (
  name    TEXT    PRIMARY KEY,
  key_id  TEXT    NOT NULL,
  seen_at INTEGER NOT NULL
);
