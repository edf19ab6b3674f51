//! The service's one router: the API and the console side by side, with the layers every
//! request goes through and the answers for paths and methods nobody serves; and the
//! metrics listener's router, `/metrics` alone.

use std::time::{Duration, Instant};

use account_api::error::ErrorCode;
use axum::{
    body::Body,
    error_handling::HandleErrorLayer,
    extract::{DefaultBodyLimit, MatchedPath, State},
    http::{header, Request, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    BoxError, Router,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{
    console, error::ApiError, metrics::Metrics, routes, state::AppState, storage::Storage,
};

/// Requests are small forms; anything bigger is a mistake or an attack.
const BODY_LIMIT: usize = 16 * 1024;

/// Every route of the service, with the layers each request goes through; a request not
/// answered within `request_timeout` gets `timeout`.
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    // A request ID ties an answer (header `x-request-id`) to its log lines. One set by
    // the reverse proxy is kept only when the proxy is trusted, like X-Forwarded-For;
    // otherwise the service makes its own.
    let trust_proxy = state.trust_forwarded_for;
    let metrics = state.metrics.clone();
    routes::api(state.local_outbox.is_some())
        .merge(console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            ServiceBuilder::new()
                .map_request(move |mut request: Request<Body>| {
                    if !trust_proxy {
                        request.headers_mut().remove("x-request-id");
                    }
                    request
                })
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                // Logs method, path (no query: it may hold what a caller searched for),
                // request ID, status and time: never other headers nor bodies.
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::custom(|_| {
                    axum::response::IntoResponse::into_response(ApiError::Unexpected(
                        anyhow::anyhow!("a handler panicked"),
                    ))
                }))
                .layer(HandleErrorLayer::new(timed_out))
                .timeout(request_timeout),
        )
        // Outermost, so timeouts and panics are counted with the status they answered.
        .layer(middleware::from_fn_with_state(metrics, count_request))
        .with_state(state)
}

/// Counts a request under its route's template (never the URL itself: it holds IDs),
/// with its status and time.
async fn count_request(
    State(metrics): State<Metrics>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.request(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// What the metrics listener serves: `/metrics` and nothing else. It is not part of
/// [`router`]: the public port never shows the figures.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// The figures, with the outbox read from the database now; if it does not answer, the
/// outbox's series are left out and the others still served.
async fn scrape(State(storage): State<Storage>, State(metrics): State<Metrics>) -> Response {
    let outbox = match storage.outbox_waiting().await {
        Ok((waiting, oldest)) => Some((
            waiting,
            oldest.map_or(0, |created_at| (crate::now() - created_at).max(0)),
        )),
        Err(err) => {
            tracing::warn!(error = %err, "metrics: cannot read the outbox");
            None
        }
    };
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        metrics.encode(outbox),
    )
        .into_response()
}

fn request_span(request: &Request<Body>) -> tracing::Span {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    )
}

async fn not_found() -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::NotFound,
        status: StatusCode::NOT_FOUND,
        message: "no such resource".into(),
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::MethodNotAllowed,
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "this resource does not take this method".into(),
    }
}

async fn timed_out(err: BoxError) -> ApiError {
    if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::BadRequest {
            code: ErrorCode::Timeout,
            status: StatusCode::REQUEST_TIMEOUT,
            message: "the request took too long".into(),
        }
    } else {
        ApiError::Unexpected(anyhow::anyhow!("middleware error: {err}"))
    }
}
