//! `.data()`: send a request and get its answer's payload.
//!
//! HeyGen wraps every answer in an envelope, `{"data": ...}`, and the
//! generated `send()` hands back that envelope inside progenitor's
//! `ResponseValue`, with progenitor's error type. [`SendData::data`] does
//! the rest of what every call needs: it sends, turns a failure into this
//! crate's [`Error`], and returns the `data` payload. An answer without
//! `data` is [`Error::Decode`] naming the operation. `send()` stays there
//! as the escape hatch to headers and the raw envelope.
//!
//! The impls, one per operation, are generated from the spec by
//! `cargo xtask regen`; bring the method in with
//! `use heygen_api_ext::prelude::*`.

use std::future::Future;

use heygen_api::operations::ErrorBody;
use progenitor_client::ResponseValue;

use crate::Error;

#[rustfmt::skip]
mod generated;

/// An operation's request builder that can be sent for its payload.
/// Implemented (by generated code) for the builder of every operation.
pub trait SendData<'a>: Sized {
    /// The answer's `data` payload (the whole answer where it has none).
    type Data;

    /// Sends the request and returns the `data` of HeyGen's answer.
    ///
    /// Errors are [`Error`]s: what HeyGen answered (by status), a refusal
    /// before sending ([`Error::InvalidRequest`]), a transport failure, or
    /// [`Error::Decode`] when the answer is not what the spec describes
    /// (including an answer without `data`).
    fn data(self) -> impl Future<Output = Result<Self::Data, Error>> + Send + 'a;
}

/// Awaits `sent` and takes the payload out of the answer with `take`.
async fn payload<T, D>(
    operation: &'static str,
    sent: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>>,
    take: impl FnOnce(T) -> Option<D>,
) -> Result<D, Error> {
    crate::transport::call(sent, take, || {
        format!("the {operation} answer has no `data`")
    })
    .await
}
