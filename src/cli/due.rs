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
    /// The daily digest as an e-mail (RFC 5322) for a mail connector to send: what falls due,
    /// what is overdue, today's resubmissions; to this address (standard output, or --out).
    #[arg(long, value_name = "ADDRESS", conflicts_with = "announce")]
    pub digest: Option<String>,
    /// Where the digest is written (default: standard output).
    #[arg(long, requires = "digest")]
    pub out: Option<std::path::PathBuf>,
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
    if let Some(to) = &args.digest {
        return digest(config, &*catalog, days, today, to, args.out.as_deref());
    }
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
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let _ = signal_hook_flag(sig, stop.clone());
    }
    match announce_rounds(config, catalog, forever, interval, &stop) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// Rounds of announcing `document.due`: one, or one every `interval` seconds until `stop`.
/// `mailroom due --announce` and `mailroom serve` (`[due] announce_every_min`) run it.
pub(super) fn announce_rounds(config: &Config, catalog: &dyn crate::catalog::Catalog, forever: bool, interval: u64, stop: &std::sync::atomic::AtomicBool) -> Result<(), String> {
    let who = actor("due");
    let records = config.recorder(&who).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let topology = crate::queue::Topology::new(&config.broker);
    let link = rt.block_on(async {
        let conn = crate::queue::connect(&config.broker, &who).await?;
        let ch = crate::queue::confirm_channel(&conn).await?;
        topology.declare(&ch).await?;
        Ok::<_, crate::queue::QueueError>((conn, ch))
    });
    let (conn, ch) = link.map_err(|e| format!("{e}: document.due events need the broker"))?;
    loop {
        let today = chrono::Utc::now().date_naive();
        let mut publish = |e: &crate::catalog::Entry| -> Result<(), String> {
            let body = serde_json::to_vec(&crate::due::event(e, today)).expect("serialises");
            rt.block_on(crate::queue::publish(&ch, &topology.events, "document.due", &body, &e.id, Default::default())).map_err(|e| e.to_string())
        };
        match crate::due::announce(&records, catalog, &config.due, today, &mut publish) {
            Ok(a) if forever => tracing::info!(published = a.published, before = a.before, "due: document.due events"),
            Ok(a) => eprintln!("due: {} document.due event(s) published, {} announced before", a.published, a.before),
            Err(e) if forever => tracing::warn!(error = %e, "due: the round failed; trying again next round"),
            Err(e) => return Err(e.to_string()),
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
    Ok(())
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

/// The daily digest: a plain-text e-mail with what falls due, what is overdue and today's
/// resubmissions, for a mail connector (an MTA's pickup folder, `sendmail -t`) to send.
fn digest(config: &Config, catalog: &dyn crate::catalog::Catalog, days: u32, today: chrono::NaiveDate, to: &str, out: Option<&std::path::Path>) -> ExitCode {
    if to.contains(['\r', '\n']) || !to.contains('@') {
        return fail(format!("{to:?} is not an e-mail address"));
    }
    let due = match crate::due::list(catalog, days, today, None) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let resubmissions = match crate::resubmit::due(catalog, today, None) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let _ = config;
    let overdue: Vec<&crate::catalog::Entry> = due.iter().filter(|e| e.due_date.as_deref().is_some_and(|d| d < today.format("%Y-%m-%d").to_string().as_str())).collect();
    let line = |e: &crate::catalog::Entry| {
        format!(
            "  {}  {:<28} {:<18} {:>12} {}  ({})\r\n",
            e.due_date.as_deref().unwrap_or(""),
            e.seller_name.as_deref().unwrap_or(&e.source_name).chars().take(28).collect::<String>(),
            e.invoice_number.as_deref().unwrap_or("-"),
            e.gross_total.as_deref().unwrap_or("-"),
            e.currency.as_deref().unwrap_or(""),
            e.id.get(..12).unwrap_or(&e.id)
        )
    };
    let mut body = format!("Fristen und Wiedervorlagen, {}\r\n\r\nÜberfällig ({}):\r\n", today.format("%d.%m.%Y"), overdue.len());
    overdue.iter().for_each(|e| body.push_str(&line(e)));
    body.push_str(&format!("\r\nFällig in den nächsten {days} Tagen ({}):\r\n", due.len() - overdue.len()));
    due.iter().filter(|e| !overdue.iter().any(|o| o.id == e.id)).for_each(|e| body.push_str(&line(e)));
    body.push_str(&format!("\r\nWiedervorlagen bis heute ({}):\r\n", resubmissions.len()));
    for r in &resubmissions {
        body.push_str(&format!("  {}  {}  {}  ({} #{})\r\n", r.on.format("%d.%m.%Y"), r.to.as_deref().unwrap_or("alle"), r.note, r.document.get(..12).unwrap_or(&r.document), r.n));
    }
    let subject = format!("mailroom: {} überfällig, {} fällig, {} Wiedervorlage(n)", overdue.len(), due.len() - overdue.len(), resubmissions.len());
    // RFC 2047 for the subject's umlauts; the body is 8bit UTF-8.
    let encoded = format!("=?UTF-8?B?{}?=", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, subject.as_bytes()));
    let message = format!(
        "From: mailroom <mailroom@localhost>\r\nTo: {to}\r\nSubject: {encoded}\r\nDate: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}",
        chrono::Utc::now().to_rfc2822()
    );
    let written = match out {
        Some(p) => std::fs::write(p, message.as_bytes()).map_err(|e| format!("cannot write {}: {e}", p.display())),
        None => {
            print!("{message}");
            Ok(())
        }
    };
    match written {
        Ok(()) => {
            eprintln!("digest for {to}: {subject}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
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
