//! `mailroom dead-letters list|retry`: jobs that failed for good, with the reason each one
//! carries, and sending them back to the job queue once the cause is fixed.
//!
//! Listing browses the dead-letter queue without taking anything off it (messages are read
//! unacknowledged and returned when the channel closes).

use std::process::ExitCode;

use clap::Subcommand;
use lapin::options::{BasicAckOptions, BasicGetOptions};
use serde_json::json;

use super::fail;
use crate::audit::{Event, EventKind};
use crate::config::{actor, Config};
use crate::queue::{self, header_str, header_u32, Job, Topology, ATTEMPT_HEADER, FAILED_AT_HEADER, REASON_HEADER};

#[derive(Subcommand, Debug)]
pub enum DeadLetterCommand {
    /// Dead-lettered jobs with their reasons.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Put dead-lettered jobs back on the job queue (by document id prefix, or all).
    Retry {
        ids: Vec<String>,
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
}

struct Letter {
    job: Option<Job>,
    reason: String,
    attempts: u32,
    failed_at: String,
}

pub fn dead_letters(config: &Config, cmd: DeadLetterCommand) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let topology = Topology::new(&config.broker);
    let result = rt.block_on(async {
        let conn = queue::connect(&config.broker, "mailroom dead-letters").await?;
        let ch = conn.create_channel().await?;
        topology.declare(&ch).await?;
        let publisher = queue::confirm_channel(&conn).await?;
        let mut letters = Vec::new();
        let mut moved = Vec::new();
        while let Some(msg) = ch.basic_get(topology.dead.as_str().into(), BasicGetOptions { no_ack: false }).await? {
            let d = msg.delivery;
            let letter = Letter {
                job: serde_json::from_slice(&d.data).ok(),
                reason: header_str(&d.properties, REASON_HEADER).or_else(|| queue::broker_reason(&d.properties, topology.delivery_limit)).unwrap_or_else(|| "no reason recorded".into()),
                attempts: header_u32(&d.properties, ATTEMPT_HEADER).unwrap_or(0) + 1,
                failed_at: header_str(&d.properties, FAILED_AT_HEADER).unwrap_or_default(),
            };
            if let DeadLetterCommand::Retry { ids, all } = &cmd {
                if let Some(job) = &letter.job {
                    if *all || ids.iter().any(|i| job.id.starts_with(i.as_str())) {
                        queue::publish_job(&publisher, &topology, job, 0).await?;
                        d.ack(BasicAckOptions::default()).await?;
                        moved.push(job.id.clone());
                    }
                }
            }
            letters.push(letter);
        }
        // Closing returns every message we read but did not take back to the queue.
        conn.close(200, "done".into()).await?;
        Ok::<_, queue::QueueError>((letters, moved))
    });
    let (letters, moved) = match result {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    match cmd {
        DeadLetterCommand::List { json } => {
            if json {
                let list: Vec<_> = letters.iter().map(|l| json!({"job": l.job, "reason": l.reason, "attempts": l.attempts, "failed_at": l.failed_at})).collect();
                println!("{}", serde_json::to_string_pretty(&list).expect("letters serialise"));
            } else {
                for l in &letters {
                    let (id, name) = l.job.as_ref().map(|j| (j.id.short(16), j.source.name.as_str())).unwrap_or(("(unreadable job)", ""));
                    println!("{id}  {}  attempts: {}  {name}  {}", l.failed_at, l.attempts, l.reason);
                }
                eprintln!("{} dead-lettered job(s) in {}", letters.len(), topology.dead);
            }
            ExitCode::SUCCESS
        }
        DeadLetterCommand::Retry { .. } => {
            if !moved.is_empty() {
                let archive = match config.open_archive() {
                    Ok(a) => a,
                    Err(e) => return fail(e),
                };
                for id in &moved {
                    if let Err(e) = archive.audit().append(&actor("cli"), Event::new(EventKind::Retried, Some(id)).details(json!({"from": "dead_letter_queue"}))) {
                        eprintln!("mailroom: {id}: requeued, but the audit trail could not record it: {e}");
                    }
                }
            }
            eprintln!("{} job(s) put back on {}; {} left in {}", moved.len(), topology.jobs, letters.len() - moved.len(), topology.dead);
            ExitCode::SUCCESS
        }
    }
}
