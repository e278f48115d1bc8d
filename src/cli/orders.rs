//! `mailroom orders`: orders from the ERP — imported from its export (JSON or CSV), stored in
//! the archive, matched against the invoices that name them. See `orders`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::fail;
use crate::config::{actor, Config};
use crate::orders::{self, Imported};

#[derive(Subcommand, Debug)]
pub enum OrdersCommand {
    /// Import orders from ERP exports (JSON: a list of orders; CSV: one row per order line).
    Import { files: Vec<PathBuf> },
    /// An imported order, as the catalog holds it for matching.
    Show {
        number: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn orders(config: &Config, cmd: OrdersCommand) -> ExitCode {
    let (archive, catalog) = match (config.open_archive(), config.open_catalog()) {
        (Ok(a), Ok(c)) => (a, c),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let Some(catalog) = catalog else { return fail("orders are matched through the catalog, and none is configured ([catalog])") };
    match cmd {
        OrdersCommand::Import { files } => {
            if files.is_empty() {
                return fail("name at least one export file (JSON or CSV)");
            }
            let who = actor("cli");
            let (mut new, mut changed, mut same) = (0usize, 0usize, 0usize);
            for file in &files {
                let bytes = match std::fs::read(file) {
                    Ok(b) => b,
                    Err(e) => return fail(format!("{}: {e}", file.display())),
                };
                // The whole file is checked before anything of it is stored.
                let parsed = match orders::parse(file, &bytes) {
                    Ok(o) => o,
                    Err(e) => return fail(e),
                };
                let from = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                for order in parsed {
                    let number = order.number.clone();
                    match orders::import(&archive, Some(catalog.as_ref()), order, &from, &who) {
                        Ok(Imported::New) => {
                            new += 1;
                            eprintln!("new        {number}");
                        }
                        Ok(Imported::Changed(r)) => {
                            changed += 1;
                            eprintln!("changed    {number} (revision {r})");
                        }
                        Ok(Imported::Unchanged) => same += 1,
                        Err(e) => return fail(format!("order {number}: {e}")),
                    }
                }
            }
            eprintln!("orders: {new} new, {changed} changed, {same} unchanged");
            ExitCode::SUCCESS
        }
        OrdersCommand::Show { number, json } => match catalog.order_get(&orders::number_key(&number)) {
            Ok(Some(r)) if json => {
                println!("{}", serde_json::to_string_pretty(&r).expect("serialises"));
                ExitCode::SUCCESS
            }
            Ok(Some(r)) => {
                let o = &r.order;
                println!("order {} (revision {}, imported {} by {} from {})", o.number, r.revision, r.imported_at, r.imported_by, r.from);
                println!("supplier: {} {}", o.supplier_name.as_deref().unwrap_or("-"), o.supplier_vat_id.as_deref().unwrap_or(""));
                println!(
                    "net {}  gross {}  {}",
                    o.net_total.map(|d| d.to_string()).unwrap_or("-".into()),
                    o.gross_total.map(|d| d.to_string()).unwrap_or("-".into()),
                    o.currency.as_deref().unwrap_or("")
                );
                for l in &o.lines {
                    println!("  {:>8} {:<4} {:<12} {}", l.quantity, l.unit.as_deref().unwrap_or(""), l.item.as_deref().unwrap_or(""), l.description.as_deref().unwrap_or(""));
                }
                ExitCode::SUCCESS
            }
            Ok(None) => fail(format!("no order {number} was imported (mailroom orders import)")),
            Err(e) => fail(e),
        },
    }
}
