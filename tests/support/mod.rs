//! What integration tests share: local servers (a scriptable HTTP(S) server that logs what it
//! was sent, TCP servers that misbehave on purpose, a counting forward proxy, a throwaway
//! certificate authority), the gateway site most runs measure, scenario files written per
//! test, page fixtures, and the real binary run against them with its history read back.
//! Everything listens on 127.0.0.1: no test touches the internet.

// Each test binary compiles this module whole but uses a different subset of it, so the
// helpers one binary leaves unused would otherwise warn there.
#![allow(dead_code)]

pub mod cli;
pub mod corpus;
pub mod faults;
pub mod fixtures;
pub mod history;
pub mod proxy;
pub mod scenario;
pub mod server;
pub mod site;
pub mod tls;
pub mod tunnel;

pub use server::{Reply, Server};
