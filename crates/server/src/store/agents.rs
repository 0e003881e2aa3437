//! Agents of the console and their sessions (session ids stored hashed).

use sqlx::Row;

use super::{Store, StoreError};

/// An agent account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// A logged-in agent's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSession {
    pub login: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

impl Store {
    pub async fn insert_agent(
        &self,
        login: &str,
        display_name: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO agents (login, display_name, password_hash, disabled, created_at) \
             VALUES ($1, $2, $3, 0, $4) ON CONFLICT (login) DO NOTHING",
        )
        .bind(login)
        .bind(display_name)
        .bind(password_hash)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn agent(&self, login: &str) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(
            "SELECT login, display_name, password_hash, disabled FROM agents WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let disabled: i64 = row.try_get("disabled")?;
            Ok(Agent {
                login: row.try_get("login")?,
                display_name: row.try_get("display_name")?,
                password_hash: row.try_get("password_hash")?,
                disabled: disabled != 0,
            })
        })
        .transpose()
    }

    pub async fn insert_agent_session(
        &self,
        id_hash: &str,
        session: &AgentSession,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO agent_sessions (id_hash, login, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(&session.login)
        .bind(&session.csrf_token)
        .bind(session.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn agent_session(&self, id_hash: &str) -> Result<Option<AgentSession>, StoreError> {
        let row = sqlx::query(
            "SELECT login, csrf_token, expires_at FROM agent_sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(AgentSession {
                login: row.try_get("login")?,
                csrf_token: row.try_get("csrf_token")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn delete_agent_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM agent_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
