//! `mailroom watch DIR`: the scanner's hot folder. Takes in each file once it has stopped
//! changing, hands it to the processor (embedded) or stores and queues it (production), and
//! only then moves it to the done folder or deletes it. SIGTERM stops it after the file in hand.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::fail;
use crate::config::{actor, Config};
use crate::intake::folder::{self, AfterStore, HotFolder, Options};
use crate::intake::sink::Sink;

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// The hot folder (files directly in it; subfolders are not watched).
    pub dir: PathBuf,
    /// Where stored files are moved (default: DIR/.mailroom-done).
    #[arg(long, conflicts_with = "delete")]
    pub done: Option<PathBuf>,
    /// Delete files once stored instead of moving them.
    #[arg(long)]
    pub delete: bool,
    /// Take what is there (and has stopped changing), then exit: for cron and tests.
    #[arg(long)]
    pub once: bool,
    /// Seconds a file's size and mtime must stay unchanged (default: intake.folder.settle_s).
    #[arg(long)]
    pub settle: Option<f64>,
    /// Seconds between looks at the folder (default: intake.folder.poll_interval_s).
    #[arg(long)]
    pub interval: Option<f64>,
    /// Every file is a batch scan of several letters: split it at `blank` sheets, `patch`
    /// sheets (QR code, `mailroom separator-sheet`) and/or where the `first-page` detector
    /// sees a letter begin, e.g. `--split patch,first-page` (default: intake.folder.split).
    #[arg(long, value_parser = crate::vocab::SplitPolicy::parse_list)]
    pub split: Option<crate::vocab::SplitPolicy>,
}

fn seconds(s: f64) -> Duration {
    Duration::from_secs_f64(s.clamp(0.0, 86_400.0))
}

pub fn watch(config: &Config, args: WatchArgs) -> ExitCode {
    let f = &config.intake.folder;
    let after = if args.delete { AfterStore::Delete } else { AfterStore::MoveTo(args.done.clone().unwrap_or_else(|| args.dir.join(folder::DONE_DIR))) };
    let opts = Options {
        dir: args.dir.clone(),
        after,
        settle: seconds(args.settle.unwrap_or(f.settle_s)),
        poll: seconds(args.interval.unwrap_or(f.poll_interval_s).max(0.1)),
        retry: seconds(f.retry_s),
        split: args.split.clone().or_else(|| f.split_policy()),
    };
    let hot = match HotFolder::new(opts) {
        Ok(h) => h,
        Err(e) => return fail(format!("cannot watch {}: {e}", args.dir.display())),
    };
    let who = actor("cli");
    let sink = match Sink::open(config, &who) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    tracing::info!(archive = %sink.archive().store().describe(), queued = matches!(sink, Sink::Queue(_)), "watching the hot folder");
    let result = runtime.block_on(async {
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            tracing::info!("signal received: stopping after the file in hand");
            let _ = tx.send(true);
        });
        let tally = folder::run(hot, &sink, &who, args.once, rx).await;
        sink.close().await;
        tally
    });
    rayon::broadcast(|_| crate::ocr::release_engines());
    let t = match result {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read {}: {e}", args.dir.display())),
    };
    eprintln!(
        "watch: {} file(s) taken: {} processed, {} quarantined, {} already archived, {} queued; {} failed and left in place; {} still being written",
        t.files, t.processed, t.quarantined, t.already, t.queued, t.failed, t.unsettled
    );
    if t.failed > 0 {
        ExitCode::from(1)
    } else if t.quarantined > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
