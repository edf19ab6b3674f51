//! Agents' log-in and log-out pages, and their own password: limited log-in attempts,
//! a double-submit CSRF token on the log-in form. What a logged-in request carries is in
//! `session`.

use account_api::domain::{Email, Language};
use axum::{
    extract::State,
    http::{header, HeaderMap},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    extract::{browser_language, ConsoleForm, ConsoleQuery},
    pages,
    session::{
        cookie_value, set_cookie, Agent, CsrfField, SignedForm, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
        SESSION_MAX_SECONDS,
    },
    ConsoleError,
};
use crate::{
    extract::ClientNetwork,
    limits::{self, Bucket, Rule},
    secrets::{same_digest, token_hash, CsrfToken, SessionToken},
    state::AppState,
};

const LOGIN_ACCOUNT_NETWORK: Rule = Rule {
    name: "agent-an",
    max: 5,
    window_seconds: 15 * 60,
};
const LOGIN_NETWORK: Rule = Rule {
    name: "agent-n",
    max: 50,
    window_seconds: 60 * 60,
};

fn login_buckets(email: &str, network: &str) -> [Bucket; 2] {
    [
        Bucket::new(LOGIN_ACCOUNT_NETWORK, format_args!("{email}|{network}")),
        Bucket::new(LOGIN_NETWORK, network),
    ]
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    expired: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConsoleQuery(query): ConsoleQuery<LoginQuery>,
) -> Response {
    let language = browser_language(&headers);
    let csrf = CsrfToken::generate().into_inner();
    let notice = query.expired.is_some().then(|| {
        super::t(
            language,
            "Votre session a expiré après un moment d'inactivité : reconnectez-vous.",
            "Your session ended after a while without activity: log in again.",
        )
    });
    login_response(&state, language, &csrf, "", notice, None)
}

fn login_response(
    state: &AppState,
    language: Language,
    csrf: &str,
    email: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> Response {
    let cookie = set_cookie(state, LOGIN_CSRF_COOKIE, csrf.to_owned(), Some(3600));
    (
        if error.is_some() {
            axum::http::StatusCode::UNAUTHORIZED
        } else {
            axum::http::StatusCode::OK
        },
        [(header::SET_COOKIE, cookie)],
        pages::login(language, csrf, email, notice, error),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn log_in(
    State(state): State<AppState>,
    network: ClientNetwork,
    headers: HeaderMap,
    ConsoleForm(form): ConsoleForm<LoginForm>,
) -> Result<Response, ConsoleError> {
    let language = browser_language(&headers);
    let expected = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_digest(&expected, &form.csrf) {
        return Err(ConsoleError::Csrf(language));
    }
    let fresh_csrf = CsrfToken::generate().into_inner();
    // Not an e-mail address: no agent has it, but its attempts count all the same (under
    // a text any database stores: without control characters).
    let email = Email::parse(&form.email).ok();
    let attempted = email.as_ref().map_or_else(
        || {
            form.email
                .trim()
                .to_lowercase()
                .replace(|c: char| c.is_control(), "")
        },
        |e| e.as_str().to_owned(),
    );
    let buckets = login_buckets(&attempted, &network.0);
    let reservation = limits::reserve(&state.storage, &state.metrics, &buckets)
        .await
        .map_err(|e| ConsoleError::from(e).told_in(language))?;

    let agent = match &email {
        Some(email) => {
            let mut tx = state.storage.read().await?;
            tx.agent_by_email(email.as_str()).await?
        }
        None => None,
    };
    let valid = match &agent {
        Some(agent) if agent.disabled_at.is_none() => {
            state
                .hasher
                .verify(&form.password, &agent.password_hash)
                .await?
        }
        _ => {
            // As slow as a real check, so timing does not tell which addresses exist.
            state.hasher.verify_nothing(&form.password).await?;
            false
        }
    };
    let (true, Some(agent)) = (valid, agent) else {
        reservation.keep();
        let message = super::t(
            language,
            "Adresse e-mail ou mot de passe incorrect.",
            "Wrong e-mail address or password.",
        );
        return Ok(login_response(
            &state,
            language,
            &fresh_csrf,
            &form.email,
            None,
            Some(message),
        ));
    };

    reservation.refund(&state.storage).await?;
    let token = SessionToken::generate();
    let csrf = CsrfToken::generate().into_inner();
    let now = crate::now();
    let mut tx = state.storage.write().await?;
    let idle = state.support.console_idle.as_secs() as i64;
    tx.prune_agent_sessions(now - idle, now - SESSION_MAX_SECONDS)
        .await?;
    tx.insert_agent_session(&token_hash(token.expose()), agent.id, &csrf, now)
        .await?;
    tx.commit().await?;
    tracing::info!(agent = %agent.email, "console log-in");
    let session = set_cookie(&state, SESSION_COOKIE, token.into_inner(), None);
    let clear_login = set_cookie(&state, LOGIN_CSRF_COOKIE, String::new(), Some(0));
    let mut response = Redirect::to("/console/").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session.parse().expect("a valid cookie"));
    response.headers_mut().append(
        header::SET_COOKIE,
        clear_login.parse().expect("a valid cookie"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

impl CsrfField for LogoutForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Agents' own passwords: as long as the command line asks for.
const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Deserialize)]
pub struct PasswordQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn password_page(
    agent: Agent,
    ConsoleQuery(query): ConsoleQuery<PasswordQuery>,
) -> Response {
    pages::own_password(&agent, query.done.is_some(), &pages::FormState::default()).into_response()
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

impl CsrfField for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// An agent changes its own password; its other log-ins end.
pub async fn change_password(
    State(state): State<AppState>,
    network: ClientNetwork,
    SignedForm(agent, form): SignedForm<PasswordForm>,
) -> Result<Response, ConsoleError> {
    let l = agent.language;
    let mut errors = pages::FormState::default();
    let buckets = login_buckets(&agent.email, &network.0);
    let reservation = limits::reserve(&state.storage, &state.metrics, &buckets)
        .await
        .map_err(|e| ConsoleError::from(e).told_in(l))?;
    let mut tx = state.storage.read().await?;
    let stored = tx
        .agent_by_id(agent.id)
        .await?
        .ok_or(ConsoleError::LoggedOut { expired: false })?;
    drop(tx);
    let right = state
        .hasher
        .verify(&form.current, &stored.password_hash)
        .await?;
    if right {
        reservation.refund(&state.storage).await?;
    } else {
        reservation.keep();
        errors.error(
            "current",
            super::t(
                l,
                "Ce n'est pas votre mot de passe actuel.",
                "This is not your current password.",
            ),
        );
    }
    if form.new.chars().count() < MIN_PASSWORD_CHARS {
        errors.error(
            "new",
            super::t(
                l,
                "Au moins 12 caractères ; une phrase de quelques mots fait l'affaire.",
                "At least 12 characters; a phrase of a few words will do.",
            ),
        );
    } else if form.new != form.again {
        errors.error(
            "again",
            super::t(l, "Les deux saisies diffèrent.", "The two entries differ."),
        );
    }
    if errors.has_errors() {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            pages::own_password(&agent, false, &errors),
        )
            .into_response());
    }
    let hash = state
        .hasher
        .hash(&crate::secrets::ClearPassword::typed(form.new))
        .await?;
    let mut tx = state.storage.write().await?;
    tx.set_agent_password(agent.id, &hash).await?;
    tx.end_other_agent_sessions(agent.id, &agent.session_hash)
        .await?;
    tx.commit().await?;
    tracing::info!(agent = %agent.email, "console password changed");
    Ok(Redirect::to("/console/password?done=1").into_response())
}

pub async fn log_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedForm(_agent, _form): SignedForm<LogoutForm>,
) -> Result<Response, ConsoleError> {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        let mut tx = state.storage.write().await?;
        tx.delete_agent_session(&token_hash(&token)).await?;
        tx.commit().await?;
    }
    let clear = set_cookie(&state, SESSION_COOKIE, String::new(), Some(0));
    Ok((
        [(header::SET_COOKIE, clear)],
        Redirect::to("/console/login"),
    )
        .into_response())
}
