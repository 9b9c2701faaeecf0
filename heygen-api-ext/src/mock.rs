//! httpmock helpers for every HeyGen operation (feature `mock`), for those
//! who prefer scripting each answer to the stateful
//! [`FakeHeyGen`](crate::testing::FakeHeyGen).
//!
//! [`MockServerExt`] adds one method per operation to
//! [`httpmock::MockServer`], whose `when` and `then` know the operation's
//! parameters and declared answers (`then.ok(..)`, `then.not_found(..)`).
//! `httpmock` itself is re-exported, so this feature is the only
//! dependency a test needs.
//!
//! ```
//! use heygen_api_ext::mock::{MockServerExt, httpmock::MockServer};
//! use heygen_api_ext::prelude::*;
//! use heygen_api_ext::types;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::start_async().await;
//! let missing: types::ErrorEnvelope = serde_json::from_value(serde_json::json!({
//!     "error": {"code": "not_found", "message": "no video v1"}
//! }))?;
//! let mock = server.get_video(|when, then| {
//!     when.video_id("v1");
//!     then.not_found(&missing);
//! });
//!
//! let client = Client::builder()
//!     .api_key("test-key")
//!     .base_url(server.base_url())
//!     .build()?;
//! let err = client.get_video().video_id("v1").data().await.unwrap_err();
//! assert_eq!(err.status(), Some(404));
//! assert_eq!(err.code(), Some("not_found"));
//! mock.assert_async().await;
//! # Ok(())
//! # }
//! ```

pub use heygen_api::mock::*;
pub use httpmock;
