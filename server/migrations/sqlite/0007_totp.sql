-- A second factor for password accounts: one TOTP secret per user
-- (confirmed = 0 while enrolling), the last time step accepted (a code is
-- never accepted twice), hashed one-time recovery codes, and password
-- logins waiting for their second factor (kept here so a login begun on
-- one replica finishes on another).
CREATE TABLE totp (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    confirmed INTEGER NOT NULL,
    last_step INTEGER NOT NULL,
    created_at INTEGER NOT NULL
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
    expires_at INTEGER NOT NULL
);
