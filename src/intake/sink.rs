//! Where the long-running channels (hot folder, HTTP upload) hand a document over — and the
//! one moment they may acknowledge it.
//!
//! Embedded (a local archive), the document goes straight through the [`Processor`], with
//! everything inside it (an e-mail's attachments): stored on arrival, read, archived. In
//! production (an S3 archive) its original is stored in the archive and a job is published to
//! the queue with publisher confirms, as `mailroom submit` does; the workers do the rest.
//! Either way [`Sink::deliver`] returns `Ok` only once the document is durably stored; only
//! then may a channel move or delete a file or answer an upload. On `Err` nothing may be
//! acknowledged: the channel keeps the document and tries again.

use std::sync::Arc;

use lapin::{Channel, Connection};
use tokio::sync::Mutex;

use crate::archive::{Archive, ArchiveError};
use crate::config::{Config, ConfigError};
use crate::document::Document;
use crate::index::DocumentIndex;
use crate::processor::{Processed, Processor};
use crate::queue::BrokerConfig;
use crate::queue::{self, Job, QueueError, Topology};

/// What became of a delivered document.
#[derive(Debug)]
pub enum Delivered {
    /// Processed now (embedded): the document first, then what came inside it. Documents
    /// archived before are there as `AlreadyArchived`.
    Processed(Vec<Processed>),
    /// Stored and queued for the workers (production).
    Queued { id: String },
    /// Archived before (production): nothing was stored or queued.
    AlreadyArchived(Box<DocumentIndex>),
}

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("not stored: {0}")]
    Storage(#[from] ArchiveError),
    #[error("stored, but not queued: {0}")]
    Queue(#[from] QueueError),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Embedded or production, chosen by the configuration's archive.
#[derive(Clone)]
pub enum Sink {
    Process(Arc<Processor>),
    Queue(Arc<QueueSink>),
}

/// The production side: the archive for originals, the broker for jobs. The broker
/// connection is opened on first use and again after it was lost.
pub struct QueueSink {
    archive: Archive,
    broker: BrokerConfig,
    topology: Topology,
    name: String,
    link: Mutex<Option<(Connection, Channel)>>,
}

impl Sink {
    /// `actor` names this process in the audit trail and, in production, on the broker.
    pub fn open(config: &Config, actor: &str) -> Result<Sink, ConfigError> {
        if config.is_production() {
            Ok(Sink::Queue(Arc::new(QueueSink {
                archive: config.open_archive()?,
                broker: config.broker.clone(),
                topology: Topology::new(&config.broker),
                name: actor.to_string(),
                link: Mutex::new(None),
            })))
        } else {
            Ok(Sink::Process(Arc::new(config.processor(actor)?)))
        }
    }

    pub fn archive(&self) -> &Archive {
        match self {
            Sink::Process(p) => p.archive(),
            Sink::Queue(q) => &q.archive,
        }
    }

    /// Stores `doc` (its original logged as received by `received_by`) and processes or
    /// queues it. `Ok` means durably stored.
    pub async fn deliver(&self, doc: Document, received_by: &str) -> Result<Delivered, SinkError> {
        let by = received_by.to_string();
        match self {
            Sink::Process(p) => {
                let p = p.clone();
                // Receives every original first (logged as received by `by`), then reads.
                let done = tokio::task::spawn_blocking(move || p.process_all(&doc, &by)).await.map_err(|e| SinkError::Internal(e.to_string()))??;
                Ok(Delivered::Processed(done))
            }
            Sink::Queue(q) => q.deliver(doc, by).await,
        }
    }

    /// Closes the broker connection, if one is open.
    pub async fn close(&self) {
        if let Sink::Queue(q) = self {
            if let Some((conn, _)) = q.link.lock().await.take() {
                let _ = conn.close(200, "done".into()).await;
            }
        }
    }
}

impl QueueSink {
    async fn deliver(self: &Arc<Self>, doc: Document, by: String) -> Result<Delivered, SinkError> {
        let q = self.clone();
        let stored = tokio::task::spawn_blocking(move || -> Result<Result<Job, DocumentIndex>, ArchiveError> {
            if let Some(index) = q.archive.lookup(&doc.sha256)? {
                return Ok(Err(index));
            }
            let original = q.archive.receive(&doc, &by)?;
            Ok(Ok(Job { id: doc.sha256.clone(), key: original.key, source: doc.source.clone(), submitted_by: by }))
        })
        .await
        .map_err(|e| SinkError::Internal(e.to_string()))??;
        let job = match stored {
            Ok(job) => job,
            Err(index) => return Ok(Delivered::AlreadyArchived(Box::new(index))),
        };
        let ch = self.channel().await?;
        if let Err(e) = queue::publish_job(&ch, &self.topology, &job, 0).await {
            // The next delivery connects afresh.
            *self.link.lock().await = None;
            return Err(e.into());
        }
        Ok(Delivered::Queued { id: job.id.to_string() })
    }

    /// A confirm channel on a live connection, connecting (and declaring the topology) when
    /// there is none.
    async fn channel(&self) -> Result<Channel, QueueError> {
        let mut link = self.link.lock().await;
        if let Some((conn, ch)) = link.as_ref() {
            if conn.status().connected() && ch.status().connected() {
                return Ok(ch.clone());
            }
        }
        *link = None;
        let conn = queue::connect(&self.broker, &self.name).await?;
        let ch = queue::confirm_channel(&conn).await?;
        self.topology.declare(&ch).await?;
        *link = Some((conn, ch.clone()));
        Ok(ch)
    }
}
