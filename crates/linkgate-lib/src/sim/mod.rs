//! The platform simulator: a local forward proxy that answers as the platforms would, so the
//! bundled scenarios run offline and unmodified through `--proxy` and `--ca-cert`. It takes
//! plain HTTP proxy requests and `CONNECT` tunnels, intercepts their TLS with a CA made at
//! start, and serves gateways, share links and landing pages as its world file says for the
//! simulated date. No request ever leaves the machine: unknown hosts get the simulator's 502.

mod conn;
mod error;
mod gateways;
mod landing;
mod page;
mod router;
mod server;
mod share;
mod tls;
mod visit;
pub mod world;

pub use error::{SimError, WorldProblems};
pub use server::{SimConfig, SimLimits, SimStats, Simulator};
pub use visit::{Reply, Visit};
pub use world::World;

use std::path::Path;

/// The page a healthy site of `world` answers to `visit`, without any network: what the
/// simulator would send, for tests and for explaining a world. Faults are not applied.
pub fn page_for(world: &World, visit: &Visit) -> Reply {
    router::route(world, visit)
}

/// Runs a simulator until Ctrl-C: writes its CA to `ca_out` (if given), calls `on_ready`
/// (to print where it listens), then serves until interrupted and shuts down cleanly.
pub async fn serve_until_ctrl_c(
    config: SimConfig,
    ca_out: Option<&Path>,
    on_ready: impl FnOnce(&Simulator),
) -> Result<(), SimError> {
    let sim = Simulator::start(config).await?;
    if let Some(path) = ca_out {
        std::fs::write(path, sim.ca_pem()).map_err(|source| SimError::WriteCa {
            path: path.to_path_buf(),
            source,
        })?;
    }
    on_ready(&sim);
    let waited = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    waited.map_err(SimError::Signal)
}
