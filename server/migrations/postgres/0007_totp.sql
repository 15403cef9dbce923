-- A second factor for password accounts: one TOTP secret per user
-- (confirmed = 0 while enrolling), the last time step accepted (a code is
-- never accepted twice), hashed one-time recovery codes, and password
-- logins waiting for their second factor (kept here so a login begun on
-- one replica finishes on another).
CREATE TABLE totp (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    confirmed BIGINT NOT NULL,
    last_step BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE pending_logins (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    user_agent TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- 0006 made these INTEGER; times are BIGINT everywhere else on Postgres.
ALTER TABLE password_resets ALTER COLUMN created_at TYPE BIGINT, ALTER COLUMN expires_at TYPE BIGINT;
