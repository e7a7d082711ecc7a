//! Behind a trusted reverse proxy, the client is the address the proxy forwarded for, not
//! the proxy: every later reader of the peer address (sign-in records, the audit trail,
//! the `/metrics` allow list) sees the client.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

pub async fn forwarded_client(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let trusted = &state.config.trusted_proxies;
    if !trusted.is_empty()
        && let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>()
    {
        let hops: Vec<&str> = request
            .headers()
            .get_all(&X_FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let client = mamori_domain::address::forwarded_client(peer.ip(), hops.into_iter(), trusted);
        let port = if client == peer.ip() { peer.port() } else { 0 };
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(client, port)));
    }
    next.run(request).await
}
