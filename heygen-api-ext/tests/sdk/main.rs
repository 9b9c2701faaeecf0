//! The SDK's integration tests, one binary with a module per concern (one
//! link instead of one per file): downloads, error classification, the
//! examples run as programs, the exchange's decisions and answers, the
//! fake HeyGen server, TCP-level faults, pagination, property tests of
//! decoding, the retry policy, TLS on a loopback server, uploads and the
//! waiters.
//!
//! The tests share one process: none of them sets an environment variable
//! (`examples` passes variables to the example programs it starts, not to
//! this process) or a tracing subscriber. `tests/tracing.rs`, which does,
//! is a binary of its own; it says why.

mod support;

mod download;
mod errors;
mod examples;
mod exchange;
mod exchange_answers;
mod fake;
mod faults;
mod gzip;
mod paginate;
mod proptest_decode;
mod retries;
mod tls;
mod upload;
mod wait;
mod wait_many;
