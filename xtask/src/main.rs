//! Project automation. `cargo xtask regen` turns the vendored OpenAPI 3.1 spec
//! into the generated client and the per-operation glue the other crates use.

mod bodies;
mod builders;
mod changes;
mod client;
mod client_index;
mod contract_glue;
mod corpus;
mod data_glue;
mod detach;
mod names;
mod normalize;
mod open_enums;
mod operation_facts;
mod pagination_glue;
mod prepare;
mod regen;
mod schema_feature;
mod shared_params;
mod spec;
mod unions;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "HeyGen SDK project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate `heygen-api` (and the glue in the other crates) from the spec.
    Regen {
        /// Compare instead of writing: exit non-zero with a diff when the
        /// committed files are stale against the spec.
        #[arg(long)]
        check: bool,
        /// The spec to read (default: openapi/heygen.yaml of this workspace).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Write a standalone crate generated from `--spec` into DIR instead of
        /// regenerating the workspace: the way to try a new spec version.
        #[arg(long, value_name = "DIR")]
        crate_dir: Option<PathBuf>,
    },
    /// Try the pipeline on the FastAPI/pydantic corpus (xtask/corpus): each
    /// spec generates a crate that compiles offline and round-trips every
    /// sample payload.
    Corpus {
        /// Only these specs (file stems under xtask/corpus/specs).
        apps: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Regen {
            check,
            spec,
            crate_dir,
        } => regen::regen(regen::RegenArgs {
            check,
            spec,
            crate_dir,
        }),
        Command::Corpus { apps } => corpus::corpus(&apps),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
