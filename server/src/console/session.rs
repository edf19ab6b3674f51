//! An agent's log-in as each console request sees it: the session cookie (a random
//! [`SessionToken`](crate::secrets::SessionToken), HttpOnly, SameSite=Strict, Secure when
//! the service is reached over HTTPS), stored hashed, with an idle timeout; and the CSRF
//! token every form sends back.

use account_api::domain::Language;
use axum::{
    extract::{Form, FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderMap},
};
use cookie::{Cookie, SameSite};
use serde::de::DeserializeOwned;

use super::ConsoleError;
use crate::{
    audit::Actor,
    secrets::{same_digest, token_hash},
    state::AppState,
    support::Role,
};

pub const SESSION_COOKIE: &str = "console_session";
/// Before log-in: the double-submit token of the log-in form.
pub(super) const LOGIN_CSRF_COOKIE: &str = "console_login";
/// However active, a log-in ends after a working day.
pub(super) const SESSION_MAX_SECONDS: i64 = 12 * 3600;
/// How often a log-in in use has its last-seen time written (the idle timeout's grain).
const SESSION_TOUCH_SECONDS: i64 = 60;

/// The logged-in agent of a console request.
#[derive(Debug, Clone)]
pub struct Agent {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub language: Language,
    pub csrf: String,
    /// This agent, as the history names it.
    actor: Actor,
    /// The hash of this log-in's cookie, to keep it when the others end.
    pub(super) session_hash: String,
    /// Where the agents work: the times shown and the days of the export.
    pub zone: jiff::tz::TimeZone,
}

impl Agent {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> Result<(), ConsoleError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ConsoleError::AdminOnly(self.language))
        }
    }

    /// What the audit history shows as the actor.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// This agent, as the writer of ledger entries.
    pub fn writer(&self) -> crate::ledger::Writer<'_> {
        crate::ledger::Writer {
            agent_id: self.id,
            agent_name: &self.name,
            actor: &self.actor,
        }
    }
}

pub(super) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

pub(super) fn set_cookie(
    state: &AppState,
    name: &'static str,
    value: String,
    max_age: Option<i64>,
) -> String {
    let mut cookie = Cookie::build((name, value))
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.console_cookies_secure);
    if let Some(seconds) = max_age {
        cookie = cookie.max_age(cookie::time::Duration::seconds(seconds));
    }
    cookie.build().to_string()
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(ConsoleError::LoggedOut { expired: false });
        };
        let hash = token_hash(&token);
        let now = crate::now();
        let idle = state.support.console_idle.as_secs() as i64;
        // Most requests only read; a write (and its lock) only to end a log-in or, once a
        // minute at most, to note that it is still in use.
        let mut tx = state.storage.read().await?;
        let session = tx.agent_session(&hash).await?;
        let agent = match &session {
            Some(session) => tx.agent_by_id(session.agent_id).await?,
            None => None,
        };
        tx.commit().await?;
        let Some(session) = session else {
            return Err(ConsoleError::LoggedOut { expired: true });
        };
        let expired =
            session.last_seen_at + idle < now || session.created_at + SESSION_MAX_SECONDS < now;
        let agent = match agent {
            Some(agent) if agent.disabled_at.is_none() && !expired => agent,
            _ => {
                let mut tx = state.storage.write().await?;
                tx.delete_agent_session(&hash).await?;
                tx.commit().await?;
                return Err(ConsoleError::LoggedOut { expired });
            }
        };
        if now - session.last_seen_at >= SESSION_TOUCH_SECONDS {
            let mut tx = state.storage.write().await?;
            tx.touch_agent_session(&hash, now).await?;
            tx.commit().await?;
        }
        let language = agent.language;
        // An error page after this point speaks the agent's language.
        if let Some(slot) = parts.extensions.get::<super::LanguageSlot>() {
            slot.set(language);
        }
        Ok(Agent {
            actor: Actor::Agent(agent.email.clone()),
            session_hash: hash,
            zone: state.support.time_zone.clone(),
            id: agent.id,
            email: agent.email,
            name: agent.name,
            role: agent.role,
            language,
            csrf: session.csrf_token,
        })
    }
}

/// A form posted by a logged-in agent, its CSRF token checked before anything else.
pub struct SignedForm<T>(pub Agent, pub T);

/// Forms name their CSRF field `csrf`.
pub trait CsrfField {
    fn csrf(&self) -> &str;
}

impl<T> FromRequest<AppState> for SignedForm<T>
where
    T: DeserializeOwned + CsrfField + Send,
{
    type Rejection = ConsoleError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let agent = Agent::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let Ok(Form(form)) = Form::<T>::from_request(req, state).await else {
            // A form without its token, or not a form of ours at all.
            return Err(ConsoleError::Csrf(agent.language));
        };
        if !same_digest(form.csrf(), &agent.csrf) {
            return Err(ConsoleError::Csrf(agent.language));
        }
        Ok(SignedForm(agent, form))
    }
}
