//! The client over HTTPS as it ships (its own TLS set-up, the system's verifier): a
//! service whose certificate the system does not trust is refused with the reason named;
//! once the system trusts it (here `SSL_CERT_FILE`, as an administrator adds a root), the
//! same address answers. The server is a TLS listener on loopback with a certificate made
//! for the test, answering the health check; the account service itself speaks plain HTTP
//! behind the company's or hoster's TLS terminator.

use std::sync::Arc;

use account_client::{api::ApiClient, ClientError};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};
use tokio_rustls::{
    rustls::{
        self,
        pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
    },
    TlsAcceptor,
};

/// Serves `GET /health/ready` over TLS with a certificate for 127.0.0.1; returns the
/// address and the certificate (PEM) to trust.
async fn tls_health_server() -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let pem = cert.pem();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()],
        PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).unwrap(),
    )
    .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake is what the first half of the test expects.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = [0u8; 2048];
                let _ = tls.read(&mut request).await;
                let body = r#"{"status":"ok","version":"tls-test"}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (address, pem)
}

#[tokio::test]
async fn https_is_refused_with_an_untrusted_certificate_and_works_once_the_system_trusts_it() {
    let (address, pem) = tls_health_server().await;

    let refused = ApiClient::new(&address, "0-test")
        .unwrap()
        .health()
        .await
        .unwrap_err();
    match refused {
        ClientError::Unreachable(reason) => assert!(
            reason.to_lowercase().contains("certificate"),
            "the reason names the certificate: {reason}"
        ),
        other => panic!("expected the service to be unreachable, got {other:?}"),
    }

    // The system's verifier reads the trusted roots when a client is made: this binary
    // has only this test, so changing the environment here races with nothing.
    let roots = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(roots.path(), &pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", roots.path());
    let health = ApiClient::new(&address, "0-test")
        .unwrap()
        .health()
        .await
        .unwrap();
    assert_eq!(health.version, "tls-test");
}
