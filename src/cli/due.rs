//! `mailroom due` and `mailroom settle`: what falls due (or is overdue) and is not settled yet;
//! `--announce` publishes `document.due` once per document on the events exchange (for cron,
//! or `--loop` as a service); `settle` marks a document paid.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::{fail, resolve_id};
use crate::config::{actor, Config};

#[derive(Args, Debug)]
pub struct DueArgs {
    /// Days ahead (default: due.lead_days, 30); overdue documents are always listed.
    #[arg(long)]
    pub within: Option<u32>,
    /// One JSON object per document.
    #[arg(long)]
    pub json: bool,
    /// Publish `document.due` on the events exchange for each document that entered its
    /// window since the last round (once per document, recorded in the archive).
    #[arg(long)]
    pub announce: bool,
    /// With --announce: go on, a round every --interval seconds, until SIGTERM.
    #[arg(long, requires = "announce")]
    pub r#loop: bool,
    #[arg(long, default_value_t = 3600)]
    pub interval: u64,
}

#[derive(Args, Debug)]
pub struct SettleArgs {
    pub id: String,
    /// The payment's or booking's reference.
    #[arg(long)]
    pub reference: Option<String>,
}

pub fn due(config: &Config, args: DueArgs) -> ExitCode {
    let catalog = match config.open_catalog() {
        Ok(Some(c)) => c,
        Ok(None) => return fail("no catalog is configured: the due list needs it"),
        Err(e) => return fail(e),
    };
    let today = chrono::Utc::now().date_naive();
    if args.announce {
        return announce(config, &*catalog, args.r#loop, args.interval);
    }
    let days = args.within.unwrap_or(config.due.lead_days);
    let list = match crate::due::list(&*catalog, days, today, None) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    for e in &list {
        if args.json {
            println!("{}", crate::due::event(e, today));
        } else {
            let due = e.due_date.as_deref().unwrap_or("");
            let overdue = chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").is_ok_and(|d| d < today);
            println!(
                "{}  {due}{}  {:<12} {:<20} {:>12} {}  {}",
                e.id.get(..16).unwrap_or(&e.id),
                if overdue { " OVERDUE" } else { "" },
                e.doc_type.as_deref().unwrap_or("-"),
                e.invoice_number.as_deref().unwrap_or("-"),
                e.gross_total.as_deref().unwrap_or("-"),
                e.currency.as_deref().unwrap_or(""),
                e.seller_name.as_deref().unwrap_or("-")
            );
        }
    }
    eprintln!("{} document(s) due within {days} days or overdue, not settled", list.len());
    ExitCode::SUCCESS
}

fn announce(config: &Config, catalog: &dyn crate::catalog::Catalog, forever: bool, interval: u64) -> ExitCode {
    let who = actor("due");
    let records = match config.recorder(&who) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let topology = crate::queue::Topology::new(&config.broker);
    let link = rt.block_on(async {
        let conn = crate::queue::connect(&config.broker, &who).await?;
        let ch = crate::queue::confirm_channel(&conn).await?;
        topology.declare(&ch).await?;
        Ok::<_, crate::queue::QueueError>((conn, ch))
    });
    let (conn, ch) = match link {
        Ok(l) => l,
        Err(e) => return fail(format!("{e}: document.due events need the broker")),
    };
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let _ = signal_hook_flag(sig, stop.clone());
    }
    loop {
        let today = chrono::Utc::now().date_naive();
        let mut publish = |e: &crate::catalog::Entry| -> Result<(), String> {
            let body = serde_json::to_vec(&crate::due::event(e, today)).expect("serialises");
            rt.block_on(crate::queue::publish(&ch, &topology.events, "document.due", &body, &e.id, Default::default())).map_err(|e| e.to_string())
        };
        match crate::due::announce(&records, catalog, &config.due, today, &mut publish) {
            Ok(a) => eprintln!("due: {} document.due event(s) published, {} announced before", a.published, a.before),
            Err(e) if forever => tracing::warn!(error = %e, "due: the round failed; trying again next round"),
            Err(e) => return fail(e),
        }
        if !forever {
            break;
        }
        for _ in 0..interval {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
    }
    let _ = rt.block_on(conn.close(200, "done".into()));
    ExitCode::SUCCESS
}

/// Sets `flag` when `sig` arrives (a plain flag: the round in hand finishes).
fn signal_hook_flag(sig: i32, flag: std::sync::Arc<std::sync::atomic::AtomicBool>) -> std::io::Result<()> {
    static FLAG: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicBool>> = std::sync::OnceLock::new();
    let _ = FLAG.set(flag);
    extern "C" fn on_signal(_: i32) {
        if let Some(f) = FLAG.get() {
            f.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    let handler = on_signal as extern "C" fn(i32) as libc::sighandler_t;
    if unsafe { libc::signal(sig, handler) } == libc::SIG_ERR {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

pub fn settle(config: &Config, args: SettleArgs) -> ExitCode {
    let records = match config.recorder(&actor("cli")) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let id = match resolve_id(&records.archive, &args.id) {
        Ok(id) => id,
        Err(e) => return fail(e),
    };
    match crate::due::settle(&records, &id, args.reference.as_deref()) {
        Ok(r) => {
            eprintln!("settled {}: revision {}", id.short(12), r.index.key);
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
