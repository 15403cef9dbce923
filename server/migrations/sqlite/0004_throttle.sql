-- Attempt throttling as one counter row per bucket, so an attempt can be
-- checked and counted in one statement (an upsert) before the slow
-- password hash: concurrent attempts can no longer all pass the check.
-- Replaces the per-failure rows of login_failures.
CREATE TABLE throttle (
    bucket TEXT PRIMARY KEY,
    hits INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    delay INTEGER NOT NULL
);
DROP TABLE login_failures;
