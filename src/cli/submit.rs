//! `mailroom submit <FILE|DIR>…`: stores each document's original in the archive (durably,
//! logged as received) and then publishes a job for the workers, with publisher confirms.
//! A document already archived is not submitted again.

use std::process::ExitCode;

use clap::Args;

use super::fail;
use crate::config::{actor, ArchiveConfig, Config};
use crate::index::Channel;
use crate::intake::{files, Received};
use crate::queue::{self, Job, Topology};

#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// Files or folders (folders are walked recursively).
    #[arg(required = true)]
    pub paths: Vec<std::path::PathBuf>,
    /// The intake channel recorded for these documents.
    #[arg(long, default_value = "file", value_parser = ["file", "folder", "email", "http"])]
    pub channel: String,
    /// Each file is a batch scan of several letters, split by the worker: at `blank` sheets,
    /// `patch` sheets (QR code) and/or where the `first-page` detector sees a letter begin.
    #[arg(long, value_parser = crate::vocab::SplitPolicy::parse_list)]
    pub split: Option<crate::vocab::SplitPolicy>,
}

pub fn submit(config: &Config, args: SubmitArgs) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let channel = match args.channel.as_str() {
        "folder" => Channel::Folder,
        "email" => Channel::Email,
        "http" => Channel::Http,
        _ => Channel::File,
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let topology = Topology::new(&config.broker);
    let who = actor("cli");
    let setup = rt.block_on(async {
        let conn = queue::connect(&config.broker, &format!("mailroom submit {who}")).await?;
        let ch = queue::confirm_channel(&conn).await?;
        topology.declare(&ch).await?;
        Ok::<_, queue::QueueError>((conn, ch))
    });
    let (conn, ch) = match setup {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let skip = match &config.archive {
        ArchiveConfig::Local { path } => Some(path.clone()),
        ArchiveConfig::S3(_) => None,
    };
    let (mut submitted, mut already, mut failed) = (0usize, 0usize, 0usize);
    for path in files::collect(&args.paths, skip.as_deref()) {
        let doc = match files::read(&path, channel) {
            Received::Document(mut d) => {
                d.source.split = args.split.clone();
                d
            }
            Received::Unreadable { name, message } => {
                eprintln!("mailroom: {name}: {message}");
                failed += 1;
                continue;
            }
        };
        match archive.lookup(&doc.sha256) {
            Ok(Some(_)) => {
                already += 1;
                eprintln!("archived    {}  already in the archive as {}", doc.source.name, doc.sha256.short(12));
                continue;
            }
            Ok(None) => {}
            Err(e) => return fail(e),
        }
        // Stored first: the job only points at bytes that are already safe.
        let original = match archive.receive(&doc, &who) {
            Ok(o) => o,
            Err(e) => {
                failed += 1;
                eprintln!("mailroom: {}: NOT submitted, the original could not be stored: {e}", doc.source.name);
                continue;
            }
        };
        let job = Job { id: doc.sha256.clone(), key: original.key, source: doc.source.clone(), submitted_by: who.clone() };
        match rt.block_on(queue::publish_job(&ch, &topology, &job, 0)) {
            Ok(()) => {
                submitted += 1;
                eprintln!("submitted   {}  {}", doc.source.name, doc.sha256.short(12));
            }
            Err(e) => {
                failed += 1;
                eprintln!("mailroom: {}: stored but NOT queued ({e}); submit it again", doc.source.name);
            }
        }
    }
    let _ = rt.block_on(conn.close(200, "done".into()));
    eprintln!("summary: {submitted} submitted, {already} already archived, {failed} failed — queue {}", topology.jobs);
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
