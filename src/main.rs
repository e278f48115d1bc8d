//! The `mailroom` binary: parses the command line and hands over to the library.

use clap::Parser;

/// Debian's libtesseract is built with OpenMP and asks for explicit team sizes, which only
/// `OMP_THREAD_LIMIT` caps — and libgomp reads it once, when it is loaded, before `main`.
/// Pages already run in parallel, and OpenMP teams inside them make a page ~8× slower. So
/// the binary sets the limit for itself and re-executes once; no user has to export it.
fn limit_openmp_threads() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    let err = std::process::Command::new(&exe).arg0(arg0).args(args).env("OMP_THREAD_LIMIT", "1").exec();
    // Only reached if exec failed: go on, slower but correct.
    eprintln!("mailroom: warning: could not limit OCR threads ({err}); set OMP_THREAD_LIMIT=1 for full speed");
}

/// Logs go to stderr, never stdout (`--json` output stays clean): human-readable on a
/// terminal, one JSON object per line with `MAILROOM_LOG_FORMAT=json` (for log shippers).
/// `MAILROOM_LOG` sets the level (`warn` by default; `info` for a worker's job lines).
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("MAILROOM_LOG").unwrap_or_else(|_| "warn".into());
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    if std::env::var("MAILROOM_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

fn main() -> std::process::ExitCode {
    limit_openmp_threads();
    init_logging();
    // Panics inside a document are caught and quarantined by the pipeline; say so in one
    // line instead of a backtrace (set RUST_BACKTRACE=1 to get one for a bug report).
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|info| tracing::error!("internal error: {info}")));
    }
    mailroom::cli::run(mailroom::cli::Cli::parse())
}
