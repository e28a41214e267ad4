//! The platform simulator: a local forward proxy that answers as the platforms would, so the
//! bundled scenarios run offline and unmodified through `--proxy` and `--ca-cert`.

mod error;
pub mod world;

pub use error::{SimError, WorldProblem, WorldProblems};
pub use world::World;
