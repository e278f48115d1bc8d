//! `mailroom queue migrate`: replaces a classic job queue, as mailroom declared it before the
//! delivery limit, by the quorum queue it declares now, keeping every waiting job.
//!
//! The broker cannot change a queue's type in place, and declaring it again with other
//! arguments is refused (406), so the jobs are moved: into `<jobs>.migrating` (a quorum queue
//! with the same arguments), the classic queue deleted once empty, the quorum queue declared,
//! the jobs moved back. Each job is published with confirms before the message it came from is
//! acknowledged, so a broker or connection failure in between leaves a copy, never none; a job
//! that ends up twice is processed once (the archive keeps one copy of a document).
//! Producers publish jobs as mandatory messages: one sent in the moment the job queue does not
//! exist comes back as an error to its sender (HTTP 503, a failed `submit`), not lost.
//! It refuses while a worker consumes the classic queue, and is safe to run again after an
//! interruption (it finishes the move from wherever it stopped).

use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection};

use super::{confirm_channel, is_inequivalent, QueueError, Topology};

/// What a migration did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Migration {
    /// The job queue was a classic queue and is now a quorum queue.
    pub migrated: bool,
    /// Jobs moved through the parking queue (and back).
    pub jobs_moved: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{consumers} consumer(s) still take jobs from {queue}: stop every worker (`mailroom worker`) first, then run the migration again")]
    InUse { queue: String, consumers: u32 },
    #[error("{queue} still holds {jobs} job(s) after the move: run the migration again")]
    Leftover { queue: String, jobs: u32 },
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl From<lapin::Error> for MigrateError {
    fn from(e: lapin::Error) -> Self {
        MigrateError::Queue(e.into())
    }
}

/// The job queue as this mailroom declares it; `conn` must be free to open channels (a
/// refused declaration closes its channel).
pub async fn migrate(conn: &Connection, topology: &Topology) -> Result<Migration, MigrateError> {
    let mut report = Migration::default();
    // Jobs parked by an interrupted run first go back once the job queue is right.
    let probe = conn.create_channel().await?;
    let declared = probe.queue_declare(topology.jobs.as_str().into(), QueueDeclareOptions::durable(), topology.jobs_arguments()).await;
    match declared {
        Ok(_) => {}
        Err(e) if is_inequivalent(&e) => {
            let ch = confirm_channel(conn).await?;
            let classic = ch.queue_declare(topology.jobs.as_str().into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default()).await?;
            if classic.consumer_count() > 0 {
                return Err(MigrateError::InUse { queue: topology.jobs.clone(), consumers: classic.consumer_count() });
            }
            ch.queue_declare(topology.migrating().as_str().into(), QueueDeclareOptions::durable(), topology.jobs_arguments()).await?;
            report.jobs_moved += drain(&ch, &topology.jobs, &topology.migrating()).await?;
            // Refused where a message or a consumer arrived meanwhile: start over, which moves
            // that one too.
            if let Err(e) = ch.queue_delete(topology.jobs.as_str().into(), QueueDeleteOptions { if_unused: true, if_empty: true, ..Default::default() }).await {
                tracing::warn!(error = %e, "the classic job queue could not be deleted yet; moving what arrived");
                let again = confirm_channel(conn).await?;
                let left = again.queue_declare(topology.jobs.as_str().into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default()).await?;
                if left.consumer_count() > 0 {
                    return Err(MigrateError::InUse { queue: topology.jobs.clone(), consumers: left.consumer_count() });
                }
                return Box::pin(migrate(conn, topology)).await.map(|r| Migration { migrated: true, jobs_moved: r.jobs_moved + report.jobs_moved });
            }
            ch.queue_declare(topology.jobs.as_str().into(), QueueDeclareOptions::durable(), topology.jobs_arguments()).await?;
            report.migrated = true;
        }
        Err(e) => return Err(QueueError::from(e).into()),
    }
    let ch = confirm_channel(conn).await?;
    let parked = ch.queue_declare(topology.migrating().as_str().into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default()).await;
    if parked.is_ok() {
        drain(&ch, &topology.migrating(), &topology.jobs).await?;
        // Quorum queues refuse `if_empty` deletes; nothing but this migration writes to the
        // parking queue, and it was just drained: make sure, then delete.
        let left = ch.queue_declare(topology.migrating().as_str().into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default()).await?;
        if left.message_count() > 0 {
            return Err(MigrateError::Leftover { queue: topology.migrating(), jobs: left.message_count() });
        }
        ch.queue_delete(topology.migrating().as_str().into(), QueueDeleteOptions::default()).await?;
    } else {
        // A passive declaration of a queue that does not exist closes the channel (404).
        drop(ch);
    }
    topology.declare(&conn.create_channel().await?).await?;
    Ok(report)
}

/// Moves every message from `from` to `to`, each confirmed before its original is acked;
/// how many.
async fn drain(ch: &Channel, from: &str, to: &str) -> Result<u64, MigrateError> {
    let mut moved = 0;
    while let Some(msg) = ch.basic_get(from.into(), BasicGetOptions { no_ack: false }).await? {
        let d = msg.delivery;
        let p = &d.properties;
        let mut props = BasicProperties::default().with_delivery_mode(2);
        if let Some(v) = p.content_type() {
            props = props.with_content_type(v.clone());
        }
        if let Some(v) = p.message_id() {
            props = props.with_message_id(v.clone());
        }
        if let Some(v) = p.timestamp() {
            props = props.with_timestamp(*v);
        }
        if let Some(v) = p.headers() {
            props = props.with_headers(v.clone());
        }
        let confirm = ch.basic_publish("".into(), to.into(), lapin::options::BasicPublishOptions { mandatory: true, ..Default::default() }, &d.data, props).await?.await?;
        if !matches!(confirm, lapin::Confirmation::Ack(None)) {
            return Err(QueueError::NotConfirmed.into());
        }
        d.ack(BasicAckOptions::default()).await?;
        moved += 1;
    }
    Ok(moved)
}
