//! `mailroom worker`: consumes jobs from the broker until SIGTERM, serving `/metrics` and
//! `/health` meanwhile. Start as many as you like, on as many machines as you like.

use std::process::ExitCode;

use clap::Args;

use super::fail;
use crate::config::{actor, Config};
use crate::worker::metrics::{self, Metrics};
use crate::worker::Worker;

#[derive(Args, Debug)]
pub struct WorkerArgs {
    /// Documents processed at the same time (default: the configuration's worker.concurrency).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Where to serve /metrics and /health (default: the configuration's, 127.0.0.1:9464).
    #[arg(long)]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Also serve /health alone here, e.g. 0.0.0.0:8080 for Kubernetes probes (default: the
    /// configuration's worker.health_listen; none).
    #[arg(long)]
    pub health_listen: Option<std::net::SocketAddr>,
}

pub fn worker(config: &Config, args: WorkerArgs) -> ExitCode {
    let mut config = config.clone();
    if let Some(c) = args.concurrency {
        config.worker.concurrency = c.max(1);
    }
    if let Some(a) = args.metrics_listen {
        config.worker.metrics_listen = a;
    }
    if let Some(a) = args.health_listen {
        config.worker.health_listen = Some(a);
    }
    let name = actor("worker");
    let processor = match config.processor(&name) {
        Ok(p) => std::sync::Arc::new(p),
        Err(e) => return fail(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let metrics = Metrics::new();
    let listen = config.worker.metrics_listen;
    let health_listen = config.worker.health_listen;
    tracing::info!(archive = %processor.archive().store().describe(), broker = %crate::redact::redact_url(&config.broker.url()), worker = %name, "worker starting");
    let worker = Worker::new(config, processor.clone(), metrics.clone(), name);
    runtime.block_on(async move {
        let (tx, rx) = tokio::sync::watch::channel(false);
        if let Some(addr) = health_listen {
            let m = metrics.clone();
            tokio::spawn(async move {
                if let Err(e) = metrics::serve_health(addr, m).await {
                    tracing::error!(%addr, error = %e, "the health endpoint could not start");
                }
            });
        }
        tokio::spawn(async move {
            if let Err(e) = metrics::serve(listen, metrics).await {
                tracing::error!(%listen, error = %e, "the metrics endpoint could not start");
            }
        });
        tokio::spawn(async move {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            tracing::info!("signal received: finishing documents in progress");
            let _ = tx.send(true);
        });
        worker.run(rx).await;
    });
    drop(runtime);
    drop(processor);
    rayon::broadcast(|_| crate::ocr::release_engines());
    eprintln!("worker stopped");
    ExitCode::SUCCESS
}
