//! TLS for the tests' own clients and servers: rustls with the `ring`
//! provider (the test build compiles no other) and the fixture CA of
//! `tests/fixtures/tls` (see its README).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};

/// The test CA (its key is gone: it signed `SERVER_CERT` and nothing else).
pub const CA: &[u8] = include_bytes!("../../fixtures/tls/ca.pem");
/// A leaf for `localhost` and `127.0.0.1`, signed by [`CA`].
pub const SERVER_CERT: &[u8] = include_bytes!("../../fixtures/tls/server.pem");
/// [`SERVER_CERT`]'s key.
pub const SERVER_KEY: &[u8] = include_bytes!("../../fixtures/tls/server.key");

/// ALPN as the SDK's client offers it.
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

fn ring() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client config trusting [`CA`] alone, offering [`ALPN`].
pub fn client_config() -> ClientConfig {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(CA).expect("the fixture CA"))
        .expect("a usable CA");
    let mut config = ClientConfig::builder_with_provider(ring())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    config
}

/// A server config presenting [`SERVER_CERT`], accepting [`ALPN`].
pub fn server_config() -> ServerConfig {
    let chain = vec![CertificateDer::from_pem_slice(SERVER_CERT).expect("the fixture leaf")];
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).expect("the fixture key");
    let mut config = ServerConfig::builder_with_provider(ring())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the fixture leaf and key match");
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    config
}
