//! HTTPS served by mamori itself, with a certificate authority made here as a body's
//! internal CA would be: the chain is served, a new certificate is taken on SIGHUP while
//! an open connection goes on, a broken file on reload keeps the old one, and plain HTTP
//! is redirected. Transport only, so SQLite alone.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::*;

/// The body's internal certificate authority.
struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Authority {
    fn new() -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "佐久市議会 内部認証局");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Authority { issuer }
    }

    /// A server certificate for localhost and 127.0.0.1: (chain PEM, key PEM, its DER).
    fn issue(&self) -> (String, String, CertificateDer<'static>) {
        let params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        // The chain as a CA hands it out: the server's certificate, then the CA's.
        let chain = format!("{}{}", cert.pem(), self.issuer.pem());
        (chain, key.serialize_pem(), cert.der().clone())
    }

    fn connector(&self) -> TlsConnector {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.issuer.der().clone()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        TlsConnector::from(Arc::new(config))
    }
}

async fn connect(connector: &TlsConnector, port: u16) -> TlsStream<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake with the CA's certificate")
}

fn served_certificate(stream: &TlsStream<tokio::net::TcpStream>) -> CertificateDer<'static> {
    stream.get_ref().1.peer_certificates().unwrap()[0].clone()
}

/// One HTTP/1.1 request on a connection kept open: (status, body).
async fn request<S>(stream: &mut S, path: &str) -> (u16, String)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(n > 0, "connection closed mid-answer");
        bytes.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().unwrap())
            })
            .unwrap_or(0);
        if body.len() >= length {
            let status = head.split(' ').nth(1).unwrap().parse().unwrap();
            return (status, body.to_owned());
        }
    }
}

fn hang_up(server: &Server) {
    let sent = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits until a new connection is served `expected`.
fn wait_for_certificate(authority: &Authority, port: u16, expected: &CertificateDer<'static>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let served =
            block_on(async { served_certificate(&connect(&authority.connector(), port).await) });
        if &served == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the new certificate was not taken"
        );
        thread::sleep(POLL);
    }
}

#[test]
fn serves_https_with_the_bodys_certificate_and_takes_a_new_one_on_sighup() {
    let backend = backends()[0];
    let site = Site::new(backend);
    let authority = Authority::new();
    let tls_dir = tempfile::tempdir().unwrap();
    let cert_file = tls_dir.path().join("server.crt");
    let key_file = tls_dir.path().join("server.key");
    let (chain, key, first) = authority.issue();
    std::fs::write(&cert_file, chain).unwrap();
    std::fs::write(&key_file, key).unwrap();

    let port = free_port();
    let plain_port = free_port_other_than(&[port]);
    let public_url = format!("https://localhost:{port}");
    let command = site.command(&[
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--public-url",
        &public_url,
        "--tls-cert",
        cert_file.to_str().unwrap(),
        "--tls-key",
        key_file.to_str().unwrap(),
        "--redirect-listen",
        &format!("127.0.0.1:{plain_port}"),
    ]);
    let server = Server::spawn(command, port);

    let mut kept = block_on(connect(&authority.connector(), port));
    assert_eq!(served_certificate(&kept), first);
    let (status, body) = block_on(request(&mut kept, "/healthz"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"ok\""), "{body}");
    let (status, _) = block_on(request(&mut kept, "/login"));
    assert_eq!(status, 200);

    // Plain HTTP on the TLS port is refused by the handshake, not answered.
    let plain_on_tls = block_on(async {
        let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
        answer
    });
    assert!(!String::from_utf8_lossy(&plain_on_tls).contains("200 OK"));

    // The plain listener only redirects, path and query kept.
    let redirect = get(&format!(
        "http://127.0.0.1:{plain_port}/assets?q=%E5%8F%B0%E5%B8%B3"
    ));
    assert_eq!(redirect.status(), 308);
    assert_eq!(
        redirect.headers()["location"],
        format!("{public_url}/assets?q=%E5%8F%B0%E5%B8%B3").as_str()
    );

    // The CA issues a new certificate; systemctl reload sends SIGHUP.
    let (chain, key, second) = authority.issue();
    std::fs::write(&cert_file, chain).unwrap();
    std::fs::write(&key_file, key).unwrap();
    hang_up(&server);
    wait_for_certificate(&authority, port, &second);
    // The connection opened before the reload goes on.
    let (status, _) = block_on(request(&mut kept, "/healthz"));
    assert_eq!(status, 200);

    // A broken file on reload leaves the certificate in use as it was.
    std::fs::write(&cert_file, "not a certificate").unwrap();
    hang_up(&server);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.stderr().contains("TLS certificate not replaced") {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        thread::sleep(POLL);
    }
    // A fresh client: a resumed session would show the certificate of its first handshake.
    let served =
        block_on(async { served_certificate(&connect(&authority.connector(), port).await) });
    assert_eq!(served, second);
    assert!(
        server.stderr().contains(cert_file.to_str().unwrap()),
        "the log names the file: {}",
        server.stderr()
    );
    server.stop_cleanly("TERM");
}

#[test]
fn wrong_tls_and_proxy_settings_stop_serve_before_it_listens() {
    let site = Site::new(backends()[0]);
    let authority = Authority::new();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (chain, key, _) = authority.issue();
    let (_, other_key, _) = authority.issue();
    std::fs::write(path("server.crt"), chain).unwrap();
    std::fs::write(path("server.key"), key).unwrap();
    std::fs::write(path("other.key"), other_key).unwrap();
    std::fs::write(path("empty.pem"), "").unwrap();
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        run(site.command(&args), None).failure(1)
    };
    serve(&["--tls-cert", &path("server.crt")]).stderr_has("tls_key");
    serve(&[
        "--tls-cert",
        &path("server.crt"),
        "--tls-key",
        &path("other.key"),
    ])
    .stderr_has("does not belong to the certificate");
    serve(&[
        "--tls-cert",
        &path("empty.pem"),
        "--tls-key",
        &path("server.key"),
    ])
    .stderr_has("holds no PEM certificate");
    serve(&[
        "--tls-cert",
        &path("server.crt"),
        "--tls-key",
        &path("server.crt"),
    ])
    .stderr_has("holds no PEM private key");
    serve(&[
        "--tls-cert",
        &path("missing.crt"),
        "--tls-key",
        &path("server.key"),
    ])
    .stderr_has("missing.crt");
    serve(&["--redirect-listen", "127.0.0.1:0"]).stderr_has("needs tls_cert and tls_key");
    serve(&[
        "--tls-cert",
        &path("server.crt"),
        "--tls-key",
        &path("server.key"),
        "--public-url",
        "http://mamori.example.lg.jp",
    ])
    .stderr_has("https://");
    serve(&["--trusted-proxies", "proxy.example"]).stderr_has("trusted_proxies");
}
