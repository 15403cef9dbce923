//! Site-wide settings (`settings`: name → value), changed by administrators
//! and read by every replica from the database, so they agree.

use sqlx::Row;

use super::{Store, StoreError};

/// A setting, by its stored name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Password sign-ins need a second factor (`1`), or not.
    RequireSecondFactor,
}

impl Setting {
    fn name(self) -> &'static str {
        match self {
            Self::RequireSecondFactor => "require_second_factor",
        }
    }
}

impl Store {
    /// Whether `setting` is on (absent is off).
    pub async fn flag(&self, setting: Setting) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(setting.name())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>("value")).transpose()?.is_some_and(|v| v == "1"))
    }

    /// Turns `setting` on or off (one statement; replicas may race, the last wins).
    pub async fn set_flag(&self, setting: Setting, on: bool) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(setting.name())
        .bind(if on { "1" } else { "0" })
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
