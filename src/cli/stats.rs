//! `mailroom stats`: how much a person still has to do. The automation rate — the share of
//! processed documents released without a person changing anything — and, per field, how
//! often a reviewer changed what mailroom read: the figures that tell whether the models are
//! getting better (`mailroom train --corrections` learns from exactly those changes).

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::fail;
use crate::config::Config;
use crate::index::{Field, ReviewState};

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn stats(config: &Config, args: StatsArgs) -> ExitCode {
    let archive = match config.open_archive() {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let indexes = match archive.processed() {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    let mut states: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut processed, mut unchanged_release, mut reviewed) = (0usize, 0usize, 0usize);
    // Per field: (documents a person reviewed that have the field, of those changed by a person).
    let mut per_field: BTreeMap<Field, (usize, usize)> = BTreeMap::new();
    for index in indexes {
        let current = match index {
            Ok(i) => i,
            Err(e) => return fail(e),
        };
        let id = current.id.clone();
        processed += 1;
        let state = current.review.as_ref().map(|r| r.state);
        *states.entry(state.map(ReviewState::as_str).unwrap_or("before review")).or_default() += 1;
        let by_person: Vec<Field> = current.fields.iter().filter(|(_, v)| v.from_person()).map(|(f, _)| *f).collect();
        let released = current.released();
        if released && by_person.is_empty() {
            unchanged_release += 1;
        }
        if current.review.as_ref().is_some_and(|r| r.by.is_some()) || !by_person.is_empty() {
            reviewed += 1;
            // What mailroom first read, against what stands now.
            let first = match archive.revisions(&id).map(|r| r.into_iter().next()) {
                Ok(Some(key)) => match archive.read_index(&key) {
                    Ok(Some(i)) => i,
                    Ok(None) => continue,
                    Err(e) => return fail(e),
                },
                Ok(None) => continue,
                Err(e) => return fail(e),
            };
            for f in Field::ALL {
                let (read, now) = (first.field(f), current.field(f));
                if read.is_none() && now.is_none() {
                    continue;
                }
                let entry = per_field.entry(f).or_default();
                entry.0 += 1;
                if by_person.contains(&f) && read != now {
                    entry.1 += 1;
                }
            }
        }
    }
    let rate = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    if args.json {
        let fields: BTreeMap<String, serde_json::Value> = per_field.iter().map(|(f, (n, c))| (f.to_string(), json!({"reviewed": n, "changed": c, "rate": rate(*c, *n)}))).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"processed": processed, "released_unchanged": unchanged_release, "automation_rate": rate(unchanged_release, processed), "reviewed_by_a_person": reviewed, "review": states, "fields": fields})).expect("JSON values serialise")
        );
        return ExitCode::SUCCESS;
    }
    println!("processed documents        {processed}");
    println!("released without a change  {unchanged_release} ({:.1} %: the automation rate)", 100.0 * rate(unchanged_release, processed));
    println!("reviewed by a person       {reviewed}");
    for (state, n) in &states {
        println!("  {state:<24} {n}");
    }
    if !per_field.is_empty() {
        println!("\nfield                      reviewed  changed by a person");
        for (f, (n, c)) in &per_field {
            println!("{:<26} {n:>8}  {c:>6} ({:.1} %)", f.as_str(), 100.0 * rate(*c, *n));
        }
    }
    ExitCode::SUCCESS
}
