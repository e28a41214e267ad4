//! `linkgate sim`: the platform simulator on its own, so an analyst can try a scenario change
//! against it with `linkgate run --proxy … --ca-cert …` before trusting it on real networks.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono::NaiveDate;
use clap::Args;

use linkgate::sim::{SimConfig, World, serve_until_ctrl_c};

use super::Exit;

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8118")]
    listen: SocketAddr,
    /// World file: who blocks what, from when [default: the bundled miit-2021 world]
    #[arg(long, value_name = "FILE")]
    world: Option<PathBuf>,
    /// Write the simulator's CA certificate (PEM) here, for --ca-cert
    #[arg(long, value_name = "FILE", default_value = "sim-ca.pem")]
    ca_out: PathBuf,
    /// The simulated day, YYYY-MM-DD [default: the MIIT deadline, 2021-09-17]
    #[arg(long, value_name = "DATE")]
    date: Option<NaiveDate>,
}

pub fn run(args: SimArgs) -> anyhow::Result<Exit> {
    let world = match &args.world {
        Some(path) => World::load(path)?,
        None => World::bundled(),
    };
    let date = args.date.unwrap_or(linkgate::audit::demo::DEADLINE);
    let config = SimConfig {
        listen: args.listen,
        world,
        date,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(serve_until_ctrl_c(config, Some(&args.ca_out), |sim| {
        print!("{}", sim.banner(date, &args.ca_out));
    }))?;
    Ok(Exit::Ok)
}
