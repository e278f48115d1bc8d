//! Helpers shared by the integration tests: run the real `mailroom` binary on fixtures.
#![allow(dead_code)]

pub mod http;
pub mod mail;
pub mod servers;
pub mod stack;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

pub struct Run {
    pub output: Output,
    pub indexes: Vec<Value>,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn by_name(&self, name: &str) -> &Value {
        self.indexes.iter().find(|i| i["source"]["name"] == name).unwrap_or_else(|| panic!("no index for {name}; stderr:\n{}", self.stderr()))
    }
}

/// `mailroom process --json --archive <archive> <paths…>`
pub fn process(archive: &Path, paths: &[PathBuf]) -> Run {
    let output = Command::cargo_bin("mailroom").unwrap().arg("process").arg("--json").arg("--archive").arg(archive).args(paths).output().unwrap();
    let stdout = String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8");
    let indexes = stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}"))).collect();
    Run { output, indexes }
}

pub fn field<'a>(index: &'a Value, name: &str) -> Option<&'a str> {
    index["fields"][name]["value"].as_str()
}

/// Every file under `dir` with its size and modification time — except the SQL catalog, a
/// database beside the archive that mirrors it (not an archive object).
/// A one-page PDF of `width` × `height` points with `lines` in one of the standard fonts
/// (`Courier`, `Helvetica`) at `size` points, the first baseline `top` points under the top
/// edge at `left`, each next line `lead` points lower.
pub fn text_pdf(width: f32, height: f32, font_name: &str, size: f32, (left, top, lead): (f32, f32, f32), lines: &[&str]) -> Vec<u8> {
    use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};
    let mut pdf = Pdf::new();
    let (catalog, tree, page, content, font) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    pdf.type1_font(font).base_font(Name(font_name.as_bytes())).encoding_predefined(Name(b"WinAnsiEncoding"));
    let mut c = Content::new();
    for (k, line) in lines.iter().enumerate() {
        c.begin_text();
        c.set_font(Name(b"F1"), size);
        c.next_line(left, height - top - lead * k as f32);
        c.show(Str(line.as_bytes()));
        c.end_text();
    }
    let stream = c.finish();
    {
        let mut p = pdf.page(page);
        p.parent(tree).media_box(Rect::new(0.0, 0.0, width, height)).contents(content);
        p.resources().fonts().pair(Name(b"F1"), font);
    }
    pdf.stream(content, &stream);
    pdf.finish()
}

/// What the ERP outbox of the archive at `archive` holds for document `id` (its hex id or a
/// prefix of it), sorted by file name: nothing until the document may go to the ERP.
pub fn outbox(archive: &Path, id: &str) -> Vec<PathBuf> {
    let dir = archive.join("handoff");
    if !dir.exists() {
        return Vec::new();
    }
    let mut v: Vec<PathBuf> = listing(&dir).into_iter().map(|(p, _, _)| p).filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(id))).collect();
    v.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    v
}

/// A path's file name, for assertions.
pub fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

pub fn listing(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            // The catalog, and a write cut short by a kill: neither is an archived object.
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".mailroom-catalog") || name.starts_with(".mailroom-tmp-") {
                continue;
            }
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), m.len(), m.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Sends SIGTERM to `child` and waits for it to exit, at most `timeout` ("`what` did not stop
/// after SIGTERM" otherwise); returns its exit status.
pub fn terminate(child: &mut std::process::Child, what: &str, timeout: std::time::Duration) -> std::process::ExitStatus {
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let t = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(t.elapsed() < timeout, "{what} did not stop after SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// `mailroom <base…> user add NAME --role ROLE [--types T]`, the password on standard input
/// (`base`: `--archive DIR` and/or `--config FILE`).
pub fn add_user(base: &[&std::ffi::OsStr], name: &str, role: &str, types: Option<&str>, password: &str) {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    c.args(base).args(["user", "add", name, "--role", role]).env("MAILROOM_LOG", "warn");
    if let Some(t) = types {
        c.args(["--types", t]);
    }
    let mut child = c.stdin(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "user add {name}: {}", String::from_utf8_lossy(&o.stderr));
}
