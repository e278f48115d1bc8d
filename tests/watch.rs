//! The scanner hot folder, `mailroom watch`: a file is taken only once it has stopped changing,
//! and moved away (or deleted) only after its document is stored; a file whose storage fails
//! stays where it is. Run with the real binary on real folders.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn mailroom() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("mailroom"))
}

/// `mailroom watch DIR --once` against a local archive.
fn watch_once(archive: &Path, dir: &Path, extra: &[&str]) -> Output {
    mailroom().arg("--archive").arg(archive).arg("watch").arg(dir).args(["--once", "--settle", "0.3"]).args(extra).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Names of the entries directly in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).map(|rd| rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    v.sort();
    v
}

/// Every first index revision in the archive.
fn indexes(archive: &Path) -> Vec<Value> {
    listing(archive).into_iter().filter(|(p, _, _)| p.to_string_lossy().ends_with("/index/0001.json")).map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn finished_files_are_stored_then_moved_and_temporary_files_are_left_alone() {
    let archive = tempfile::tempdir().unwrap();
    let hot = tempfile::tempdir().unwrap();
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    let eml = mail::reminder();
    put(hot.path(), "scan-0001.pdf", &pdf);
    put(hot.path(), "erinnerung.eml", &eml);
    // What a scanner or an office suite leaves while it is still at work, and a subfolder.
    for temp in [".~lock.brief.odt#", "scan-0002.pdf.part", "upload.tmp", "~$brief.docx"] {
        put(hot.path(), temp, b"%PDF-1.7 half written");
    }
    std::fs::create_dir(hot.path().join("sub")).unwrap();
    put(&hot.path().join("sub"), "other.pdf", &pdf);

    let out = watch_once(archive.path(), hot.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 file(s) taken: 2 processed"), "{}", stderr(&out));
    // Moved, keeping their names and bytes; everything else untouched.
    assert_eq!(names(hot.path()), [".mailroom-done", ".~lock.brief.odt#", "scan-0002.pdf.part", "sub", "upload.tmp", "~$brief.docx"]);
    let done = hot.path().join(".mailroom-done");
    assert_eq!(names(&done), ["erinnerung.eml", "scan-0001.pdf"]);
    assert_eq!(std::fs::read(done.join("scan-0001.pdf")).unwrap(), pdf);
    assert_eq!(std::fs::read(done.join("erinnerung.eml")).unwrap(), eml);
    assert_eq!(names(&hot.path().join("sub")), ["other.pdf"], "subfolders are not watched");

    let idx = indexes(archive.path());
    assert_eq!(idx.len(), 2);
    for i in &idx {
        assert_eq!(i["source"]["channel"], "folder");
    }
    let reminder = idx.iter().find(|i| i["source"]["name"] == "erinnerung.eml").unwrap();
    assert_eq!(reminder["doc_type"]["label"], "reminder");

    // The same scan dropped again: found in the archive, nothing archived twice, moved
    // beside the first one under a free name.
    put(hot.path(), "scan-0001.pdf", &pdf);
    let again = watch_once(archive.path(), hot.path(), &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stderr(&again).contains("1 already archived"), "{}", stderr(&again));
    assert_eq!(names(&done), ["erinnerung.eml", "scan-0001-1.pdf", "scan-0001.pdf"]);
    assert_eq!(indexes(archive.path()).len(), 2);
}

#[test]
fn a_file_whose_storage_fails_stays_in_place_until_storage_works() {
    let archive = tempfile::tempdir().unwrap();
    let hot = tempfile::tempdir().unwrap();
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    put(hot.path(), "scan.pdf", &pdf);
    // A file where the archive's documents folder belongs: every document write fails (this
    // also holds for root, whom a read-only folder would not stop).
    std::fs::write(archive.path().join("documents"), b"in the way").unwrap();

    let out = watch_once(archive.path(), hot.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "a storage failure exits 1: {}", stderr(&out));
    assert!(stderr(&out).contains("NOT stored"), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 failed and left in place"), "{}", stderr(&out));
    assert_eq!(std::fs::read(hot.path().join("scan.pdf")).unwrap(), pdf, "the file stays, untouched");
    assert!(names(&hot.path().join(".mailroom-done")).is_empty(), "nothing was moved");

    std::fs::remove_file(archive.path().join("documents")).unwrap();
    let out = watch_once(archive.path(), hot.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!hot.path().join("scan.pdf").exists());
    assert_eq!(names(&hot.path().join(".mailroom-done")), ["scan.pdf"]);
    assert_eq!(indexes(archive.path()).len(), 1);
}

#[test]
fn delete_and_done_folders_act_only_after_storage() {
    let archive = tempfile::tempdir().unwrap();
    let hot = tempfile::tempdir().unwrap();
    let xml = std::fs::read(fixture("documents/xrechnung-cii.xml")).unwrap();
    put(hot.path(), "xrechnung.xml", &xml);
    let out = watch_once(archive.path(), hot.path(), &["--delete"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(names(hot.path()).is_empty(), "deleted, and no done folder made: {:?}", names(hot.path()));
    assert_eq!(indexes(archive.path())[0]["id"], mailroom::document::sha256_hex(&xml));

    // A quarantined file is stored too (original and reason), so it is moved as well.
    let done = tempfile::tempdir().unwrap();
    put(hot.path(), "kaputt.pdf", &std::fs::read(fixture("bad/truncated.pdf")).unwrap());
    let out = watch_once(archive.path(), hot.path(), &["--done", done.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "quarantine exits 2: {}", stderr(&out));
    assert_eq!(names(done.path()), ["kaputt.pdf"]);
    let record = listing(&archive.path().join("quarantine")).into_iter().next().expect("a quarantine record");
    let record: Value = serde_json::from_slice(&std::fs::read(record.0).unwrap()).unwrap();
    assert_eq!(record["source"]["channel"], "folder");
    assert_eq!(record["error"]["kind"], "corrupt");
}

#[test]
fn a_file_still_being_written_is_not_taken() {
    let archive = tempfile::tempdir().unwrap();
    let hot = tempfile::tempdir().unwrap();
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    let path = hot.path().join("langsam.pdf");
    // A slow scanner: a chunk every 100 ms for about six seconds.
    let writer = {
        let (path, pdf) = (path.clone(), pdf.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::File::create(&path).unwrap();
            for chunk in pdf.chunks(pdf.len().div_ceil(60)) {
                f.write_all(chunk).unwrap();
                f.flush().unwrap();
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let out = mailroom().arg("--archive").arg(archive.path()).arg("watch").arg(hot.path()).args(["--once", "--settle", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("0 file(s) taken") && stderr(&out).contains("1 still being written"), "{}", stderr(&out));
    assert!(path.exists(), "left where it is");
    assert!(indexes(archive.path()).is_empty(), "nothing half-written was archived");
    writer.join().unwrap();

    let out = watch_once(archive.path(), hot.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let idx = indexes(archive.path());
    assert_eq!(idx.len(), 1);
    assert_eq!(idx[0]["id"], mailroom::document::sha256_hex(&pdf), "the complete file");
}

#[test]
fn sigterm_stops_the_watcher_cleanly() {
    let archive = tempfile::tempdir().unwrap();
    let hot = tempfile::tempdir().unwrap();
    let mut child =
        mailroom().arg("--archive").arg(archive.path()).arg("watch").arg(hot.path()).args(["--interval", "0.2", "--settle", "0.2"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    put(hot.path(), "spaet.xml", &std::fs::read(fixture("documents/xrechnung-cii.xml")).unwrap());
    let t = Instant::now();
    while !hot.path().join(".mailroom-done/spaet.xml").exists() {
        assert!(t.elapsed() < Duration::from_secs(60), "the running watcher did not take the file");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(indexes(archive.path()).len(), 1, "stored before it was moved");
    let status = terminate(&mut child, "the watcher", Duration::from_secs(30));
    assert!(status.success(), "SIGTERM must end the watcher cleanly: {status}");
}

/// The hot folder of a batch scanner (`[intake.folder] split` in the pipeline file): each
/// file is split into its letters, and moved once all of it is stored.
#[test]
fn a_batch_scanner_s_folder_splits_each_file() {
    use common::stack::*;
    let archive = tempfile::tempdir().unwrap();
    let hot = tempfile::tempdir().unwrap();
    let cfg = archive.path().join("pipeline.toml");
    std::fs::write(&cfg, "[intake.folder]\nsplit = \"blank\"\n").unwrap();
    put(hot.path(), "stapel.pdf", &stack_pdf(&[Sheet::Text(letter_page(2, 1, 1)), Sheet::Image(paper(5)), Sheet::Text(letter_page(3, 1, 1))]));
    let out = mailroom().arg("--archive").arg(archive.path()).arg("--config").arg(&cfg).arg("watch").arg(hot.path()).args(["--once", "--settle", "0.3"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let all = indexes(archive.path());
    let batch = all.iter().find(|i| i["status"] == "split").unwrap_or_else(|| panic!("not split: {}", stderr(&out)));
    assert_eq!(batch["source"]["channel"], "folder");
    assert_eq!(batch["batch"]["parts"].as_array().unwrap().len(), 2);
    assert_eq!(all.len(), 3);
    assert!(hot.path().join(".mailroom-done/stapel.pdf").exists() && !hot.path().join("stapel.pdf").exists(), "the stack was moved once stored");
    let bad = archive.path().join("bad.toml");
    std::fs::write(&bad, "[intake.folder]\nsplit = \"blanko\"\n").unwrap();
    let out = mailroom().arg("--archive").arg(archive.path()).arg("--config").arg(&bad).arg("watch").arg(hot.path()).arg("--once").output().unwrap();
    assert!(!out.status.success() && stderr(&out).contains("intake.folder.split"), "{}", stderr(&out));
}
