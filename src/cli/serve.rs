//! `mailroom serve`: the HTTP upload. Refuses to start without client tokens; listens on
//! loopback unless configured otherwise; SIGTERM lets uploads in progress finish.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::fail;
use crate::config::{actor, Config};
use crate::intake::http::{self, App, Tokens};
use crate::intake::sink::Sink;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (default: the configuration's http.listen, 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

pub fn serve(config: &Config, args: ServeArgs) -> ExitCode {
    // Never an open endpoint: no tokens, no server.
    let tokens = match Tokens::from_env(&config.http.tokens_env) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let listen = args.listen.unwrap_or(config.http.listen);
    let sink = match Sink::open(config, &actor("serve")) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into());
    let app = Arc::new(App {
        sink: sink.clone(),
        tokens,
        max_bytes: usize::try_from(config.limits.max_file_mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX),
        host,
        permits: tokio::sync::Semaphore::new(config.http.concurrency.max(1)),
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        if !bound.ip().is_loopback() {
            tracing::warn!(%bound, "listening beyond loopback: put a TLS reverse proxy in front, bearer tokens travel in clear otherwise");
        }
        eprintln!("mailroom serve: listening on http://{bound} (archive: {}{})", sink.archive().store().describe(), if matches!(sink, Sink::Queue(_)) { ", uploads are queued" } else { "" });
        let shutdown = async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            tracing::info!("signal received: finishing uploads in progress");
        };
        let result = axum::serve(listener, http::router(app)).with_graceful_shutdown(shutdown).await.map_err(|e| e.to_string());
        sink.close().await;
        result
    });
    rayon::broadcast(|_| crate::ocr::release_engines());
    match served {
        Ok(()) => {
            eprintln!("mailroom serve: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
