//! The worker's Prometheus metrics and its HTTP endpoint (`/metrics`, `/health`), bound to
//! loopback unless configured otherwise. Nothing here carries document content or names:
//! only counts, durations and outcome labels.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::pipeline::Timings;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabel {
    pub stage: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabel {
    pub queue: String,
}

fn seconds_histogram() -> Histogram {
    // 5 ms … ~80 s.
    Histogram::new(exponential_buckets(0.005, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    pub documents: Family<OutcomeLabel, Counter>,
    pub pages: Counter,
    pub stage_seconds: Family<StageLabel, Histogram, fn() -> Histogram>,
    pub failures: Family<ReasonLabel, Counter>,
    pub queue_lag_seconds: Histogram,
    pub queue_depth: Family<QueueLabel, Gauge>,
    pub in_flight: Gauge,
    /// Connected to the broker and consuming.
    pub ready: AtomicBool,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("mailroom");
        let documents = Family::<OutcomeLabel, Counter>::default();
        let pages = Counter::default();
        let stage_seconds = Family::<StageLabel, Histogram, fn() -> Histogram>::new_with_constructor(seconds_histogram as fn() -> Histogram);
        let failures = Family::<ReasonLabel, Counter>::default();
        let queue_lag_seconds = Histogram::new(exponential_buckets(0.05, 2.0, 16));
        let queue_depth = Family::<QueueLabel, Gauge>::default();
        let in_flight = Gauge::default();
        registry.register("documents", "Documents finished, by outcome (processed, already_archived, quarantined, dead_lettered)", documents.clone());
        registry.register("pages", "Pages read (OCR or text layer)", pages.clone());
        registry.register("stage_seconds", "Time per pipeline stage and per document (stage=total)", stage_seconds.clone());
        registry.register("failures", "Failed attempts, by reason (storage_unavailable, broker, permanent)", failures.clone());
        registry.register("queue_lag_seconds", "Time from submission until a worker picked the job up", queue_lag_seconds.clone());
        registry.register("queue_depth", "Messages waiting, by queue (sampled)", queue_depth.clone());
        registry.register("in_flight", "Documents being processed now", in_flight.clone());
        registry.register("store_requests", "Requests to the object store, by kind (put_new_exists: a create refused because the key was taken)", crate::store::counted::requests());
        Arc::new(Metrics { registry, documents, pages, stage_seconds, failures, queue_lag_seconds, queue_depth, in_flight, ready: AtomicBool::new(false) })
    }

    pub fn outcome(&self, outcome: &str) {
        self.documents.get_or_create(&OutcomeLabel { outcome: outcome.into() }).inc();
    }

    pub fn failure(&self, reason: &str) {
        self.failures.get_or_create(&ReasonLabel { reason: reason.into() }).inc();
    }

    pub fn stages(&self, t: &Timings, store_seconds: f64) {
        for (stage, d) in [("read", t.read), ("pdfa", t.pdfa), ("classify", t.classify), ("extract", t.extract), ("total", t.total)] {
            if !d.is_zero() {
                self.stage_seconds.get_or_create(&StageLabel { stage: stage.into() }).observe(d.as_secs_f64());
            }
        }
        self.stage_seconds.get_or_create(&StageLabel { stage: "store".into() }).observe(store_seconds);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// `/health`: 200 while consuming, 503 otherwise.
fn health(metrics: Arc<Metrics>) -> Router {
    Router::new().route(
        "/health",
        get(move || {
            let m = metrics.clone();
            async move {
                if m.ready.load(Ordering::Relaxed) {
                    (StatusCode::OK, "ok: consuming\n").into_response()
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, "not ready: not connected to the broker\n").into_response()
                }
            }
        }),
    )
}

/// Serves `/metrics` and `/health` until the process ends.
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<()> {
    let m1 = metrics.clone();
    let app = health(metrics).route(
        "/metrics",
        get(move || {
            let m = m1.clone();
            async move { ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], m.render()) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    if !addr.ip().is_loopback() {
        tracing::warn!(%addr, "the metrics endpoint listens beyond loopback: make sure only your monitoring can reach it");
    }
    axum::serve(listener, app).await
}

/// Serves `/health` alone, for probes from beyond the machine (Kubernetes' kubelet), so that
/// `/metrics` can stay on loopback or behind its own network policy.
pub async fn serve_health(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, health(metrics)).await
}
