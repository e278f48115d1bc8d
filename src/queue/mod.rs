//! The job queue on RabbitMQ (AMQP 0-9-1, via lapin): its topology, the job message, and
//! publishing with confirms.
//!
//! ```text
//! mailroom.jobs                 quorum queue of jobs (persistent messages, manual acks) with a
//!                               delivery limit: a job delivered `delivery_limit` times without
//!                               an answer — its worker crashed, was killed or lost its
//!                               connection each time — is dead-lettered by the broker itself
//!                               (x-death reason `delivery_limit`), so that not even a job that
//!                               takes the whole process down can come back for ever
//! mailroom.jobs.retry.<s>       one durable queue per retry delay: messages wait <s> seconds
//!                               (x-message-ttl) and fall back into mailroom.jobs (dead-letter
//!                               routing through the default exchange)
//! mailroom.jobs.dead            jobs that failed for good, with x-mailroom-reason
//! mailroom.events (topic)       document.processed.<doc_type>, document.quarantined
//! ```
//! A job carries a reference to the original's bytes, which `submit` stored in the archive
//! first; the message itself stays small. Every declaration is idempotent, so producers and
//! workers can each declare the topology on connect.

pub mod migrate;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use serde::{Deserialize, Serialize};

use crate::index::{DocumentId, Source};
use crate::redact::redact_url;

/// The AMQP broker (production).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrokerConfig {
    /// The environment variable holding the broker URL (`amqp://user:password@host:5672/vhost`).
    pub url_env: String,
    /// Used when that variable is unset: the local development broker.
    pub default_url: String,
    /// The job queue; retry and dead-letter queues are named after it.
    pub queue: String,
    /// Topic exchange for `document.processed.<type>` and `document.quarantined` events.
    pub events_exchange: String,
    /// Unacknowledged jobs per worker.
    pub prefetch: u16,
    /// Attempts before a job goes to the dead-letter queue.
    pub max_attempts: u32,
    /// Wait before each retry, in seconds (the last value repeats).
    pub retry_delays_s: Vec<u64>,
    /// Deliveries of one job without an answer (ack or reject) before the broker dead-letters
    /// it: the guard against a job that crashes the worker process. A worker that stops
    /// gracefully returns the jobs it had not started, which counts too: keep this well above 1.
    pub delivery_limit: u32,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            url_env: "MAILROOM_AMQP_URL".into(),
            default_url: "amqp://guest:guest@127.0.0.1:5672/%2f".into(),
            queue: "mailroom.jobs".into(),
            events_exchange: "mailroom.events".into(),
            prefetch: 4,
            max_attempts: 5,
            retry_delays_s: vec![5, 30, 120, 600],
            delivery_limit: 10,
        }
    }
}

impl BrokerConfig {
    pub fn url(&self) -> String {
        std::env::var(&self.url_env).unwrap_or_else(|_| self.default_url.clone())
    }
}

/// One document to process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// SHA-256 of the original (the document id): a job whose id is no document id does not
    /// parse, and is dead-lettered with that reason.
    pub id: DocumentId,
    /// Object key of the original in the archive.
    pub key: String,
    pub source: Source,
    /// Who submitted it (for the audit trail).
    pub submitted_by: String,
}

pub const ATTEMPT_HEADER: &str = "x-mailroom-attempt";
pub const REASON_HEADER: &str = "x-mailroom-reason";
pub const FAILED_AT_HEADER: &str = "x-mailroom-failed-at";
pub const WORKER_HEADER: &str = "x-mailroom-worker";

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("cannot reach the broker at {url}: {source}")]
    Connect { url: String, source: lapin::Error },
    #[error("broker error: {0}")]
    Amqp(#[from] lapin::Error),
    #[error("the broker did not confirm the message (nack)")]
    NotConfirmed,
    #[error("the broker cancelled the consumer (queue deleted or connection closed)")]
    ConsumerClosed,
    #[error("the broker has no queue {0} to take the message (is a `mailroom queue migrate` running?); nothing was published")]
    NotRouted(String),
    #[error(
        "the job queue {0} was declared by an older mailroom, as a classic queue without a delivery limit: stop every worker, then run `mailroom queue migrate` once (it moves the waiting jobs over)"
    )]
    NeedsMigration(String),
}

/// The queue names derived from the job queue's name.
#[derive(Debug, Clone)]
pub struct Topology {
    pub jobs: String,
    pub dead: String,
    pub events: String,
    pub retry_delays_s: Vec<u64>,
    pub delivery_limit: u32,
}

impl Topology {
    pub fn new(cfg: &BrokerConfig) -> Topology {
        Topology {
            jobs: cfg.queue.clone(),
            dead: format!("{}.dead", cfg.queue),
            events: cfg.events_exchange.clone(),
            retry_delays_s: cfg.retry_delays_s.clone(),
            delivery_limit: cfg.delivery_limit.max(1),
        }
    }

    /// The queue `mailroom queue migrate` parks waiting jobs in while it replaces a classic
    /// job queue.
    pub fn migrating(&self) -> String {
        format!("{}.migrating", self.jobs)
    }

    /// The job queue's arguments: a quorum queue whose broker dead-letters a job after
    /// `delivery_limit` deliveries, at least once (the dead-letter queue must take it before
    /// the job queue lets go of it).
    pub fn jobs_arguments(&self) -> FieldTable {
        let mut args = FieldTable::default();
        args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
        args.insert("x-delivery-limit".into(), AMQPValue::LongLongInt(i64::from(self.delivery_limit)));
        args.insert("x-dead-letter-exchange".into(), AMQPValue::LongString("".into()));
        args.insert("x-dead-letter-routing-key".into(), AMQPValue::LongString(self.dead.as_str().into()));
        args.insert("x-dead-letter-strategy".into(), AMQPValue::LongString("at-least-once".into()));
        args.insert("x-overflow".into(), AMQPValue::LongString("reject-publish".into()));
        args
    }

    pub fn retry_queue(&self, delay_s: u64) -> String {
        format!("{}.retry.{delay_s}", self.jobs)
    }

    /// The wait before attempt `attempt` (1-based retries; the last delay repeats).
    pub fn delay_for(&self, retry: u32) -> u64 {
        let i = (retry.max(1) as usize - 1).min(self.retry_delays_s.len().saturating_sub(1));
        self.retry_delays_s.get(i).copied().unwrap_or(60)
    }

    /// Declares every queue and the events exchange (idempotent).
    /// Refused with [`QueueError::NeedsMigration`] where an older mailroom left a classic job
    /// queue (the broker does not change a queue's type in place); the channel is closed then.
    pub async fn declare(&self, ch: &Channel) -> Result<(), QueueError> {
        ch.queue_declare(self.dead.as_str().into(), QueueDeclareOptions::durable(), FieldTable::default()).await?;
        if let Err(e) = ch.queue_declare(self.jobs.as_str().into(), QueueDeclareOptions::durable(), self.jobs_arguments()).await {
            return Err(if is_inequivalent(&e) { QueueError::NeedsMigration(self.jobs.clone()) } else { e.into() });
        }
        for d in &self.retry_delays_s {
            let mut args = FieldTable::default();
            args.insert("x-message-ttl".into(), AMQPValue::LongLongInt((*d as i64) * 1000));
            args.insert("x-dead-letter-exchange".into(), AMQPValue::LongString("".into()));
            args.insert("x-dead-letter-routing-key".into(), AMQPValue::LongString(self.jobs.as_str().into()));
            ch.queue_declare(self.retry_queue(*d).as_str().into(), QueueDeclareOptions::durable(), args).await?;
        }
        ch.exchange_declare(self.events.as_str().into(), ExchangeKind::Topic, ExchangeDeclareOptions { durable: true, ..Default::default() }, FieldTable::default()).await?;
        Ok(())
    }
}

/// The broker's refusal to declare a queue again with other arguments (406 PRECONDITION_FAILED).
pub fn is_inequivalent(e: &lapin::Error) -> bool {
    e.to_string().contains("inequivalent arg")
}

/// Connects with a name that shows up in the RabbitMQ management UI.
pub async fn connect(cfg: &BrokerConfig, name: &str) -> Result<Connection, QueueError> {
    let url = cfg.url();
    let props = ConnectionProperties::default().with_connection_name(LongString::from(name.to_string()));
    Connection::connect(&url, props).await.map_err(|source| QueueError::Connect { url: redact_url(&url), source })
}

/// A channel in confirm mode: every publish waits for the broker's ack.
pub async fn confirm_channel(conn: &Connection) -> Result<Channel, QueueError> {
    let ch = conn.create_channel().await?;
    ch.confirm_select(ConfirmSelectOptions::default()).await?;
    Ok(ch)
}

pub fn header_str(props: &BasicProperties, name: &str) -> Option<String> {
    let headers = props.headers().as_ref()?;
    match headers.inner().get(name)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

pub fn header_u32(props: &BasicProperties, name: &str) -> Option<u32> {
    let headers = props.headers().as_ref()?;
    match headers.inner().get(name)? {
        AMQPValue::LongUInt(n) => Some(*n),
        AMQPValue::LongInt(n) => u32::try_from(*n).ok(),
        AMQPValue::LongLongInt(n) => u32::try_from(*n).ok(),
        AMQPValue::ShortUInt(n) => Some(*n as u32),
        _ => None,
    }
}

/// Why the broker itself dead-lettered a message (`x-first-death-reason`), in words: a job
/// past the delivery limit never reached a worker's own dead-lettering, so it carries no
/// `x-mailroom-reason`.
pub fn broker_reason(props: &BasicProperties, delivery_limit: u32) -> Option<String> {
    let reason = header_str(props, "x-first-death-reason")?;
    let queue = header_str(props, "x-first-death-queue").unwrap_or_default();
    Some(match reason.as_str() {
        "delivery_limit" => format!(
            "delivered {delivery_limit} times (broker.delivery_limit) without an answer: the worker taking it crashed, was killed or lost its connection each time; the broker dead-lettered it from {queue} (x-death reason delivery_limit)"
        ),
        other => format!("dead-lettered by the broker from {queue} (x-death reason {other})"),
    })
}

/// Publishes persistently and waits for the broker's confirm. Through the default exchange
/// (straight to a queue) the message is mandatory: where the queue does not exist the broker
/// returns it and this is an error, never a message silently dropped.
pub async fn publish(ch: &Channel, exchange: &str, routing_key: &str, body: &[u8], message_id: &str, headers: FieldTable) -> Result<(), QueueError> {
    let props = BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type(ShortString::from("application/json"))
        .with_message_id(ShortString::from(message_id.to_string()))
        .with_timestamp(chrono::Utc::now().timestamp() as u64)
        .with_headers(headers);
    let mandatory = exchange.is_empty();
    let confirm = ch.basic_publish(exchange.into(), routing_key.into(), BasicPublishOptions { mandatory, ..Default::default() }, body, props).await?.await?;
    match confirm {
        lapin::Confirmation::Ack(None) => Ok(()),
        lapin::Confirmation::Ack(Some(_)) => Err(QueueError::NotRouted(routing_key.to_string())),
        _ => Err(QueueError::NotConfirmed),
    }
}

/// Headers of a job message at `attempt` (0 for the first delivery).
pub fn job_headers(attempt: u32) -> FieldTable {
    let mut h = FieldTable::default();
    h.insert(ATTEMPT_HEADER.into(), AMQPValue::LongUInt(attempt));
    h
}

/// A reprocessing job (`mailroom reprocess --queue`): read an archived document again with
/// the worker's models. It carries `kind` and lacks an intake job's `key` and `source`, so a
/// worker older than reprocessing jobs refuses it as malformed (dead-letter) instead of
/// mistaking it for a document to take in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReprocessJob {
    /// Always `reprocess`.
    pub kind: String,
    pub id: DocumentId,
    /// The run it belongs to (`mailroom reprocess status`).
    pub run: String,
    /// Read the original again, OCR included (else the stored words).
    pub ocr: bool,
    pub submitted_by: String,
}

pub const REPROCESS_KIND: &str = "reprocess";

/// A message on the jobs queue.
#[derive(Debug)]
pub enum Message {
    Intake(Job),
    Reprocess(ReprocessJob),
}

/// Parses a message from the jobs queue: by its `kind` (an intake job has none); a kind this
/// worker does not know is refused with that reason.
pub fn parse_message(bytes: &[u8]) -> Result<Message, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("malformed job message: {e}"))?;
    match value.get("kind").map(|k| k.as_str()) {
        None => serde_json::from_value(value).map(Message::Intake).map_err(|e| format!("malformed job message: {e}")),
        Some(Some(REPROCESS_KIND)) => serde_json::from_value(value).map(Message::Reprocess).map_err(|e| format!("malformed reprocess job: {e}")),
        Some(other) => Err(format!("unknown job kind {other:?}: a newer mailroom sent it; upgrade this worker")),
    }
}

/// Publishes a reprocessing job on the jobs queue.
pub async fn publish_reprocess(ch: &Channel, topology: &Topology, job: &ReprocessJob) -> Result<(), QueueError> {
    let body = serde_json::to_vec(job).expect("jobs serialise");
    publish(ch, "", &topology.jobs, &body, &job.id, job_headers(0)).await
}

/// Publishes a job on the jobs queue.
pub async fn publish_job(ch: &Channel, topology: &Topology, job: &Job, attempt: u32) -> Result<(), QueueError> {
    let body = serde_json::to_vec(job).expect("jobs serialise");
    publish(ch, "", &topology.jobs, &body, &job.id, job_headers(attempt)).await
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn a_reprocessing_job_is_no_intake_job_to_an_older_worker() {
        let job = ReprocessJob { kind: REPROCESS_KIND.into(), id: DocumentId::of(b"x"), run: "r1".into(), ocr: false, submitted_by: "t".into() };
        let bytes = serde_json::to_vec(&job).unwrap();
        // An older worker parses every message as an intake job: this one it refuses.
        assert!(serde_json::from_slice::<Job>(&bytes).is_err());
        assert!(matches!(parse_message(&bytes), Ok(Message::Reprocess(r)) if r == job));
        let unknown = br#"{"kind": "purge", "id": "x"}"#;
        assert!(parse_message(unknown).unwrap_err().contains("unknown job kind"));
        assert!(parse_message(b"not json").unwrap_err().contains("malformed"));
    }
}
