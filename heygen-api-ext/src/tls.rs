//! The TLS of the HTTP client [`ClientBuilder`](crate::ClientBuilder) makes
//! with the `rustls` feature.
//!
//! reqwest's own `rustls` feature would compile aws-lc-rs (AWS-LC's C
//! sources, the longest step of a cold build). This crate turns on
//! `reqwest/rustls-no-provider` instead, with which reqwest has no crypto
//! provider of its own: a client it configures itself panics when built
//! unless a process-wide default provider was installed. So the builder
//! gives reqwest a finished rustls config (`tls_backend_preconfigured`),
//! built here with the `ring` provider, and installs nothing process-wide.

use std::sync::Arc;

use crate::error::Error;

/// What reqwest would build with its `rustls` feature, with `ring` in place
/// of aws-lc-rs:
///
/// - the platform's certificate verifier (`rustls-platform-verifier`, the
///   one reqwest uses by default), so the same certificates are trusted;
/// - TLS 1.3 and 1.2, no client certificate, SNI on;
/// - ALPN `h2`, then `http/1.1`: reqwest offers these on a config it builds
///   itself but leaves a preconfigured one as it is, and without ALPN a
///   server never picks HTTP/2.
pub(crate) fn rustls_config() -> Result<rustls::ClientConfig, Error> {
    let fail = |what: &str, e: rustls::Error| {
        Error::config(format!(
            "setting up TLS (rustls with the ring provider): {what}: {e}"
        ))
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| fail("the platform's certificate verifier", e))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail("protocol versions", e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_and_alpn() {
        let config = rustls_config().unwrap();
        assert_eq!(config.alpn_protocols, [&b"h2"[..], b"http/1.1"]);
        assert!(config.enable_sni);
        assert!(!config.client_auth_cert_resolver.has_certs());
        let ring = rustls::crypto::ring::default_provider();
        let suites = |p: &rustls::crypto::CryptoProvider| {
            p.cipher_suites
                .iter()
                .map(|s| s.suite())
                .collect::<Vec<_>>()
        };
        assert_eq!(suites(config.crypto_provider()), suites(&ring));
    }
}
