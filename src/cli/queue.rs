//! `mailroom queue migrate`: the job queue brought to what this mailroom declares (a quorum
//! queue with a delivery limit), its waiting jobs kept. See `queue::migrate`.

use std::process::ExitCode;

use clap::Subcommand;

use super::fail;
use crate::config::Config;
use crate::queue::{self, migrate, Topology};

#[derive(Subcommand, Debug)]
pub enum QueueCommand {
    /// Replace a classic job queue left by an older mailroom with the quorum queue (stop the workers first).
    Migrate,
}

pub fn queue(config: &Config, cmd: QueueCommand) -> ExitCode {
    let QueueCommand::Migrate = cmd;
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let topology = Topology::new(&config.broker);
    let result = rt.block_on(async {
        let conn = queue::connect(&config.broker, "mailroom queue migrate").await.map_err(migrate::MigrateError::from)?;
        let report = migrate::migrate(&conn, &topology).await;
        let _ = conn.close(200, "done".into()).await;
        report
    });
    match result {
        Ok(m) if m.migrated => {
            eprintln!("{}: now a quorum queue with a delivery limit of {}; {} waiting job(s) moved over", topology.jobs, topology.delivery_limit, m.jobs_moved);
            ExitCode::SUCCESS
        }
        Ok(m) => {
            eprintln!(
                "{}: already a quorum queue with a delivery limit; nothing to migrate{}",
                topology.jobs,
                if m.jobs_moved > 0 { " (jobs parked by an interrupted run were put back)" } else { "" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
