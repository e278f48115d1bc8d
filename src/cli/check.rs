//! `mailroom check`: is this installation ready? Checks the configuration, the OCR languages,
//! libpdfium, the archive (and its Object Lock), the catalog and — in production — the broker,
//! and says what to fix. For admins after an install or an upgrade, and for container probes.

use std::process::ExitCode;

use crate::config::{ArchiveConfig, Config};
use crate::redact::redact_url;

fn report(ok: bool, what: &str, detail: String) -> bool {
    println!("{} {what}: {detail}", if ok { "ok  " } else { "FAIL" });
    ok
}

pub fn check(config: &Config, production: bool) -> ExitCode {
    let mut all = true;
    let pipeline = config.pipeline();
    all &= match crate::ocr::check_languages(&pipeline.ocr) {
        Ok(()) if pipeline.ocr.reread_languages.is_empty() => report(true, "Tesseract", format!("languages {} load", pipeline.ocr.languages)),
        Ok(()) => report(true, "Tesseract", format!("languages {} load; pages in {} are read again with their own model", pipeline.ocr.languages, pipeline.ocr.reread_languages.join(", "))),
        Err(e) => report(false, "Tesseract", e.to_string()),
    };
    all &= match &pipeline.ocr.receipts {
        crate::ocr::ReceiptEngine::PpOcr(files) => match crate::ocr::ppocr::check(files, &pipeline.ocr.word_lists) {
            Ok(()) => report(true, "PP-OCR", format!("receipts are read with the PP-OCR models in {} under ONNX Runtime ({})", files.models.display(), files.library.display())),
            Err(e) => report(false, "PP-OCR", format!("{e}; receipts would be read with Tesseract instead (or set [ocr] receipts = \"tesseract\")")),
        },
        crate::ocr::ReceiptEngine::Tesseract => report(true, "PP-OCR", "not used: receipts are read with Tesseract ([ocr] receipts = \"tesseract\")".into()),
    };
    all &= match crate::pages::pdf::pdfium() {
        Ok(_) => report(true, "pdfium", "libpdfium loads".into()),
        Err(e) => report(false, "pdfium", e.message.clone()),
    };
    let store = config.open_store();
    all &= match &store {
        Ok(s) => match s.list("documents/", None, 1) {
            Ok(_) => report(true, "archive", format!("{} is reachable", s.describe())),
            Err(e) => report(false, "archive", format!("{}: {e}", s.describe())),
        },
        Err(e) => report(false, "archive", e.to_string()),
    };
    if let (ArchiveConfig::S3(s3), Ok(_)) = (&config.archive, &store) {
        all &= report(s3.object_lock, "object lock", if s3.object_lock { "COMPLIANCE retention on every object".into() } else { "OFF: this archive is not revision-safe".into() });
    }
    all &= match config.open_catalog() {
        Ok(Some(c)) => match c.find(&crate::catalog::Query { limit: Some(1), ..Default::default() }) {
            Ok(_) => report(true, "catalog", c.describe()),
            Err(e) => report(false, "catalog", format!("{}: {e}", c.describe())),
        },
        Ok(None) => report(true, "catalog", "none configured".into()),
        Err(e) => report(false, "catalog", e.to_string()),
    };
    if production || config.is_production() {
        let url = config.broker.url();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let connected = rt.block_on(async {
            let conn = crate::queue::connect(&config.broker, "mailroom check").await?;
            let _ = conn.close(200, "check".into()).await;
            Ok::<_, crate::queue::QueueError>(())
        });
        all &= match connected {
            Ok(()) => report(true, "broker", format!("{} is reachable", redact_url(&url))),
            Err(e) => report(false, "broker", e.to_string()),
        };
    }
    if all {
        println!("ready");
        ExitCode::SUCCESS
    } else {
        println!("not ready: fix the FAIL lines above");
        ExitCode::from(1)
    }
}
