-- Attempt throttling as one counter row per bucket, so an attempt can be
-- checked and counted in one statement (an upsert) before the slow
-- password hash: concurrent attempts can no longer all pass the check.
-- Replaces the per-failure rows of login_failures.
CREATE TABLE throttle (
    bucket TEXT PRIMARY KEY,
    hits BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    delay BIGINT NOT NULL
);
DROP TABLE login_failures;
