//! `mailroom verify`: the audit chain and every object's hash, checked; exit code 2 when
//! anything is wrong.

use std::process::ExitCode;

use clap::Args;

use super::fail;
use crate::audit::verify::{verify as run_verify, Finding};
use crate::config::Config;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

fn describe(f: &Finding) -> String {
    match f {
        Finding::TamperedEntry { entry } => format!("{entry}: its content does not match its hash or its place (changed after it was written)"),
        Finding::BrokenLink { entry } => format!("{entry}: does not carry the hash of the entry before it (an entry was replaced or removed)"),
        Finding::Gap { entry } => format!("{entry} is missing while later entries exist (removed)"),
        Finding::UnreadableEntry { entry, message } => format!("{entry} cannot be read: {message}"),
        Finding::AnchorMismatch { anchor, entry } => format!("{anchor} anchors {entry}, which is not there as anchored (a lane was cut back or changed)"),
        Finding::UnanchoredLane { lane } => format!("audit lane {lane}: no anchor opened it (put there from outside mailroom)"),
        Finding::TimeWentBack { entry } => format!("{entry}: dated before the entry before it in its lane (changed)"),
        Finding::Unorderable { entry } => format!("{entry}: no order of the trail can hold it (its lane begins after an anchor that names its own later entries: changed)"),
        Finding::OutOfOrder { document, entry } => format!("{entry}: announces a revision of {document} after a later one (clocks far apart, or entries changed)"),
        Finding::TamperedObject { key, .. } => format!("{key}: its content differs from what the audit trail recorded (tampered)"),
        Finding::WrongOriginal { key, .. } => format!("{key}: the original does not hash to its document id (tampered)"),
        Finding::MissingObject { key, entry } => format!("{key}: missing (recorded by {entry}, never purged)"),
        Finding::UnloggedObject { key } => format!("{key}: no audit entry records it (put there from outside mailroom)"),
        Finding::UnreadableObject { key, message } => format!("{key}: cannot be read: {message}"),
    }
}

pub fn verify(config: &Config, args: VerifyArgs) -> ExitCode {
    let store = match config.open_store() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let report = match run_verify(&*store) {
        Ok(r) => r,
        Err(e) => return fail(format!("verification could not finish: {e}")),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("reports serialise"));
    } else {
        for f in &report.findings {
            println!("✗ {}", describe(f));
        }
        println!(
            "{}: {} audit entries in {} lanes and the anchor chain, {} objects checked, {} purged objects accounted for, {} problem(s) — {}",
            if report.is_clean() { "OK" } else { "TAMPERING OR DAMAGE FOUND" },
            report.entries,
            report.lanes,
            report.objects,
            report.purged,
            report.findings.len(),
            store.describe()
        );
    }
    if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
