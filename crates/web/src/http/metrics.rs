//! `/metrics` for an operator's monitoring (Prometheus text format): requests by route
//! and status, their latencies, the mail queue, files being parsed, and the age of the
//! newest daily backup. Off unless addresses are configured, and answered only to those
//! addresses: to anyone else it does not exist (404).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use mamori_domain::address::AddressRange;

use super::auth::client_ip;
use super::error::AppError;
use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Counts kept since the server started.
#[derive(Default)]
pub struct RequestMetrics {
    /// (method, route template, status) → requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// Requests at or under each bucket's bound (not cumulative; summed when written).
    buckets: [AtomicU64; BUCKETS.len()],
    slower: AtomicU64,
    micros_total: AtomicU64,
}

impl RequestMetrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let key = (method.to_owned(), route.to_owned(), status);
        *self
            .requests
            .lock()
            .expect("metrics lock")
            .entry(key)
            .or_default() += 1;
        match BUCKETS.iter().position(|&bound| seconds <= bound) {
            Some(i) => self.buckets[i].fetch_add(1, Ordering::Relaxed),
            None => self.slower.fetch_add(1, Ordering::Relaxed),
        };
        self.micros_total
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String) {
        out.push_str("# HELP mamori_http_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE mamori_http_requests_total counter\n");
        for ((method, route, status), n) in self.requests.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "mamori_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                route.replace('\\', "\\\\").replace('"', "\\\"")
            );
        }
        out.push_str("# HELP mamori_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE mamori_http_request_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "mamori_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.slower.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "mamori_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let seconds = self.micros_total.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "mamori_http_request_duration_seconds_sum {seconds}");
        let _ = writeln!(
            out,
            "mamori_http_request_duration_seconds_count {cumulative}"
        );
    }
}

/// Counts every answer by its route's template (never the path itself, so ids do not
/// make a series each).
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let response = next.run(request).await;
    state.metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn metrics(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, AppError> {
    let allowed = client_ip(request.extensions()).is_some_and(|ip| {
        state
            .config
            .metrics_allow
            .iter()
            .any(|r: &AddressRange| r.contains(ip))
    });
    if !allowed {
        return Err(AppError::not_found());
    }
    let vitals = mamori_app::operations::vitals(&state.app, &state.config.data_dir).await?;
    let mut out = String::new();
    state.metrics.write(&mut out);
    let gauges: [(&str, &str, String); 5] = [
        (
            "mamori_mail_queued",
            "Mails waiting for their next attempt.",
            vitals.mail_queued.to_string(),
        ),
        (
            "mamori_mail_failed",
            "Mails given up, waiting to be sent again by hand.",
            vitals.mail_failed.to_string(),
        ),
        (
            "mamori_imports_parsing",
            "Uploaded files being parsed now.",
            vitals.imports_parsing.to_string(),
        ),
        (
            "mamori_imports_parallel",
            "Uploaded files that may be parsed at once.",
            vitals.imports_parallel.to_string(),
        ),
        (
            "mamori_backup_age_seconds",
            "Seconds since the newest daily backup (NaN when there is none).",
            vitals
                .backup_age_seconds
                .map_or("NaN".to_owned(), |s| s.to_string()),
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        out,
    )
        .into_response())
}
