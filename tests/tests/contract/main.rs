//! Contract tests: the generated client against the vendored spec, one
//! named test per operation and direction (`requests::get_video`,
//! `responses::get_video`, `errors::get_video`), the coverage gate, and the
//! type-drift check. Every failure names the operation (or type) and the
//! field.

mod builders;
mod coverage;
mod errors;
mod requests;
mod responses;
mod support;
mod types;
