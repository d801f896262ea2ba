//! `modelpulse facts` — CORE HELPER: implement.
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct FactsArgs {
    /// Folder holding raw_llm_events.parquet, raw_support_events.parquet, raw_conversion_events.parquet.
    #[arg(long)]
    pub data: Option<PathBuf>,
}

pub fn run(args: FactsArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("not implemented yet")
}
