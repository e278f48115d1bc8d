//! Cross-checks mailroom's EN 16931 rules against the official Schematron (Saxon-HE) over every
//! corpus and test-suite XML (fail/ folders included), and validates mailroom's CII export with
//! the CII D16B XSD (xmllint) and the Schematron, then parses it back.
//!
//! Saxon runs twice in all (one JVM over a folder for CII, one for UBL; exports ride along with
//! the CII run). Skipped with a message when java/Saxon/xmllint are not installed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use mailroom::einvoice::{self, checks::RULES, Syntax};

const SAXON: &str = "/usr/share/java/Saxon-HE.jar";

/// `../shared/data` (or `$MAILROOM_SHARED_DATA`). Never skipped: a checkout without it fails
/// here and says what is missing, instead of passing without checking anything.
fn shared_data() -> PathBuf {
    if let Ok(p) = std::env::var("MAILROOM_SHARED_DATA") {
        return PathBuf::from(p);
    }
    let mut d = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let c = d.join("shared").join("data");
        if c.is_dir() {
            return c;
        }
        assert!(d.pop(), "shared/data (the public e-invoice corpus and the EN 16931 validation) is missing beside the checkout: set MAILROOM_SHARED_DATA or lay ../shared/data");
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut v: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    v.sort();
    for p in v {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().and_then(|e| e.to_str()) == Some("xml") {
            out.push(p);
        }
    }
}

fn tools_present() -> bool {
    Path::new(SAXON).exists() && Command::new("java").arg("-version").output().is_ok() && Command::new("xmllint").arg("--version").output().is_ok()
}

/// Runs the Schematron XSLT over every file in `dir`; returns file name → failed fatal rule ids.
fn schematron(xslt: &Path, dir: &Path, out: &Path) -> BTreeMap<String, BTreeSet<String>> {
    std::fs::create_dir_all(out).unwrap();
    let st = Command::new("java")
        .args(["-Xss8m", "-cp", SAXON, "net.sf.saxon.Transform"])
        .arg(format!("-s:{}", dir.display()))
        .arg(format!("-xsl:{}", xslt.display()))
        .arg(format!("-o:{}", out.display()))
        .output()
        .expect("java");
    if !st.status.success() {
        // A file Saxon's XML parser cannot read (e.g. an unknown encoding name) gets no report;
        // the others are still transformed.
        eprintln!("Saxon reported errors:\n{}", String::from_utf8_lossy(&st.stderr));
    }
    let mut res = BTreeMap::new();
    for e in std::fs::read_dir(out).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let ids: BTreeSet<String> =
            doc.descendants().filter(|n| n.tag_name().name() == "failed-assert" && n.attribute("flag") != Some("warning")).filter_map(|n| n.attribute("id").map(str::to_string)).collect();
        res.insert(e.file_name().to_string_lossy().to_string(), ids);
    }
    res
}

#[test]
fn checks_agree_with_schematron_and_export_validates() {
    let data = shared_data();
    assert!(tools_present(), "java, Saxon-HE or xmllint is missing: run scripts/setup.sh (libsaxonhe-java and the Java it depends on, libxml2-utils)");
    let val = data.join("en16931-validation");
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("einvoice-schematron");
    let _ = std::fs::remove_dir_all(&work);
    let (cii_dir, ubl_dir) = (work.join("in-cii"), work.join("in-ubl"));
    std::fs::create_dir_all(&cii_dir).unwrap();
    std::fs::create_dir_all(&ubl_dir).unwrap();

    let mut files = Vec::new();
    walk(&data.join("xrechnung-testsuite"), &mut files);
    walk(&data.join("zugferd-corpus"), &mut files);

    // name → (source path, mailroom's failed rules)
    let mut mine: BTreeMap<String, (PathBuf, BTreeSet<String>)> = BTreeMap::new();
    // export name → (source path, source name, parsed source)
    let mut exports: BTreeMap<String, (PathBuf, String, einvoice::EInvoice)> = BTreeMap::new();
    let mut refused_export = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let bytes = std::fs::read(f).unwrap();
        let Ok(inv) = einvoice::parse(&bytes) else { continue };
        let dir = match inv.syntax {
            Syntax::Cii => &cii_dir,
            Syntax::UblInvoice | Syntax::UblCreditNote => &ubl_dir,
            Syntax::Zugferd1 => continue, // the EN 16931 Schematron does not apply to ZUGFeRD 1.0
        };
        let name = format!("f{i:04}.xml");
        std::fs::write(dir.join(&name), &bytes).unwrap();
        let failed = inv.checks().into_iter().filter(|c| !c.passed).map(|c| c.name.to_string()).collect();
        mine.insert(name.clone(), (f.clone(), failed));
        match einvoice::export::write_cii(&inv) {
            Ok(x) => {
                let en = format!("x{i:04}.xml");
                std::fs::write(cii_dir.join(&en), x).unwrap();
                exports.insert(en, (f.clone(), name.clone(), inv));
            }
            Err(e) => refused_export.push(format!("{}: {e}", f.display())),
        }
    }

    let t = std::time::Instant::now();
    let mut official = schematron(&val.join("cii/xslt/EN16931-CII-validation.xslt"), &cii_dir, &work.join("out-cii"));
    official.extend(schematron(&val.join("ubl/xslt/EN16931-UBL-validation.xslt"), &ubl_dir, &work.join("out-ubl")));
    eprintln!("Saxon over {} files took {:.1}s", official.len(), t.elapsed().as_secs_f32());

    let rules: BTreeSet<&str> = RULES.iter().copied().collect();
    let mut diffs = Vec::new();
    let mut flagged = 0;
    for (name, (src, m)) in &mine {
        let Some(o) = official.get(name) else {
            eprintln!("{}: the Schematron could not read it, not compared", src.display());
            continue;
        };
        let o: BTreeSet<String> = o.iter().filter(|r| rules.contains(r.as_str())).cloned().collect();
        flagged += o.len();
        if &o != m {
            diffs.push(format!("{}: Schematron flags {:?}, mailroom flags {:?}", src.display(), o, m));
        }
    }
    eprintln!("{} documents compared, {} rule violations flagged by the Schematron", mine.len(), flagged);

    // Export: XSD, Schematron (no fatal failed assert at all), round trip.
    let xsd = val.join("cii/schema/D16B SCRDM (Subset)/uncoupled clm/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd");
    let mut xl = Command::new("xmllint");
    xl.arg("--noout").arg("--schema").arg(&xsd);
    for n in exports.keys() {
        xl.arg(cii_dir.join(n));
    }
    let out = xl.output().expect("xmllint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines().filter(|l| !l.ends_with(" validates")) {
        diffs.push(format!("export XSD: {line}"));
    }
    let mut clean = 0;
    for (n, (src, sn, inv)) in &exports {
        // The export must not break any rule the source keeps (sources that already break a
        // code-list rule, e.g. an unknown EAS scheme, keep breaking it).
        let src_failed = official.get(sn).cloned().unwrap_or_default();
        match official.get(n) {
            Some(o) => {
                let new: Vec<&String> = o.iter().filter(|r| !src_failed.contains(*r)).collect();
                if !new.is_empty() {
                    diffs.push(format!("export of {} fails Schematron: {:?}", src.display(), new));
                }
                if o.is_empty() {
                    clean += 1;
                }
            }
            None => diffs.push(format!("export of {}: no Schematron report", src.display())),
        }
        let back = einvoice::parse(&std::fs::read(cii_dir.join(n)).unwrap()).expect("export parses");
        if back.fields().into_iter().map(|(k, v)| (k, v.value)).collect::<BTreeMap<_, _>>() != inv.fields().into_iter().map(|(k, v)| (k, v.value)).collect::<BTreeMap<_, _>>()
            || back.line_items() != inv.line_items()
            || back.vat_breakdown() != inv.vat_breakdown()
        {
            diffs.push(format!("export of {} does not round-trip", src.display()));
        }
    }
    eprintln!("{} exports validated ({} without any failed assert); {} refused:", exports.len(), clean, refused_export.len());
    for r in &refused_export {
        eprintln!("  {r}");
    }
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}
