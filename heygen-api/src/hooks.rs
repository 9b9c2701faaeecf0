//! The seam between the generated client and the policy that sends its
//! requests. Every generated operation calls `ClientHooks::pre` and
//! `ClientHooks::exec`; the orphan rule allows implementing them only in
//! this crate, so this is where they hand over to a [`Transport`], which
//! `heygen-api-ext` supplies (auth, retries, idempotency keys, tracing).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

use crate::Client;
use crate::facts::{self, Operation};

/// A boxed, `Send` future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends the requests of a generated [`Client`].
pub trait Transport: Send + Sync + 'static {
    /// Checks and completes a request before anything is sent. An `Err`
    /// ends the call with `Error::InvalidRequest` and nothing on the wire.
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: Option<&'static Operation>,
    ) -> Result<(), String>;

    /// Sends the request (possibly several times) and returns the response
    /// the generated code should decode.
    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: Option<&'static Operation>,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>>;
}

/// The slot in the generated client that holds the [`Transport`] its
/// requests go through (progenitor's "inner" state).
#[derive(Clone, Default)]
pub struct TransportSlot {
    transport: Option<Arc<dyn Transport>>,
}

impl TransportSlot {
    /// Requests go through `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Self {
            transport: Some(transport),
        }
    }

    /// Requests go straight to reqwest: no auth, no retries.
    pub fn plain() -> Self {
        Self::default()
    }
}

impl fmt::Debug for TransportSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportSlot")
            .field("transport", &self.transport.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl ClientHooks<TransportSlot> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        match &self.inner().transport {
            Some(t) => t
                .prepare(request, facts::find(info.operation_id))
                .map_err(Error::InvalidRequest),
            None => Ok(()),
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner().transport {
            Some(t) => {
                t.send(self.client(), request, facts::find(info.operation_id))
                    .await
            }
            None => self.client().execute(request).await,
        }
    }
}
