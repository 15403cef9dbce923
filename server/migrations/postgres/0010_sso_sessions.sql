-- Which single sign-on provider signed a session in (NULL: a password or
-- passkey), so signing out can offer to end the provider's session too.
ALTER TABLE sessions ADD COLUMN sso_provider TEXT;
