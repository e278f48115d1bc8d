//! The `mailroom` binary: parses the command line and hands over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("MAILROOM_LOG").unwrap_or_else(|_| "warn".into()))
        .init();
    // Panics inside a document are caught and quarantined by the pipeline; say so in one
    // line instead of a backtrace (set RUST_BACKTRACE=1 to get one for a bug report).
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|info| tracing::error!("internal error: {info}")));
    }
    mailroom::cli::run(mailroom::cli::Cli::parse())
}
