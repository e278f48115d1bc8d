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
        Finding::TamperedEntry { seq } => format!("audit entry {seq}: its content does not match its hash (changed after it was written)"),
        Finding::BrokenLink { seq } => format!("audit entry {seq}: does not carry the hash of entry {} (an entry was replaced or removed)", seq - 1),
        Finding::Gap { seq } => format!("audit entry {seq} is missing while later entries exist (removed)"),
        Finding::UnreadableEntry { seq, message } => format!("audit entry {seq} cannot be read: {message}"),
        Finding::TamperedObject { key, .. } => format!("{key}: its content differs from what the audit trail recorded (tampered)"),
        Finding::WrongOriginal { key, .. } => format!("{key}: the original does not hash to its document id (tampered)"),
        Finding::MissingObject { key, seq } => format!("{key}: missing (recorded by audit entry {seq}, never purged)"),
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
            "{}: {} audit entries, {} objects checked, {} purged objects accounted for, {} problem(s) — {}",
            if report.is_clean() { "OK" } else { "TAMPERING OR DAMAGE FOUND" },
            report.entries,
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
