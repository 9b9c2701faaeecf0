//! The HeyGen SDK for Rust.
//!
//! One configured [`Client`] for every operation of HeyGen's External API:
//! authentication, retries that respect `Retry-After`, idempotency keys on
//! creates, typed [`Error`]s, list endpoints as streams, and tracing.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use heygen_api_ext::prelude::*;
//!
//! # async fn run() -> Result<(), heygen_api_ext::Error> {
//! // HEYGEN_API_KEY (and optionally HEYGEN_BASE_URL) from the environment.
//! let client = Client::from_env()?;
//! let sessions: Vec<_> = client
//!     .list_video_agent_sessions()
//!     .limit(50)
//!     .items()
//!     .try_collect()
//!     .await?;
//! println!("{} sessions", sessions.len());
//! # Ok(())
//! # }
//! ```
//!
//! The generated methods live on [`heygen_api::Client`], which [`Client`]
//! dereferences to; `?` turns their errors into [`Error`].

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

pub mod config;
pub mod error;
pub mod paginate;
pub mod retry;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;
pub mod upload;
pub mod wait;

pub use config::ClientBuilder;
pub use error::{ApiError, Error};
pub use heygen_api::{builder, types};
pub use paginate::{Page, Paginated};
pub use retry::RetryPolicy;
pub use transport::IDEMPOTENCY_KEY;
pub use upload::{AssetSource, UploadProgress};
pub use wait::{StatusChange, WaitOptions};

/// What most programs need: `use heygen_api_ext::prelude::*;`.
pub mod prelude {
    pub use crate::paginate::Paginated as _;
    pub use crate::{Client, Error};
}

/// A configured HeyGen client. Cheap to clone (clones share one
/// connection pool); `Send + Sync`.
///
/// Every generated operation is available through `Deref`:
/// `client.list_video_agent_sessions().limit(50).send().await?`.
#[derive(Clone)]
pub struct Client {
    api: heygen_api::Client,
    config: Arc<config::Config>,
}

impl Deref for Client {
    type Target = heygen_api::Client;

    fn deref(&self) -> &heygen_api::Client {
        &self.api
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credential lives in the HTTP client's default headers, marked
        // sensitive; nothing here can print it.
        f.debug_struct("Client")
            .field("base_url", &self.config.base_url)
            .field("retry", &self.config.retry)
            .field("timeout", &self.config.timeout)
            .finish_non_exhaustive()
    }
}
