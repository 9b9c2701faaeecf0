//! What the generated glue ([`crate::generated`]) is made of: an
//! operation's arguments as JSON keyed by spec name, and the conversions
//! between JSON and the generated builders' typed setters.

use std::collections::BTreeMap;
use std::fmt;

use heygen_api::types::ErrorEnvelope;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One generated operation, as the glue knows it.
#[derive(Debug, Clone, Copy)]
pub struct OperationGlue {
    /// The spec's `operationId`.
    pub id: &'static str,
    /// The generated method (`client.get_video()`).
    pub rust_name: &'static str,
    /// Every spec parameter the builder has a setter for.
    pub params: &'static [ParamGlue],
    /// The generated request body type, when the spec declares a body.
    pub body: Option<&'static str>,
    /// The generated type `send` answers with.
    pub response: &'static str,
}

/// How one spec parameter is set on its builder.
#[derive(Debug, Clone, Copy)]
pub struct ParamGlue {
    /// The spec's name (`Idempotency-Key`, `limit`).
    pub name: &'static str,
    /// `path`, `query` or `header`.
    pub location: &'static str,
    /// The builder method that sets it.
    pub setter: &'static str,
}

/// The arguments of one call: parameters by spec name, and the body.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// Parameter values as JSON, keyed by the spec's parameter name.
    pub params: BTreeMap<String, Value>,
    /// The request body as JSON.
    pub body: Option<Value>,
}

impl Args {
    /// The value of parameter `name`, if one is given.
    pub fn param(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }
}

/// Why a generated call did not produce a decoded response.
#[derive(Debug)]
pub enum CallError {
    /// A JSON argument does not convert to the setter's Rust type: the
    /// generated type disagrees with the spec the argument came from.
    Arg {
        /// The operation.
        op: String,
        /// The spec parameter, or `body`.
        param: String,
        /// serde's message (it names the field).
        message: String,
    },
    /// The client has no generated method for the operation.
    NotGenerated(String),
    /// The call failed: the SDK's error, as a user would see it.
    Api(heygen_api_ext::Error),
    /// The decoded response does not serialize back to JSON.
    Reencode(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Arg { op, param, message } => write!(
                f,
                "{op}: the spec's value for `{param}` does not convert to the generated type: {message}"
            ),
            CallError::NotGenerated(op) => write!(f, "{op}: the client has no method for it"),
            CallError::Api(e) => write!(f, "the call failed: {e}"),
            CallError::Reencode(e) => write!(f, "the decoded response does not re-serialize: {e}"),
        }
    }
}

/// Converts a JSON argument into a setter's type.
pub fn arg<T: DeserializeOwned>(op: &str, param: &str, value: &Value) -> Result<T, CallError> {
    serde_json::from_value(value.clone()).map_err(|e| CallError::Arg {
        op: op.to_string(),
        param: param.to_string(),
        message: e.to_string(),
    })
}

/// The outcome of `send`, with the decoded body re-serialized to JSON.
pub fn decoded<T: Serialize>(
    result: Result<heygen_api::ResponseValue<T>, heygen_api::Error<ErrorEnvelope>>,
) -> Result<Value, CallError> {
    match result {
        Ok(value) => {
            serde_json::to_value(value.into_inner()).map_err(|e| CallError::Reencode(e.to_string()))
        }
        Err(e) => Err(CallError::Api(e.into())),
    }
}
