//! What the spec says about each operation, as the transport needs it:
//! the shape ([`Operation`], [`QueryBound`]) and the look-up ([`find`]).
//! The table itself is generated: [`crate::operations`].

/// What the spec says about one operation, for the request hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The spec's `operationId` (also `OperationInfo::operation_id`).
    pub id: &'static str,
    /// The generated method's name, which the hooks receive as
    /// `OperationInfo::operation_id`.
    pub rust_name: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, e.g. `/v3/videos/{video_id}`.
    pub path: &'static str,
    /// The spec declares an `Idempotency-Key` header on it: a retried call
    /// with the same key cannot run twice on HeyGen's side.
    pub idempotency_key: bool,
    /// The status the spec declares for success; any other 2xx is treated
    /// as this one by the transport.
    pub success_status: u16,
    /// Numeric bounds of its query parameters, as the spec states them.
    pub query_bounds: &'static [QueryBound],
}

/// The inclusive bounds of one numeric query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryBound {
    /// The query parameter's name.
    pub name: &'static str,
    /// Smallest accepted value, if bounded below.
    pub minimum: Option<i64>,
    /// Largest accepted value, if bounded above.
    pub maximum: Option<i64>,
}

/// The facts of the operation whose generated method is `rust_name` (what
/// `OperationInfo::operation_id` holds), if the client has it.
pub fn find(rust_name: &str) -> Option<&'static Operation> {
    let ops = crate::operations::OPERATIONS;
    ops.binary_search_by(|op| op.rust_name.cmp(rust_name))
        .ok()
        .map(|i| &ops[i])
}
