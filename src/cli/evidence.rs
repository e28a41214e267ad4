//! Evidence that holds outside linkgate: the flags that sign and timestamp sealed runs
//! (`--sign-key`, `--tsa`), `linkgate key new FILE`, and `linkgate timestamp RUN_ID` for a run
//! whose time-stamping authority did not answer when it was sealed.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use linkgate::manifest::Attest;
use linkgate::manifest::sign::{Signer, new_key};

use super::Exit;

/// How sealed runs are attested besides the chain.
#[derive(Debug, Args, Clone, Default)]
pub struct AttestArgs {
    /// Sign every manifest with this Ed25519 key (`linkgate key new FILE`); checked with
    /// `ssh-keygen -Y verify` or `linkgate verify --trusted-key FILE.pub`
    #[arg(long, value_name = "FILE", env = "LINKGATE_SIGN_KEY")]
    sign_key: Option<PathBuf>,
    /// Ask this RFC 3161 time-stamping authority for a token over every manifest
    #[arg(long, value_name = "URL", env = "LINKGATE_TSA")]
    tsa: Option<String>,
}

impl AttestArgs {
    pub fn attest(&self) -> anyhow::Result<Attest> {
        let signer = self.sign_key.as_deref().map(Signer::load).transpose()?;
        Ok(Attest {
            signer,
            tsa: self.tsa.clone(),
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make an Ed25519 key pair: FILE (private, keep it off the reports' machine if you can)
    /// and FILE.pub (give it to whoever checks the runs)
    New {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub fn key(command: KeyCommand) -> anyhow::Result<Exit> {
    let KeyCommand::New { file } = command;
    let line = new_key(&file)?;
    println!("private key: {} (sign with --sign-key {0})", file.display());
    println!("public key:  {}.pub\n{line}", file.display());
    Ok(Exit::Ok)
}

#[derive(Debug, Args)]
pub struct TimestampArgs {
    /// The sealed run whose manifests have no timestamp yet
    #[arg(value_name = "RUN_ID")]
    run: String,
    /// The RFC 3161 time-stamping authority
    #[arg(long, value_name = "URL", env = "LINKGATE_TSA")]
    tsa: String,
    /// Reports folder holding the run's folder
    #[arg(long, value_name = "DIR", default_value = linkgate::audit::DEFAULT_OUT)]
    out: PathBuf,
}

pub fn timestamp(args: TimestampArgs) -> anyhow::Result<Exit> {
    let runtime = tokio::runtime::Runtime::new()?;
    let stamp = linkgate::audit::timestamp::timestamp_run(&args.out, &args.run, &args.tsa);
    let written = runtime.block_on(stamp)?;
    for token in &written {
        println!("timestamp: {}", token.display());
    }
    if written.is_empty() {
        println!("run {}: every manifest already has its timestamp", args.run);
    }
    Ok(Exit::Ok)
}
