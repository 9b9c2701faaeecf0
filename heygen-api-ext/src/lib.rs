//! The HeyGen SDK for Rust.
