//! Live sessions cached in Redis (when `REDIS_URL` is set) for a minute, so
//! most requests skip the database. Every change that ends or alters a
//! session (logout, sign out everywhere, role change, removal) deletes its
//! entry, so no replica serves a stale one; an unreachable Redis only means
//! the database is asked.

use std::time::Duration;

use app::model::Grants;
use serde::{Deserialize, Serialize};

use super::store::{SessionRow, User};
use crate::cache::RedisTier;

/// How long an entry lives.
const TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Default)]
pub struct SessionCache {
    redis: Option<RedisTier>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    user_id: String,
    username: String,
    grants: Grants,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    user_agent: String,
}

fn key(token_hash: &str) -> String {
    format!("reestr:v2:session:{token_hash}")
}

impl SessionCache {
    pub fn new(redis: Option<RedisTier>) -> Self {
        Self { redis }
    }

    pub async fn get(&self, token_hash: &str) -> Option<SessionRow> {
        let bytes = self.redis.as_ref()?.get_bytes(&key(token_hash)).await?;
        let e: Entry = serde_json::from_slice(&bytes).ok()?;
        Some(SessionRow {
            token_hash: token_hash.to_string(),
            user: User { id: e.user_id, username: e.username, grants: e.grants },
            created_at: e.created_at,
            last_seen_at: e.last_seen_at,
            expires_at: e.expires_at,
            user_agent: e.user_agent,
        })
    }

    pub async fn put(&self, s: &SessionRow) {
        let Some(redis) = &self.redis else { return };
        let entry = Entry {
            user_id: s.user.id.clone(),
            username: s.user.username.clone(),
            grants: s.user.grants.clone(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent.clone(),
        };
        if let Ok(bytes) = serde_json::to_vec(&entry) {
            redis.set_bytes(&key(&s.token_hash), bytes, TTL).await;
        }
    }

    pub async fn forget(&self, token_hash: &str) {
        if let Some(redis) = &self.redis {
            redis.delete(&key(token_hash)).await;
        }
    }
}
