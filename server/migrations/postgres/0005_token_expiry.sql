-- API tokens expire (default 90 days after they are made); tokens made
-- before this migration get the same 90 days from their creation.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens SET expires_at = created_at + 7776000;
