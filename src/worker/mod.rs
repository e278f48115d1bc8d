//! The worker: consumes jobs from RabbitMQ and runs each through the [`Processor`].
//!
//! * **Ack after storage.** A job is acknowledged only when the processor returned, i.e. when
//!   the original, every artefact, the index, the audit entries and the ERP outbox entry are
//!   durably stored (or the document is durably quarantined). A worker killed at any moment
//!   leaves its jobs unacknowledged; the broker hands them to another worker, which finds
//!   whatever was already stored and completes the rest — nothing is archived twice.
//! * **Bounded retries with back-off.** A job that fails because storage is unreachable is
//!   republished to a delay queue (`mailroom.jobs.retry.<s>`) with its attempt count, then
//!   acknowledged; after `max_attempts` it goes to `mailroom.jobs.dead` with the reason. A
//!   job that can never succeed (malformed message, original missing) goes there at once.
//! * **Shutdown.** SIGTERM/SIGINT stop consuming; documents in progress finish (up to the
//!   grace period), jobs prefetched but not started go back to the queue.
//! * **Reconnects.** A dropped connection or a broker restart ends the session; the worker
//!   reconnects with back-off and carries on. Jobs in flight at that moment are redelivered.

pub mod metrics;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_lite::StreamExt;
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::Channel;
use serde_json::json;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::archive::document_prefix;
use crate::audit::{Event, EventKind};
use crate::config::Config;
use crate::document::Document;
use crate::index::DocumentId;
use crate::processor::{Outcome, Processed, Processor};
use crate::queue::{self, header_u32, Job, QueueError, Topology, ATTEMPT_HEADER, FAILED_AT_HEADER, REASON_HEADER, WORKER_HEADER};
use metrics::Metrics;

/// Why a job did not complete.
#[derive(Debug)]
enum JobError {
    /// Storage unreachable: retry later.
    Transient(String),
    /// Will never work as it is: dead-letter.
    Permanent(String),
}

/// Runs one job to completion (blocking: call on the blocking pool): the document and, for an
/// e-mail, every attachment in it — the job is done only when all of them are stored.
fn run_job(p: &Processor, job: &Job) -> Result<Vec<Processed>, JobError> {
    if !job.key.starts_with(&document_prefix(&job.id)) {
        return Err(JobError::Permanent(format!("the job's key {} does not belong to document {}", job.key, job.id)));
    }
    let bytes = match p.archive().store().get(&job.key) {
        Ok(Some(b)) => b,
        Ok(None) => return Err(JobError::Permanent(format!("the original {} is not in the archive; submit the file again", job.key))),
        Err(e) if e.is_transient() => return Err(JobError::Transient(e.to_string())),
        Err(e) => return Err(JobError::Permanent(e.to_string())),
    };
    if DocumentId::of(&bytes) != job.id {
        return Err(JobError::Permanent(format!("the stored original {} does not hash to the job's id (run mailroom verify)", job.key)));
    }
    let doc = Document::restored(bytes, job.source.clone());
    p.process_all_stored(&doc, p.actor()).map_err(|e| if e.is_transient() { JobError::Transient(e.to_string()) } else { JobError::Permanent(e.to_string()) })
}

struct Shared {
    config: Config,
    processor: Arc<Processor>,
    metrics: Arc<Metrics>,
    topology: Topology,
    name: String,
    permits: Semaphore,
}

pub struct Worker {
    shared: Arc<Shared>,
}

enum End {
    Shutdown,
}

impl Worker {
    /// The caller keeps a handle on `processor` and drops it outside the async runtime: its
    /// store and catalog clients own runtimes of their own, which must not be dropped inside
    /// another one.
    pub fn new(config: Config, processor: Arc<Processor>, metrics: Arc<Metrics>, name: String) -> Worker {
        let topology = Topology::new(&config.broker);
        let permits = Semaphore::new(config.worker.concurrency.max(1));
        Worker { shared: Arc::new(Shared { config, processor, metrics, topology, name, permits }) }
    }

    /// Consumes until `shutdown` turns true, reconnecting whenever the broker goes away.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = Duration::from_secs(1);
        loop {
            if *shutdown.borrow() {
                return;
            }
            let started = Instant::now();
            match self.session(&mut shutdown).await {
                Ok(End::Shutdown) => return,
                Err(e) => {
                    self.shared.metrics.failure("broker");
                    if started.elapsed() > Duration::from_secs(30) {
                        backoff = Duration::from_secs(1);
                    }
                    if matches!(e, QueueError::NeedsMigration(_)) {
                        // Not ready (/health says so) until an operator runs the migration.
                        tracing::error!(error = %e, retry_in_s = backoff.as_secs(), "cannot consume: the job queue needs `mailroom queue migrate`");
                    } else {
                        tracing::warn!(error = %e, retry_in_s = backoff.as_secs(), "broker connection lost; reconnecting");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.changed() => return,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    async fn session(&self, shutdown: &mut watch::Receiver<bool>) -> Result<End, QueueError> {
        let s = &self.shared;
        let conn = queue::connect(&s.config.broker, &s.name).await?;
        let ch = conn.create_channel().await?;
        s.topology.declare(&ch).await?;
        ch.basic_qos(s.config.broker.prefetch.max(1), BasicQosOptions::default()).await?;
        let publisher = queue::confirm_channel(&conn).await?;
        let mut consumer = ch.basic_consume(s.topology.jobs.as_str().into(), s.name.as_str().into(), BasicConsumeOptions::default(), FieldTable::default()).await?;
        s.metrics.ready.store(true, std::sync::atomic::Ordering::Relaxed);
        tracing::info!(queue = %s.topology.jobs, worker = %s.name, "consuming");
        let mut tasks: JoinSet<Result<(), QueueError>> = JoinSet::new();
        let mut depth = tokio::time::interval(Duration::from_secs(10));
        let result = loop {
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break Ok(End::Shutdown);
                    }
                }
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    match joined {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => break Err(e),
                        Err(e) => tracing::error!(error = %e, "a job task failed"),
                    }
                }
                _ = depth.tick() => self.sample_depth(&ch).await,
                next = consumer.next() => match next {
                    None => break Err(QueueError::ConsumerClosed),
                    Some(Err(e)) => break Err(e.into()),
                    Some(Ok(delivery)) => {
                        tasks.spawn(handle(s.clone(), delivery, publisher.clone(), shutdown.clone()));
                    }
                },
            }
        };
        s.metrics.ready.store(false, std::sync::atomic::Ordering::Relaxed);
        match result {
            Ok(End::Shutdown) => {
                let _ = ch.basic_cancel(s.name.as_str().into(), BasicCancelOptions::default()).await;
                tracing::info!(in_flight = tasks.len(), "shutting down: letting documents in progress finish");
                let grace = Duration::from_secs(s.config.worker.shutdown_grace_s);
                if tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await.is_err() {
                    tracing::warn!("grace period over: unfinished jobs go back to the queue");
                }
                let _ = conn.close(200, "worker shutting down".into()).await;
                Ok(End::Shutdown)
            }
            Err(e) => {
                // Documents already being read finish (their results are stored, their acks
                // are lost and they come back as already archived); waiting ones return.
                while tasks.join_next().await.is_some() {}
                Err(e)
            }
        }
    }

    async fn sample_depth(&self, ch: &Channel) {
        let s = &self.shared;
        let mut names = vec![s.topology.jobs.clone(), s.topology.dead.clone()];
        names.extend(s.topology.retry_delays_s.iter().map(|d| s.topology.retry_queue(*d)));
        for q in names {
            if let Ok(info) = ch.queue_declare(q.as_str().into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default()).await {
                s.metrics.queue_depth.get_or_create(&metrics::QueueLabel { queue: q }).set(info.message_count() as i64);
            }
        }
    }
}

/// Handles one delivery: process, then ack; or retry later; or dead-letter.
async fn handle(s: Arc<Shared>, d: Delivery, publisher: Channel, shutdown: watch::Receiver<bool>) -> Result<(), QueueError> {
    let _permit = s.permits.acquire().await.expect("the semaphore is never closed");
    if !publisher.status().connected() {
        // The session ended while this job waited: the broker will redeliver it.
        return Ok(());
    }
    if *shutdown.borrow() {
        d.nack(BasicNackOptions { requeue: true, ..Default::default() }).await?;
        return Ok(());
    }
    s.metrics.in_flight.inc();
    let result = handle_inner(&s, &d, &publisher).await;
    s.metrics.in_flight.dec();
    result
}

async fn handle_inner(s: &Arc<Shared>, d: &Delivery, publisher: &Channel) -> Result<(), QueueError> {
    let attempt = header_u32(&d.properties, ATTEMPT_HEADER).unwrap_or(0);
    let job: Job = match queue::parse_message(&d.data) {
        Ok(queue::Message::Intake(j)) => j,
        Ok(queue::Message::Reprocess(r)) => return handle_reprocess(s, d, publisher, r, attempt).await,
        Err(reason) => return dead_letter(s, d, publisher, None, attempt, reason).await,
    };
    // x-delivery-count: how often the broker handed this job out before without an answer
    // (a worker that crashed or was killed); at broker.delivery_limit it dead-letters the job.
    let deliveries = header_u32(&d.properties, "x-delivery-count").unwrap_or(0);
    if deliveries > 0 {
        tracing::warn!(document = %job.id.short(12), attempt, earlier_deliveries = deliveries, limit = s.topology.delivery_limit, "job started again after deliveries without an answer");
    } else {
        tracing::info!(document = %job.id.short(12), attempt, "job started");
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&job.source.received_at) {
        let lag = (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_milliseconds().max(0) as f64 / 1000.0;
        s.metrics.queue_lag_seconds.observe(lag);
    }
    let processor = s.processor.clone();
    let j = job.clone();
    let started = Instant::now();
    let joined = tokio::task::spawn_blocking(move || run_job(&processor, &j)).await;
    match joined {
        Ok(Ok(all)) => {
            let total: std::time::Duration = all.iter().map(|done| done.timings.total).sum();
            let store_s = started.elapsed().saturating_sub(total).as_secs_f64();
            for done in &all {
                // The job's storage time, shared out among its documents (an e-mail and its attachments).
                s.metrics.stages(&done.timings, store_s / all.len() as f64);
                s.metrics.outcome(done.outcome.label());
                s.metrics.pages.inc_by(done.outcome.index().pages as u64);
                tracing::info!(document = %done.outcome.index().id.short(12), job = %job.id.short(12), outcome = done.outcome.label(), "document done");
            }
            tracing::info!(document = %job.id.short(12), documents = all.len(), seconds = started.elapsed().as_secs_f32(), "job done");
            for done in &all {
                // An event for what is new; again for a redelivered job, whose first event may be lost.
                let announce = !matches!(done.outcome, Outcome::AlreadyArchived(_)) || d.redelivered || !done.handed_off.is_empty();
                if announce {
                    publish_event(s, publisher, done).await?;
                }
            }
            d.ack(BasicAckOptions::default()).await?;
            Ok(())
        }
        Ok(Err(JobError::Transient(reason))) => {
            s.metrics.failure("storage_unavailable");
            if attempt + 1 >= s.config.broker.max_attempts {
                return dead_letter(s, d, publisher, Some(&job), attempt, format!("gave up after {} attempts: {reason}", attempt + 1)).await;
            }
            let delay = s.topology.delay_for(attempt + 1);
            tracing::warn!(document = %job.id.short(12), attempt = attempt + 1, retry_in_s = delay, error = %reason, "job failed; will retry");
            let mut headers = queue::job_headers(attempt + 1);
            headers.insert(REASON_HEADER.into(), AMQPValue::LongString(reason.as_str().into()));
            queue::publish(publisher, "", &s.topology.retry_queue(delay), &d.data, &job.id, headers).await?;
            d.ack(BasicAckOptions::default()).await?;
            Ok(())
        }
        Ok(Err(JobError::Permanent(reason))) => dead_letter(s, d, publisher, Some(&job), attempt, reason).await,
        Err(e) => {
            // A panic outside the pipeline's own guard: the document gets a quarantine record
            // of kind `internal` (its original is stored) and the job is done — no poison loop.
            // Dead-lettered only where even that record cannot be written.
            let message = format!("internal error while processing ({e}); the original is kept — please report this");
            tracing::error!(document = %job.id.short(12), error = %e, "a panic escaped the pipeline's guard");
            let processor = s.processor.clone();
            let (j, why) = (job.clone(), message.clone());
            match tokio::task::spawn_blocking(move || quarantine_internal(&processor, &j, why)).await {
                Ok(Ok(done)) => {
                    s.metrics.outcome(done.outcome.label());
                    publish_event(s, publisher, &done).await?;
                    d.ack(BasicAckOptions::default()).await?;
                    Ok(())
                }
                _ => dead_letter(s, d, publisher, Some(&job), attempt, message).await,
            }
        }
    }
}

/// The record of a job whose processing panicked: kept as it is where the document was
/// completed after all, else quarantined as `internal`.
fn quarantine_internal(p: &Processor, job: &Job, message: String) -> Result<Processed, JobError> {
    let permanent = |e: crate::archive::ArchiveError| JobError::Permanent(e.to_string());
    if let Some(done) = p.records.completed(&job.id).map_err(permanent)? {
        return Ok(done);
    }
    let bytes = p.archive().store().get(&job.key).map_err(|e| JobError::Permanent(e.to_string()))?.ok_or_else(|| JobError::Permanent(format!("the original {} is not in the archive", job.key)))?;
    let doc = Document::restored(bytes, job.source.clone());
    let done = p.records.quarantined(&doc, crate::pipeline::Failure { kind: crate::index::ErrorKind::Internal, message }, p.pipeline.models()).map_err(permanent)?;
    p.records.catalogue(done.outcome.index()).map_err(permanent)?;
    Ok(done)
}

/// A reprocessing job: the document read again with this worker's models (the same code as
/// `mailroom reprocess`), its run's progress recorded in the catalog, then acked. A storage
/// error is retried like an intake job's; a document that cannot be read is recorded as failed.
async fn handle_reprocess(s: &Arc<Shared>, d: &Delivery, publisher: &Channel, job: queue::ReprocessJob, attempt: u32) -> Result<(), QueueError> {
    let processor = s.processor.clone();
    let j = job.clone();
    let joined = tokio::task::spawn_blocking(move || {
        crate::reprocess::one(&processor.pipeline, &processor.records, &j.run, &j.id, if j.ocr { crate::reprocess::Mode::Ocr } else { crate::reprocess::Mode::Words })
    })
    .await;
    match joined {
        Ok(Ok(outcome)) => {
            s.metrics.outcome(if outcome == "changed" { "reprocessed" } else { "reprocessed_unchanged" });
            tracing::info!(document = %job.id.short(12), run = %job.run, outcome, "reprocess job done");
            d.ack(BasicAckOptions::default()).await?;
            Ok(())
        }
        Ok(Err(crate::reprocess::ReprocessError::Archive(e))) if e.is_transient() && attempt + 1 < s.config.broker.max_attempts => {
            let delay = s.topology.delay_for(attempt + 1);
            tracing::warn!(document = %job.id.short(12), attempt = attempt + 1, retry_in_s = delay, error = %e, "reprocess job failed; will retry");
            let mut headers = queue::job_headers(attempt + 1);
            headers.insert(REASON_HEADER.into(), AMQPValue::LongString(e.to_string().as_str().into()));
            queue::publish(publisher, "", &s.topology.retry_queue(delay), &d.data, &job.id, headers).await?;
            d.ack(BasicAckOptions::default()).await?;
            Ok(())
        }
        Ok(Err(e)) => dead_letter(s, d, publisher, None, attempt, format!("reprocess {}: {e}", job.id.short(12))).await,
        Err(e) => dead_letter(s, d, publisher, None, attempt, format!("internal error while reprocessing {}: {e}", job.id.short(12))).await,
    }
}

/// Moves a job to the dead-letter queue with its reason, records it, then acks it.
async fn dead_letter(s: &Arc<Shared>, d: &Delivery, publisher: &Channel, job: Option<&Job>, attempt: u32, reason: String) -> Result<(), QueueError> {
    s.metrics.failure("permanent");
    s.metrics.outcome("dead_lettered");
    tracing::error!(document = job.map(|j| j.id.short(12)).unwrap_or("-"), error = %reason, "job dead-lettered");
    let mut headers = queue::job_headers(attempt);
    headers.insert(REASON_HEADER.into(), AMQPValue::LongString(reason.as_str().into()));
    headers.insert(FAILED_AT_HEADER.into(), AMQPValue::LongString(chrono::Utc::now().to_rfc3339().into()));
    headers.insert(WORKER_HEADER.into(), AMQPValue::LongString(s.name.as_str().into()));
    let id = job.map(|j| j.id.to_string()).unwrap_or_else(|| "unknown".into());
    queue::publish(publisher, "", &s.topology.dead, &d.data, &id, headers).await?;
    if let Some(job) = job {
        let processor = s.processor.clone();
        let (id, attempts, why) = (job.id.clone(), attempt + 1, reason.clone());
        // The dead-letter message holds the reason durably; the audit entry is best effort
        // (storage may be what failed).
        let logged = tokio::task::spawn_blocking(move || {
            processor.archive().audit().append(processor.actor(), Event::new(EventKind::DeadLettered, Some(&id)).details(json!({"reason": why, "attempts": attempts})))
        })
        .await;
        if !matches!(logged, Ok(Ok(_))) {
            tracing::warn!("the dead-lettering could not be recorded in the audit trail");
        }
    }
    d.ack(BasicAckOptions::default()).await?;
    Ok(())
}

/// `document.processed.<type>`, `document.quarantined` or `document.split` (a batch scan,
/// listing its parts) on the events exchange.
async fn publish_event(s: &Arc<Shared>, publisher: &Channel, done: &Processed) -> Result<(), QueueError> {
    let idx = done.outcome.index();
    let (event, key) = match &done.outcome {
        Outcome::Quarantined(_) => ("document.quarantined", "document.quarantined".to_string()),
        // A batch scan's container: its parts have events of their own.
        _ if idx.status == crate::index::Status::Split => ("document.split", "document.split".to_string()),
        _ => ("document.processed", format!("document.processed.{}", idx.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("other"))),
    };
    let body = json!({
        "event": event,
        "id": idx.id,
        "revision": idx.archive.revision,
        "status": idx.status,
        "doc_type": idx.doc_type.as_ref().map(|d| d.label),
        "needs_review": idx.needs_review,
        "review": idx.review,
        "error": idx.error,
        "parent": idx.source.parent,
        "batch": idx.batch,
        "index": idx.archive.index,
        "handoff": done.handed_off.iter().map(|o| &o.key).collect::<Vec<_>>(),
        "at": chrono::Utc::now().to_rfc3339(),
    });
    queue::publish(publisher, &s.topology.events, &key, &serde_json::to_vec(&body).expect("events serialise"), &idx.id, FieldTable::default()).await
}
