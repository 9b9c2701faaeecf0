//! The fake HeyGen server (`heygen_api_ext::testing::FakeHeyGen`), one
//! module per concern: its main flows, every operation against the spec,
//! overrides, state seen across operations, and the file host.

mod across;
mod every_operation;
mod files;
mod flows;
mod overrides;
mod spec;
