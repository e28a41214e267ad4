//! Local servers for integration tests: a scriptable HTTP(S) server that logs what it was
//! sent, TCP servers that misbehave on purpose, a counting forward proxy, and a throwaway
//! certificate authority. Everything listens on 127.0.0.1: no test touches the internet.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod faults;
pub mod proxy;
pub mod server;
pub mod tls;

pub use server::{Reply, Server};
