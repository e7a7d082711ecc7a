//! HTTPS served by mamori itself: a certificate chain and key read from PEM files (the
//! body's internal CA issues them), read again on SIGHUP without dropping a connection,
//! and a plain-HTTP listener that only redirects to the HTTPS address.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rustls::crypto::ring::{default_provider, sign::any_supported_type};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::AppState;

/// A handshake slower than this is dropped: it would otherwise hold a slot forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes in progress at once; more connections wait in the kernel's backlog.
const PARALLEL_HANDSHAKES: usize = 128;

/// Where the certificate chain and its key are read from.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsProblem {
    #[error("cannot read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCertificate(PathBuf),
    #[error("{0} holds no PEM private key (PKCS#8, RSA or EC)")]
    NoKey(PathBuf),
    #[error("the key in {key} cannot be used: {detail}")]
    BadKey { key: PathBuf, detail: String },
    #[error("the key in {key} does not belong to the certificate in {cert}")]
    Mismatch { cert: PathBuf, key: PathBuf },
}

impl TlsFiles {
    /// Reads and checks both files: the chain parses, the key parses and is the
    /// certificate's own.
    pub fn load(&self) -> Result<CertifiedKey, TlsProblem> {
        let cert_pem = read(&self.cert)?;
        let key_pem = read(&self.key)?;
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
            .filter_map(Result::ok)
            .collect();
        if chain.is_empty() {
            return Err(TlsProblem::NoCertificate(self.cert.clone()));
        }
        let key = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|_| TlsProblem::NoKey(self.key.clone()))?;
        let signing = any_supported_type(&key).map_err(|e| TlsProblem::BadKey {
            key: self.key.clone(),
            detail: e.to_string(),
        })?;
        let certified = CertifiedKey::new(chain, signing);
        certified.keys_match().map_err(|_| TlsProblem::Mismatch {
            cert: self.cert.clone(),
            key: self.key.clone(),
        })?;
        Ok(certified)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsProblem> {
    std::fs::read(path).map_err(|source| TlsProblem::Unreadable {
        path: path.to_owned(),
        source,
    })
}

/// The certificate in use, replaced whole when the files are read again; handshakes
/// already done keep the one they had.
#[derive(Debug)]
pub struct ReloadableCertificate {
    files: TlsFiles,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadableCertificate {
    pub fn load(files: TlsFiles) -> Result<Arc<Self>, TlsProblem> {
        let current = RwLock::new(Arc::new(files.load()?));
        Ok(Arc::new(ReloadableCertificate { files, current }))
    }

    /// Reads the files again; on any problem the certificate in use stays.
    pub fn reload(&self) -> Result<(), TlsProblem> {
        let fresh = Arc::new(self.files.load()?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    fn acceptor(self: &Arc<Self>) -> TlsAcceptor {
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring supports TLS 1.2 and 1.3")
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    }
}

impl ResolvesServerCert for ReloadableCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

/// Reads the certificate again on each SIGHUP (`systemctl reload mamori`).
fn reload_on_hangup(certificate: Arc<ReloadableCertificate>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = signal(SignalKind::hangup())?;
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match certificate.reload() {
                    Ok(()) => tracing::info!(
                        cert = %certificate.files.cert.display(),
                        "TLS certificate read again"
                    ),
                    Err(e) => tracing::error!(
                        error = %e,
                        "TLS certificate not replaced: the one in use stays"
                    ),
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = certificate;
    Ok(())
}

/// Connections whose handshake is done, handed to axum one by one; the handshakes run in
/// their own tasks so that one slow client cannot hold up the others.
struct TlsListener {
    done: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (ready, done) = tokio::sync::mpsc::channel(PARALLEL_HANDSHAKES);
        let slots = Arc::new(tokio::sync::Semaphore::new(PARALLEL_HANDSHAKES));
        let accepting = tokio::spawn(async move {
            loop {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let ready = ready.clone();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                    match handshake.await {
                        Ok(Ok(tls)) => {
                            let _ = ready.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                    drop(slot);
                });
            }
        });
        Ok(TlsListener {
            done,
            local,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.done.recv().await {
            Some(connection) => connection,
            // The accepting task never ends while the listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// Serves the pages and the API over TLS until `shutdown` resolves, reading the
/// certificate again on SIGHUP; `redirect`, when given, sends plain HTTP to `public_url`.
pub async fn serve_tls(
    listener: TcpListener,
    certificate: Arc<ReloadableCertificate>,
    redirect: Option<TcpListener>,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    reload_on_hangup(certificate.clone())?;
    let redirecting = redirect.map(|plain| {
        tokio::spawn(serve_redirect(
            plain,
            state.config.public_url.clone(),
            crate::shutdown_signal(),
        ))
    });
    let listener = TlsListener::new(listener, certificate.acceptor())?.tap_io(|_| {});
    let app = crate::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    if let Some(task) = redirecting {
        task.abort();
    }
    served
}

/// Answers every plain-HTTP request with a permanent redirect to the same path under
/// `public_url` (the HTTPS address).
async fn serve_redirect(
    listener: TcpListener,
    public_url: String,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .fallback(redirect)
        .with_state(Arc::new(public_url.trim_end_matches('/').to_owned()));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn redirect(State(base): State<Arc<String>>, request: Request) -> Response {
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, format!("{base}{target}"))],
    )
        .into_response()
}
