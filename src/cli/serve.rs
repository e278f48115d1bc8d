//! `mailroom serve`: the HTTP upload and the review UI (`/ui`, unless `[ui] enabled = false`).
//! Refuses to start without client tokens; listens on loopback unless configured otherwise;
//! SIGTERM lets uploads in progress finish.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::fail;
use crate::config::{actor, Config};
use crate::intake::http::{self, App, Tokens};
use crate::intake::sink::Sink;
use crate::web::{PageCache, Ui};

/// The review UI's parts: users, the catalog it lists from, the records it writes.
fn review_ui(config: &Config) -> Result<Ui, String> {
    let catalog = config.open_catalog().map_err(|e| e.to_string())?.ok_or("the review UI lists documents from the catalog: configure [catalog] (or set [ui] enabled = false)")?;
    let people = config.open_people().map_err(|e| e.to_string())?;
    match people.prune(config.ui.security_log_days) {
        Ok(n) if n > 0 => tracing::info!(removed = n, "security log lines past their retention removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "the security log could not be pruned"),
    }
    let records = config.recorder("ui").map_err(|e| e.to_string())?;
    Ok(Ui {
        people,
        catalog,
        records,
        pipeline: std::sync::Arc::new(config.pipeline()),
        due: config.due.clone(),
        lists: config.lists.clone(),
        stamps: config.stamps.clone(),
        pages: PageCache::new(usize::try_from(config.ui.page_cache_mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX)),
        secure_cookies: config.ui.secure_cookies,
    })
}

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
    // Due dates watched by the server: document.due once per document, in the background.
    if config.due.announce_every_min > 0 {
        if let Ok(Some(catalog)) = config.open_catalog() {
            let (config, every) = (config.clone(), config.due.announce_every_min.saturating_mul(60));
            let never = std::sync::atomic::AtomicBool::new(false);
            std::thread::spawn(move || {
                if let Err(e) = super::due::announce_rounds(&config, catalog.as_ref(), true, every, &never) {
                    tracing::error!(error = %e, "due dates are not announced");
                }
            });
        }
    }
    let ui = if !config.ui.enabled {
        None
    } else if matches!(config.catalog, crate::config::CatalogConfig::None) {
        // The queue lists from the catalog: without one, the upload API alone.
        tracing::warn!("[catalog] kind = \"none\": the review UI needs the catalog and is not served");
        None
    } else {
        match review_ui(config) {
            Ok(ui) => Some(ui),
            Err(e) => return fail(e),
        }
    };
    let users = ui.as_ref().map(|u| u.people.users().map(|u| u.len()).unwrap_or(0));
    // Held here as well as by the router, so that the UI (and its synchronous PostgreSQL
    // clients, which must not be dropped inside the async runtime) is dropped after it.
    let ui = ui.map(Arc::new);
    let mut router = http::router(app);
    if let Some(ui) = &ui {
        router = router.merge(crate::web::router(ui.clone()));
    }
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
        match users {
            Some(0) => eprintln!("mailroom serve: review UI at http://{bound}/ui — no user yet: add one with `mailroom user add NAME --role admin`"),
            Some(n) => eprintln!("mailroom serve: review UI at http://{bound}/ui ({n} users)"),
            None => {}
        }
        let shutdown = async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            tracing::info!("signal received: finishing uploads in progress");
        };
        let result = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await.map_err(|e| e.to_string());
        sink.close().await;
        result
    });
    drop(runtime);
    drop(ui);
    rayon::broadcast(|_| crate::ocr::release_engines());
    match served {
        Ok(()) => {
            eprintln!("mailroom serve: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
