//! The `mamori` binary: the command line of `mamori-cli`, with `serve` running the pages
//! and the API of `mamori-web`.

mod memory;

use std::process::ExitCode;

use mamori_cli::ServeRequest;
use mamori_web::tls::{self, ReloadableCertificate, TlsFiles};
use mamori_web::{AppState, WebConfig};

fn main() -> ExitCode {
    // Before any thread starts, so that the arena cap holds for all of them.
    memory::tune();
    mamori_cli::main(serve)
}

async fn serve(request: ServeRequest) -> anyhow::Result<()> {
    let mut config = WebConfig::new(request.public_url.clone(), request.data_dir.clone());
    config.sessions = request.sessions;
    config.lockout = request.lockout;
    config.mail_server = request.mail_server.clone();
    config.max_file_bytes = request.max_file_bytes;
    config.metrics_allow = request.metrics_allow.clone();
    config.trusted_proxies = request.trusted_proxies.clone();
    config.backups = request.backups.clone();
    match mamori_app::files::clear_spool(&config.upload_dir()) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "removed uploads cut off by the last stop"),
        Err(e) => tracing::warn!(error = %e, "could not clear the upload spool"),
    }
    // Read before anything is announced: a wrong file stops serve with its reason.
    let certificate = match &request.tls {
        Some(tls) => Some(ReloadableCertificate::load(TlsFiles {
            cert: tls.cert.clone(),
            key: tls.key.clone(),
        })?),
        None => None,
    };
    let state = AppState::new(request.app.clone(), config);
    if let Some(url) = state.open_setup().await? {
        println!("{}", request.tr.f("cli.setup_url", &[("url", url)]));
    }
    let shutdown = mamori_web::shutdown_signal();
    request.announce()?;
    let Some(certificate) = certificate else {
        mamori_web::serve(request.listener, state, shutdown).await?;
        return Ok(());
    };
    let redirect = request.tls.and_then(|tls| tls.redirect);
    tls::serve_tls(request.listener, certificate, redirect, state, shutdown).await?;
    Ok(())
}
