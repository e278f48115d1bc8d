//! `mailroom fetch-mail [--mailbox NAME] [--loop]`: reads the `[[intake.imap]]` mailboxes.
//! Once: one pass over each mailbox, a JSON report per mailbox on stdout. `--loop`: again and
//! again until SIGTERM — waiting with IDLE where the server offers it (woken by new mail),
//! else `poll_interval_s` — finishing the message in hand before it stops.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::fail;
use crate::config::{actor, Config, MailboxConfig};
use crate::intake::imap::{fetch_once, wait_for_mail, MailboxMetrics, Positions};
use crate::intake::sink::Sink;

#[derive(Args, Debug)]
pub struct FetchMailArgs {
    /// Only this mailbox (its `name`); default: every configured one.
    #[arg(long)]
    pub mailbox: Option<String>,
    /// Keep fetching until SIGTERM.
    #[arg(long = "loop")]
    pub repeat: bool,
    /// Serve per-mailbox metrics at http://ADDR/metrics (Prometheus; loopback unless you mean otherwise).
    #[arg(long)]
    pub metrics_listen: Option<std::net::SocketAddr>,
}

/// `/metrics` of the mailboxes until the process ends.
async fn serve_metrics(addr: std::net::SocketAddr, metrics: Arc<MailboxMetrics>) -> std::io::Result<()> {
    use axum::http::header;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let m = metrics.clone();
            async move { ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], m.render()) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await
}

pub fn fetch_mail(config: &Config, args: FetchMailArgs) -> ExitCode {
    let mailboxes: Vec<MailboxConfig> = config.intake.imap.iter().filter(|m| args.mailbox.as_deref().is_none_or(|n| n == m.name)).cloned().collect();
    if mailboxes.is_empty() {
        return fail(match &args.mailbox {
            Some(n) => format!("no mailbox named '{n}' in [[intake.imap]]"),
            None => "no mailbox is configured: add an [[intake.imap]] section to the pipeline file (README, \"IMAP\")".into(),
        });
    }
    let positions = match Positions::open(config) {
        Ok(p) => Arc::new(p),
        Err(e) => return fail(e),
    };
    let me = actor("worker");
    let sink = match Sink::open(config, &me) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let metrics = MailboxMetrics::new();
    let failed = runtime.block_on(async {
        if let Some(addr) = args.metrics_listen {
            let m = metrics.clone();
            tokio::spawn(async move {
                if let Err(e) = serve_metrics(addr, m).await {
                    tracing::error!(%addr, error = %e, "the metrics endpoint cannot listen");
                }
            });
        }
        let mut failed = false;
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        loop {
            let mut idle = true;
            for m in &mailboxes {
                // A run is finished before a signal is looked at: what was fetched is stored.
                match fetch_once(m, &sink, &positions, &me).await {
                    Ok(report) => {
                        idle &= report.idle;
                        metrics.record(&report);
                        println!("{}", serde_json::to_string(&report).expect("reports serialise"));
                    }
                    Err(e) => {
                        failed = true;
                        idle = false;
                        metrics.run_failed(&m.name);
                        tracing::error!(error = %e, "fetch-mail");
                        eprintln!("mailroom: {e}");
                    }
                }
            }
            if !args.repeat {
                break;
            }
            let wait = Duration::from_secs(mailboxes.iter().map(|m| m.poll_interval_s).min().unwrap_or(300).max(1));
            // One mailbox with IDLE: wait for its news; several, or none with IDLE: poll.
            let news = async {
                if idle && mailboxes.len() == 1 {
                    if let Err(e) = wait_for_mail(&mailboxes[0], wait).await {
                        tracing::warn!(error = %e, "IDLE failed; polling instead");
                        tokio::time::sleep(wait).await;
                    }
                } else {
                    tokio::time::sleep(wait).await;
                }
            };
            tokio::select! {
                _ = news => {}
                _ = term.recv() => break,
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        sink.close().await;
        failed
    });
    drop(runtime);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
