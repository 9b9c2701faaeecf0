//! [`Client`] and its [`ClientBuilder`].

use std::fmt;
use std::net::IpAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{API_KEY_VAR, BASE_URL_VAR, Credential, DEFAULT_BASE_URL, Options, Secret};
use crate::error::Error;
use crate::transport::{Exchange, RetryEvent, RetryHook};

/// A configured HeyGen client. Cheap to clone (clones share one
/// connection pool); `Send + Sync`.
///
/// Every generated operation is available through `Deref`:
/// `client.list_video_agent_sessions().limit(50).data().await?`.
#[derive(Clone)]
pub struct Client {
    // Behind an `Arc`: the generated client owns its base URL as a
    // `String`, and a clone per task or per call (as `tokio::spawn` needs)
    // would copy it every time.
    api: Arc<heygen_api::Client>,
    pub(crate) exchange: Arc<Exchange>,
}

impl Deref for Client {
    type Target = heygen_api::Client;

    fn deref(&self) -> &heygen_api::Client {
        &self.api
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credential is added to each request by the transport; the
        // HTTP client carries none, and nothing here can print it.
        f.debug_struct("Client")
            .field("base_url", &self.exchange.base_url)
            .field("options", &self.exchange.options)
            .finish_non_exhaustive()
    }
}

impl Client {
    fn over(exchange: Arc<Exchange>) -> Client {
        let api = heygen_api::Client::new_with_client(
            &exchange.base_url,
            exchange.http.clone(),
            heygen_api::hooks::TransportSlot::new(exchange.clone()),
        );
        Client {
            api: Arc::new(api),
            exchange,
        }
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `HEYGEN_API_KEY`
    /// (required) and `HEYGEN_BASE_URL` (default `https://api.heygen.com`).
    pub fn from_env() -> Result<Client, Error> {
        Self::builder_from_env()?.build()
    }

    /// The builder [`from_env`](Self::from_env) uses, for more settings
    /// before `build()`.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        Self::builder_from(|name| std::env::var(name).ok())
    }

    /// The builder [`from_env`](Self::from_env) uses, reading variables
    /// through `var`, for tweaking before `build()`.
    pub fn builder_from(var: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
        let key = var(API_KEY_VAR)
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| {
                Error::config(format!(
                    "{API_KEY_VAR} is not set: export your HeyGen API key (dashboard, Settings > API) as {API_KEY_VAR}"
                ))
            })?;
        let mut builder = Client::builder().api_key(key.trim());
        if let Some(url) = var(BASE_URL_VAR).filter(|u| !u.trim().is_empty()) {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.exchange.base_url
    }

    /// The options each call of this client runs with.
    pub fn options(&self) -> &Options {
        &self.exchange.options
    }

    /// A clone of this client whose calls run with other options; it
    /// shares the connection pool and the credential:
    ///
    /// ```
    /// # use std::time::Duration;
    /// # let client = heygen_api_ext::Client::builder().api_key("k").build()?;
    /// let patient = client.with_options(|o| o.timeout(Duration::from_secs(600)).max_retries(5));
    /// assert_eq!(patient.options().retry.max_retries, 5);
    /// assert_eq!(client.options().retry.max_retries, 2);
    /// # Ok::<(), heygen_api_ext::Error>(())
    /// ```
    pub fn with_options(&self, adjust: impl FnOnce(Options) -> Options) -> Client {
        let options = adjust(self.exchange.options.clone());
        Client::over(Arc::new(self.exchange.with_options(options)))
    }
}

/// Builds a [`Client`]. Start with [`Client::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    credential: Option<Credential>,
    base_url: String,
    options: Options,
    connect_timeout: Option<Duration>,
    /// Set by the caller (`None`: `heygen-rs/<version>`).
    user_agent: Option<String>,
    allow_http: bool,
    on_retry: Option<RetryHook>,
    http_client: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credential", &self.credential)
            .field("base_url", &self.base_url)
            .field("options", &self.options)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("allow_http", &self.allow_http)
            .field("on_retry", &self.on_retry)
            .field("http_client", &self.http_client.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            credential: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            options: Options::default(),
            connect_timeout: Some(Duration::from_secs(10)),
            user_agent: None,
            allow_http: false,
            on_retry: None,
            http_client: None,
        }
    }
}

impl ClientBuilder {
    /// Authenticate with an API key (sent as `x-api-key`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credential = Some(Credential::ApiKey(Secret(key.into())));
        self
    }

    /// Authenticate with an OAuth access token (sent as `Authorization: Bearer`).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credential = Some(Credential::Bearer(Secret(token.into())));
        self
    }

    /// Where requests go (default `https://api.heygen.com`). A trailing
    /// slash is ignored.
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = url.as_ref().to_string();
        self
    }

    /// Allow a plain `http://` base URL on a host that is not loopback.
    /// Off by default so a key never travels in clear text by accident.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Sends through this `reqwest::Client` (proxies, CA roots, connection
    /// settings of your own) instead of one the builder makes. Then
    /// [`connect_timeout`](Self::connect_timeout) is yours to set on it.
    /// The credential is added to each request to HeyGen, never to the
    /// client; build it with `redirect(reqwest::redirect::Policy::none())`
    /// so that no redirect can carry it to another host (the builder's own
    /// client follows redirects within HeyGen's host only).
    ///
    /// With this crate's default `rustls` feature, reqwest is compiled
    /// without a crypto provider (this crate's own client gets rustls with
    /// `ring` from the builder), and a client built with
    /// `reqwest::Client::builder().build()` panics unless something else
    /// gives reqwest one: your own reqwest dependency with its `rustls`
    /// feature (aws-lc-rs), a process-wide default installed with
    /// `rustls::crypto::CryptoProvider::install_default`, or a
    /// `rustls::ClientConfig` passed to
    /// `reqwest::ClientBuilder::tls_backend_preconfigured`.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// All per-call options at once (see [`Options`]).
    pub fn options(mut self, adjust: impl FnOnce(Options) -> Options) -> Self {
        self.options = adjust(self.options);
        self
    }

    /// Retries after the first attempt (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options = self.options.max_retries(retries);
        self
    }

    /// First backoff between attempts (default 500 ms; it doubles, capped
    /// by [`max_backoff`](Self::max_backoff)).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.options = self.options.initial_backoff(backoff);
        self
    }

    /// Longest backoff between attempts (default 8 s).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.options = self.options.max_backoff(backoff);
        self
    }

    /// Longest `Retry-After` the client sleeps through (default 60 s);
    /// beyond it the rate-limited error is returned with `retry_after()`.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.options = self.options.max_retry_after(wait);
        self
    }

    /// The whole call's time budget, retries and backoff included
    /// (default 120 s). Nothing is retried once it has passed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.timeout(timeout);
        self
    }

    /// One attempt's time budget (default 60 s), within the call's.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.attempt_timeout(timeout);
        self
    }

    /// How long an upload may go without a byte moving (default 30 s).
    /// Uploads are bounded by this rather than by the call timeout.
    pub fn upload_idle_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.upload_idle_timeout(timeout);
        self
    }

    /// How long a download may go without a byte arriving (default 30 s).
    /// Downloads are bounded by this rather than by the call timeout.
    pub fn download_idle_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.download_idle_timeout(timeout);
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// No call, attempt, upload, download or connect timeout at all. Meant
    /// for tests under tokio's paused clock, where any pending timer fires
    /// while a socket is read.
    pub fn without_timeouts(mut self) -> Self {
        self.options = self.options.without_timeouts();
        self.connect_timeout = None;
        self
    }

    /// The `User-Agent` header (default `heygen-rs/<version>`; with
    /// [`http_client`](Self::http_client), that client's own unless set
    /// here).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Give each call of an operation that honours `Idempotency-Key` a
    /// fresh key (reused by its retries) unless the caller set one
    /// (default on). Off, such creates are not retried once they may have
    /// reached HeyGen.
    pub fn idempotency_keys(mut self, enabled: bool) -> Self {
        self.options = self.options.idempotency_keys(enabled);
        self
    }

    /// Largest response body read (default 64 MiB); a larger one ends the
    /// call with [`Error::ResponseTooLarge`].
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.options = self.options.max_response_bytes(limit);
        self
    }

    /// Calls `hook` before each retry the client makes on its own (a 429
    /// ridden out after HeyGen's `Retry-After`, a transient failure of a
    /// call that is safe to repeat), with what failed and how long it waits.
    /// The same facts are recorded as the tracing event
    /// `retrying heygen call`; the hook is for showing them without a
    /// tracing subscriber. It runs on the calling task: keep it quick.
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(RetryHook(Arc::new(hook)));
        self
    }

    /// Checks the settings and builds the client (one connection pool,
    /// shared by its clones).
    ///
    /// Fails with [`Error::Config`] on missing credentials, a base URL it
    /// refuses, or an HTTP client that cannot be set up (for one, no CA
    /// root certificates found on the system for TLS).
    pub fn build(self) -> Result<Client, Error> {
        let credential = self.credential.ok_or_else(|| {
            Error::config(format!(
                "no credentials: call ClientBuilder::api_key (or bearer_token), or set {API_KEY_VAR} and use Client::from_env"
            ))
        })?;
        let base_url = validate_base_url(&self.base_url, self.allow_http)?;
        let (http, per_request_agent) = match self.http_client {
            Some(client) => (client, self.user_agent.as_deref()),
            None => {
                let agent = self
                    .user_agent
                    .clone()
                    .unwrap_or_else(|| format!("heygen-rs/{}", env!("CARGO_PKG_VERSION")));
                let mut http = reqwest::Client::builder()
                    .user_agent(agent)
                    .redirect(same_host_redirects());
                if let Some(t) = self.connect_timeout {
                    http = http.connect_timeout(t);
                }
                // With `native-tls` on too, reqwest uses it (its default
                // when both are compiled), as before.
                #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
                {
                    http = http.tls_backend_preconfigured(crate::tls::rustls_config()?);
                }
                let http = http
                    .build()
                    .map_err(|e| Error::config(format!("building the HTTP client: {e}")))?;
                (http, None)
            }
        };
        let exchange = Exchange::new(
            http,
            base_url,
            &credential,
            per_request_agent,
            self.options,
            self.on_retry,
        )?;
        Ok(Client::over(Arc::new(exchange)))
    }
}

/// Redirects are followed only within the host the request went to:
/// reqwest drops `Authorization` on a cross-host redirect but not
/// `x-api-key`, so following one would hand the key to another server. The
/// redirect response itself is returned instead (an error).
fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt.previous().first().is_some_and(|first| {
            first.host_str() == attempt.url().host_str()
                && first.port_or_known_default() == attempt.url().port_or_known_default()
                && first.scheme() == attempt.url().scheme()
        });
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > 5 {
            attempt.error("more than 5 redirects")
        } else {
            attempt.follow()
        }
    })
}

/// Trims a trailing slash (progenitor would build `//v3/...`, a 404) and
/// refuses clear-text HTTP to anything but loopback unless allowed.
fn validate_base_url(raw: &str, allow_http: bool) -> Result<String, Error> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed).map_err(|e| {
        Error::config(format!(
            "base URL {trimmed:?} is not a URL ({e}); expected e.g. {DEFAULT_BASE_URL}"
        ))
    })?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if !loopback && !allow_http {
                return Err(Error::config(format!(
                    "base URL {trimmed:?} is plain http: the API key would travel unencrypted; \
                     use https, or ClientBuilder::allow_http(true) if you really mean it"
                )));
            }
        }
        other => {
            return Err(Error::config(format!(
                "base URL {trimmed:?} has scheme {other:?}; use https"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "base URL {trimmed:?} must not have a query or fragment"
        )));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert_eq!(
            validate_base_url("https://api.heygen.com/", false).unwrap(),
            "https://api.heygen.com"
        );
        assert_eq!(
            validate_base_url("http://127.0.0.1:8080//", false).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(validate_base_url("http://localhost:1", false).is_ok());
        assert!(validate_base_url("http://[::1]:1", false).is_ok());
        let err = validate_base_url("http://api.example.com", false).unwrap_err();
        assert!(err.to_string().contains("allow_http"), "{err}");
        assert!(validate_base_url("http://api.example.com", true).is_ok());
        assert!(validate_base_url("ftp://x", true).is_err());
        assert!(
            validate_base_url("not a url", true)
                .unwrap_err()
                .to_string()
                .contains("not a URL")
        );
    }

    #[test]
    fn from_env_names_the_variable() {
        let err = Client::builder_from(|_| None).unwrap_err();
        assert!(err.to_string().contains("HEYGEN_API_KEY"), "{err}");
        let err = Client::builder_from(|_| Some("  ".into())).unwrap_err();
        assert!(err.to_string().contains("HEYGEN_API_KEY"), "{err}");
        let b = Client::builder_from(|n| match n {
            "HEYGEN_API_KEY" => Some("sk-test".into()),
            "HEYGEN_BASE_URL" => Some("http://127.0.0.1:9/".into()),
            _ => None,
        })
        .unwrap();
        let client = b.build().unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9");
        assert_eq!(
            Client::builder_from(|n| (n == "HEYGEN_API_KEY").then(|| "k".into()))
                .unwrap()
                .build()
                .unwrap()
                .base_url(),
            DEFAULT_BASE_URL
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let b = Client::builder().api_key("sk-very-secret-key");
        assert!(!format!("{b:?}").contains("sk-very-secret"));
        let c = b.build().unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("sk-very-secret"), "{dbg}");
        let c = Client::builder()
            .bearer_token("tok-secret-123")
            .build()
            .unwrap();
        assert!(!format!("{c:?}").contains("tok-secret-123"));
    }

    #[test]
    fn missing_or_bad_credentials_are_config_errors() {
        let err = Client::builder().build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.to_string().contains("api_key"));
        let err = Client::builder().api_key("bad\nkey").build().unwrap_err();
        assert!(err.to_string().contains("not allowed in an HTTP header"));
        assert!(!err.to_string().contains("bad\nkey"));
    }
}
