//! The command line: `mailroom process …` and friends. Parsing with clap; each subcommand
//! is a small function over the library.

mod eval;
mod process;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "mailroom", version, about = "Reads, classifies, extracts and archives incoming business mail")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Process documents (PDF, PNG, JPEG, TIFF) into the archive and print a summary.
    Process(ProcessArgs),
    /// Evaluate extraction and classification on documents with `<name>.gt.json` ground truth.
    Eval(EvalArgs),
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Folder with documents and their `.gt.json` files.
    pub dir: PathBuf,
    /// Print the report as JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// List every mismatch on stderr.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct ProcessArgs {
    /// Files or folders (folders are walked recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Archive folder (created if missing).
    #[arg(long, default_value = "archive", env = "MAILROOM_ARCHIVE")]
    pub archive: PathBuf,
    /// Print one index JSON object per document per line on stdout, and nothing else there.
    #[arg(long)]
    pub json: bool,
    /// Pages read in parallel (default: one per CPU core).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Tesseract languages.
    #[arg(long, default_value = "deu+eng")]
    pub lang: String,
    /// Tesseract page segmentation mode.
    #[arg(long, default_value_t = 3)]
    pub psm: u32,
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Process(args) => process::process(args),
        Command::Eval(args) => eval::eval(args),
    }
}

