//! Contract tests: the generated client against the vendored spec, one
//! named test per operation and direction (`requests::get_video`,
//! `responses::get_video`, `errors::get_video`), the coverage gate, the
//! type-drift check, and forward compatibility (values the spec does not
//! list yet, in every response). Every failure names the operation (or type) and the
//! field.

mod builders;
mod coverage;
mod errors;
mod forward;
mod requests;
mod responses;
mod support;
mod types;
