-- Password reset links: an administrator issues one for a user, who chooses
-- a new password through it once. Only a hash of the link's token is kept;
-- a user has at most one live link (a new one replaces the old).
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
