//! OCR: reads page images with Tesseract (German and English first) into words with boxes and
//! confidences, turning pages upright first where needed.
//!
//! * One Tesseract engine per worker thread, created once and reused for every page.
//! * Each engine runs single-threaded: Debian's libtesseract is built with OpenMP, and
//!   OpenMP teams inside pages that already run in parallel make a page ~8× slower. We
//!   set the limit from inside the process, so no user has to export `OMP_THREAD_LIMIT`.
//! * Orientation is only examined when the first reading is poor ([`orientation`]), so
//!   upright pages — nearly all of them — pay nothing for it.
//! * A page whose print reaches the image's edge is read inside a margin of its own paper
//!   tone: Tesseract misreads print that touches the edge, as a footer does on a scan pushed
//!   over the paper's edge.
//! * A page whose first reading is poor, or left most of its print outside word boxes, is
//!   read again with its paper evened out and a local threshold ([`flatten`]): grey
//!   photocopies and unevenly lit, grainy scans defeat Tesseract's global one. Every page
//!   Tesseract reads pays for evening out its paper once, to measure that (about 21 ms for
//!   an A4 page at 200 dpi, beside about 1.5 s for reading it); only pages that lost print
//!   are read twice.
//! * A page in another European language (French by default) is read a second time with
//!   that language's model first ([`language`]): German and English models turn "Hôtel"
//!   into "Hötel" and "à" into "a". Pages in the configured languages pay nothing for it.

mod flatten;
pub mod language;
pub mod lexicon;
pub mod orientation;
pub mod ppocr;
mod tsv;

use std::cell::RefCell;

use image::DynamicImage;
use tesseract::{PageSegMode, Tesseract};

use crate::layout::{Page, TextSource, Word};
use crate::pages::PageImage;

/// How Tesseract is run. The benchmark runs the `tesseract` CLI with the same values.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrConfig {
    /// `+`-joined Tesseract language codes.
    pub languages: String,
    /// Tesseract page segmentation mode (3 = fully automatic).
    pub psm: u32,
    /// Folder with `*.traineddata`; `None` uses Tesseract's built-in default.
    pub datapath: Option<String>,
    /// Languages (Tesseract codes) whose pages are read a second time with that language's
    /// model first, when the first reading shows the page is written in it ([`language`]).
    pub reread_languages: Vec<String>,
    /// What reads a page whose print is one narrow column, a till receipt ([`narrow_column`]).
    pub receipts: ReceiptEngine,
    /// Word lists for the checks that need words: the receipt engine's spelling and names
    /// read without an umlaut ([`lexicon`]).
    pub word_lists: Vec<std::path::PathBuf>,
}

/// The engine for till receipts.
#[derive(Debug, Clone, PartialEq)]
pub enum ReceiptEngine {
    /// PP-OCR under ONNX Runtime ([`ppocr`]): reads more of a receipt's lines and totals.
    PpOcr(ppocr::PpOcrFiles),
    /// Tesseract, the page read as one block of text (psm 6).
    Tesseract,
}

impl ReceiptEngine {
    /// The engine's name as the configuration spells it (`ppocr`, `tesseract`).
    pub fn name(&self) -> &'static str {
        match self {
            ReceiptEngine::PpOcr(_) => "ppocr",
            ReceiptEngine::Tesseract => "tesseract",
        }
    }
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig {
            languages: "deu+eng".into(),
            psm: 3,
            datapath: std::env::var("TESSDATA_PREFIX").ok(),
            reread_languages: vec!["fra".into()],
            receipts: ReceiptEngine::PpOcr(ppocr::PpOcrFiles::default()),
            word_lists: lexicon::default_lists(),
        }
    }
}

impl OcrConfig {
    /// What a reading depends on, as a short hex digest: read pages cached under one
    /// fingerprint are never reused under another (`models::cache`).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        // Bump READER when read_page changes what it produces for the same settings.
        const READER: u32 = 18;
        let receipts = match &self.receipts {
            ReceiptEngine::PpOcr(files) => format!("ppocr {}", files.identity(&self.word_lists)),
            ReceiptEngine::Tesseract => "tesseract".to_string(),
        };
        let key = format!("{READER}|{}|{}|{}|{receipts}", self.languages, self.psm, self.reread_languages.join("+"));
        hex::encode(&Sha256::digest(key.as_bytes())[..6])
    }

    /// The same settings with `lang` read first, before the configured languages.
    fn led_by(&self, lang: &str) -> OcrConfig {
        OcrConfig { languages: format!("{lang}+{}", self.languages), reread_languages: Vec::new(), ..self.clone() }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OcrError(pub String);

impl std::fmt::Display for OcrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OcrError {}

/// A page read by OCR, with the upright image it was read from (for the PDF/A).
#[derive(Debug)]
pub struct OcrPage {
    pub page: Page,
    pub image: PageImage,
}

struct Engine {
    config: OcrConfig,
    threshold: Threshold,
    tess: Option<Tesseract>,
}

/// How Tesseract turns a grey page into black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Threshold {
    /// Its default: one threshold for the page (Otsu).
    Global,
    /// Sauvola's local threshold, for a page whose paper was evened out ([`flatten`]).
    Local,
}

thread_local! {
    // One engine per language set this thread has read with: the primary set, and the
    // rarely used re-reading sets beside it, so switching never reloads a model.
    static ENGINES: RefCell<Vec<Engine>> = const { RefCell::new(Vec::new()) };
}

/// Limits OpenMP's default team size for the calling thread. This does not cap teams that
/// Tesseract sizes explicitly — only `OMP_THREAD_LIMIT=1` in the environment at process
/// start does that, which the `mailroom` binary sets for itself (see `main.rs`); library
/// users must set it themselves.
pub fn limit_openmp_threads() {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        WARNED.call_once(|| tracing::warn!("OMP_THREAD_LIMIT is not set: OCR pages in parallel will run much slower; set OMP_THREAD_LIMIT=1"));
    }
    type SetNumThreads = unsafe extern "C" fn(libc::c_int);
    // SAFETY: looks up a symbol by name in the already loaded process image; the symbol,
    // when present, is libgomp's `void omp_set_num_threads(int)`.
    unsafe {
        let sym = libc::dlsym(libc::RTLD_DEFAULT, c"omp_set_num_threads".as_ptr());
        if !sym.is_null() {
            let f: SetNumThreads = std::mem::transmute(sym);
            f(1);
        }
    }
}

fn psm(n: u32) -> PageSegMode {
    match n {
        0 => PageSegMode::PsmOsdOnly,
        1 => PageSegMode::PsmAutoOsd,
        4 => PageSegMode::PsmSingleColumn,
        6 => PageSegMode::PsmSingleBlock,
        7 => PageSegMode::PsmSingleLine,
        11 => PageSegMode::PsmSparseText,
        12 => PageSegMode::PsmSparseTextOsd,
        _ => PageSegMode::PsmAuto,
    }
}

fn new_engine(config: &OcrConfig) -> Result<Tesseract, OcrError> {
    limit_openmp_threads();
    let mut t = Tesseract::new(config.datapath.as_deref(), Some(&config.languages)).map_err(|e| {
        OcrError(format!("Tesseract could not load the languages '{}' ({e}); install their tesseract-ocr-<code> packages (scripts/setup.sh installs deu, eng and fra)", config.languages))
    })?;
    t.set_page_seg_mode(psm(config.psm));
    Ok(t)
}

/// A bare Tesseract handle, for what the `tesseract` crate does not offer (orientation
/// detection, the list of loaded models); ended and deleted when dropped.
pub(crate) struct RawApi(pub(crate) *mut tesseract_sys::TessBaseAPI);

impl RawApi {
    /// A handle initialised with `languages` (`+`-joined); `None` when Tesseract loads none.
    fn init(datapath: Option<&str>, languages: &std::ffi::CStr) -> Option<RawApi> {
        limit_openmp_threads();
        let datapath = datapath.and_then(|p| std::ffi::CString::new(p).ok());
        // SAFETY: plain C API calls on a handle this value owns; the strings outlive them.
        unsafe {
            let h = tesseract_sys::TessBaseAPICreate();
            if h.is_null() {
                return None;
            }
            let api = RawApi(h);
            let rc = tesseract_sys::TessBaseAPIInit3(h, datapath.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()), languages.as_ptr());
            (rc == 0).then_some(api)
        }
    }

    /// The languages Tesseract actually loaded. It starts even when some asked for are
    /// missing — it drops those with a line on stderr and reads with the rest —, so a
    /// missing model has to be asked for.
    fn loaded_languages(&self) -> Vec<String> {
        let mut out = Vec::new();
        // SAFETY: the handle is initialised; the returned array is Tesseract's, read up to
        // its null entry and freed with Tesseract's own function.
        unsafe {
            let arr = tesseract_sys::TessBaseAPIGetLoadedLanguagesAsVector(self.0);
            if !arr.is_null() {
                let mut i = 0;
                while !(*arr.add(i)).is_null() {
                    out.push(std::ffi::CStr::from_ptr(*arr.add(i)).to_string_lossy().into_owned());
                    i += 1;
                }
                tesseract_sys::TessDeleteTextArray(arr);
            }
        }
        out
    }
}

impl Drop for RawApi {
    fn drop(&mut self) {
        // SAFETY: the handle came from TessBaseAPICreate and is deleted exactly once.
        unsafe {
            tesseract_sys::TessBaseAPIEnd(self.0);
            tesseract_sys::TessBaseAPIDelete(self.0);
        }
    }
}

/// Every language of `languages` that Tesseract cannot load, as an error that names the
/// packages to install.
fn require_languages(datapath: Option<&str>, languages: &str) -> Result<(), OcrError> {
    let loaded = std::ffi::CString::new(languages).ok().and_then(|l| RawApi::init(datapath, &l)).map(|api| api.loaded_languages()).unwrap_or_default();
    let missing: Vec<&str> = languages.split('+').filter(|l| !loaded.iter().any(|x| x == l)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<String> = missing.iter().map(|l| format!("tesseract-ocr-{l}")).collect();
    Err(OcrError(format!("Tesseract has no model for {}: install {} (scripts/setup.sh installs deu, eng and fra)", missing.join(", "), packages.join(" "))))
}

/// Whether Tesseract loads every configured language, and every re-reading language
/// (for `mailroom check`).
pub fn check_languages(config: &OcrConfig) -> Result<(), OcrError> {
    new_engine(config)?;
    require_languages(config.datapath.as_deref(), &config.languages)?;
    for lang in &config.reread_languages {
        language::known(lang)?;
        require_languages(config.datapath.as_deref(), lang)?;
    }
    Ok(())
}

/// Whether every model of `languages` is installed, asked once per process and language
/// set; a missing one is logged once, with the package to install.
fn installed(config: &OcrConfig, languages: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static KNOWN: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    let mut known = KNOWN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    *known.entry(languages.to_string()).or_insert_with(|| match require_languages(config.datapath.as_deref(), languages) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("OCR reads without the model for part of '{languages}': {e}");
            false
        }
    })
}

/// Drops this thread's engines. Call on every worker before the process exits
/// (`rayon::broadcast`), or Tesseract complains about leaked caches at exit.
pub fn release_engines() {
    ENGINES.with(|cell| cell.borrow_mut().clear());
    ppocr::release();
    orientation::release();
}

/// Words in pixel coordinates, and whether PP-OCR read them (a receipt) or Tesseract.
struct Reading {
    words: Vec<tsv::PixelWord>,
    by_ppocr: bool,
}

/// Recognises one grey image with this thread's engine.
fn recognise(config: &OcrConfig, gray: &image::GrayImage, dpi: f32, threshold: Threshold) -> Result<Reading, OcrError> {
    let tones = Tones::of(gray);
    let pad = if print_at_edge(gray, dpi, tones) { margin_px(dpi) } else { 0 };
    // A till receipt is one narrow column of short lines: Tesseract's automatic layout
    // analysis (psm 3) splits it into blocks and loses lines and totals, reading it as one
    // block of text (psm 6) keeps them (measured on the development receipts:
    // benches/README.md, "Receipts").
    if config.psm == 3 && narrow_column(gray, tones) {
        if let ReceiptEngine::PpOcr(files) = &config.receipts {
            match ppocr::read(files, &config.word_lists, gray) {
                Ok(words) => return Ok(Reading { words, by_ppocr: true }),
                Err(e) => {
                    // The page is never lost for it: Tesseract reads it instead.
                    static WARNED: std::sync::Once = std::sync::Once::new();
                    WARNED.call_once(|| tracing::warn!("receipts are read with Tesseract, not PP-OCR: {e}; `mailroom check` tells what is missing"));
                }
            }
        }
        let words = recognise_framed(&OcrConfig { psm: 6, ..config.clone() }, gray, dpi, pad, tones.paper, threshold)?;
        return Ok(Reading { words, by_ppocr: false });
    }
    Ok(Reading { words: recognise_framed(config, gray, dpi, pad, tones.paper, threshold)?, by_ppocr: false })
}

/// Whether the print on the page stands in one tall, narrow column — a till receipt,
/// photographed or scanned alone or on an A4 sheet: the box around the inked rows and
/// columns (those with more than 0.5 % of their pixels darker than halfway from paper to
/// ink) is at least 1.8 times as tall as wide, and either under 60 % of the page's width (a
/// receipt on a sheet) or on an image at least 1.7 times as tall as wide (a photo of the
/// receipt alone; A4 is 1.41, US Legal 1.65). A letter or invoice on A4 prints across the
/// page — its box up to 1.8 times as tall as wide from header to page number, but three
/// quarters of the width — and keeps the automatic layout.
fn narrow_column(gray: &image::GrayImage, tones: Tones) -> bool {
    let Tones { paper, ink } = tones;
    if paper.saturating_sub(ink) < 40 {
        return false;
    }
    let cut = paper - (paper - ink) / 2;
    let (w, h) = gray.dimensions();
    if w < 50 || h < 50 {
        return false;
    }
    let mut cols = vec![0u32; w as usize];
    let mut rows = vec![0u32; h as usize];
    for (x, y, p) in gray.enumerate_pixels() {
        if p.0[0] < cut {
            cols[x as usize] += 1;
            rows[y as usize] += 1;
        }
    }
    let span = |counts: &[u32], of: u32| -> Option<(usize, usize)> {
        let min = (of / 200).max(2);
        let first = counts.iter().position(|c| *c > min)?;
        let last = counts.iter().rposition(|c| *c > min)?;
        Some((first, last))
    };
    let (Some((x0, x1)), Some((y0, y1))) = (span(&cols, h), span(&rows, w)) else { return false };
    let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
    bh >= 1.8 * bw && (bw < 0.6 * w as f32 || h as f32 >= 1.7 * w as f32)
}

/// [`recognise`] with the page inside a margin of `pad` pixels in the grey `paper`
/// ([`with_margin`]; none at 0).
fn recognise_framed(config: &OcrConfig, gray: &image::GrayImage, dpi: f32, pad: u32, paper: u8, threshold: Threshold) -> Result<Vec<tsv::PixelWord>, OcrError> {
    ENGINES.with(|cell| {
        let mut engines = cell.borrow_mut();
        let at = match engines.iter().position(|e| &e.config == config && e.threshold == threshold) {
            Some(i) => i,
            None => {
                engines.push(Engine { config: config.clone(), threshold, tess: None });
                engines.len() - 1
            }
        };
        let engine = &mut engines[at];
        let tess = match engine.tess.take() {
            Some(t) => t,
            None => {
                // Tesseract reads with the models it has; a missing one only gets a warning (once).
                installed(config, &config.languages);
                let t = new_engine(config)?;
                match threshold {
                    Threshold::Global => t,
                    Threshold::Local => t.set_variable("thresholding_method", "2").map_err(|e| OcrError(format!("Tesseract refused its local threshold: {e}")))?,
                }
            }
        };
        let framed = if pad > 0 { std::borrow::Cow::Owned(with_margin(gray, pad, paper)) } else { std::borrow::Cow::Borrowed(gray) };
        let (w, h) = framed.dimensions();
        let mut tess = tess
            .set_frame(framed.as_raw(), w as i32, h as i32, 1, w as i32)
            .map_err(|e| OcrError(format!("Tesseract refused the page image: {e}")))?
            .set_source_resolution(dpi.round() as i32)
            .recognize()
            .map_err(|e| OcrError(format!("Tesseract failed on the page: {e}")))?;
        let text = tess.get_tsv_text(0).map_err(|e| OcrError(format!("Tesseract gave no result: {e}")))?;
        engine.tess = Some(tess);
        Ok(tsv::parse(&text).into_iter().map(|w| w.shifted_back(pad)).collect())
    })
}

/// The margin put around a page whose print reaches its edge: a tenth of an inch.
fn margin_px(dpi: f32) -> u32 {
    (dpi / 10.0).round().clamp(8.0, 60.0) as u32
}

/// Whether print is cut by one of the image's edges: along a band a hundredth of an inch
/// wide, at least six dark runs (darker than halfway from the paper to the darkest ink)
/// each as wide as a stroke, 2 px to a sixth of an inch, and most runs that wide. A
/// sidebar or scanner border crossing the edge is one long run, noise single pixels.
/// Only such pages are read inside a margin; every other page is read as it is, since any
/// change to the image moves Tesseract's layout analysis a little.
fn print_at_edge(gray: &image::GrayImage, dpi: f32, tones: Tones) -> bool {
    let (w, h) = gray.dimensions();
    let band = ((dpi / 100.0).round() as u32).clamp(2, 6);
    if w <= 2 * band || h <= 2 * band {
        return false;
    }
    let Tones { paper, ink } = tones;
    if paper.saturating_sub(ink) < 40 {
        return false; // no print to speak of
    }
    let cut = paper - (paper - ink) / 2;
    let widest = (dpi / 6.0) as usize;
    // `dark(i)`: whether position i along the edge has ink anywhere across the band.
    let cut_print = |len: u32, dark: &dyn Fn(u32) -> bool| -> bool {
        let (mut runs, mut strokes, mut run) = (0, 0, 0usize);
        for i in 0..=len {
            if i < len && dark(i) {
                run += 1;
            } else if run > 0 {
                runs += 1;
                strokes += usize::from((2..=widest).contains(&run));
                run = 0;
            }
        }
        strokes >= 6 && 2 * strokes >= runs
    };
    let ink_at = |x: u32, y: u32| gray.get_pixel(x, y).0[0] < cut;
    cut_print(w, &|x| (0..band).any(|y| ink_at(x, y)))
        || cut_print(w, &|x| (h - band..h).any(|y| ink_at(x, y)))
        || cut_print(h, &|y| (0..band).any(|x| ink_at(x, y)))
        || cut_print(h, &|y| (w - band..w).any(|x| ink_at(x, y)))
}

/// `gray` inside a margin of `pad` pixels in the page's own `paper` tone. Tesseract misreads
/// print that touches the image's edge: a scan pushed a little over the paper's edge read
/// "USt.-ID: DE353916118" in its last line as "USt -ID- DEISIO1A118", and with the margin
/// as "USt.-ID: DE3S3916118". The margin is not white: around grey paper a white frame
/// moves Tesseract's page-wide threshold, and a dim low-contrast scan came out without a
/// single word.
fn with_margin(gray: &image::GrayImage, pad: u32, paper: u8) -> image::GrayImage {
    let (w, h) = gray.dimensions();
    let mut framed = image::GrayImage::from_pixel(w + 2 * pad, h + 2 * pad, image::Luma([paper]));
    image::imageops::replace(&mut framed, gray, pad as i64, pad as i64);
    framed
}

/// A page's paper and ink greys, from one histogram of its pixels.
#[derive(Debug, Clone, Copy)]
struct Tones {
    /// The median grey: paper, since a page is mostly paper.
    paper: u8,
    /// The grey the darkest 0.5 % of the pixels are below: the ink.
    ink: u8,
}

impl Tones {
    fn of(gray: &image::GrayImage) -> Tones {
        let mut histogram = [0u64; 256];
        for p in gray.as_raw() {
            histogram[*p as usize] += 1;
        }
        // The grey below which the share `q` of the pixels lies.
        let tone_at = |q: f64| -> u8 {
            let wanted = (gray.as_raw().len() as f64 * q) as u64;
            let mut seen = 0;
            histogram
                .iter()
                .position(|&n| {
                    seen += n;
                    seen > wanted
                })
                .unwrap_or(255) as u8
        };
        Tones { paper: tone_at(0.5), ink: tone_at(0.005) }
    }
}

/// Below this share of its print inside word boxes ([`flatten::Even::read_share`]) a first
/// reading lost text, and the page is read again evened out.
/// Chosen on generator scans: the 14 whose first reading kept under 65 % of the words of
/// their born-digital text were all under 0.49; of the `test_seen` scans' pages half are
/// over 0.82 and one in twenty under 0.54.
const MIN_READ_SHARE: f32 = 0.5;

/// Reads one page image into a laid-out [`Page`], turning it upright if it was scanned
/// sideways or upside down.
pub fn read_page(config: &OcrConfig, image: PageImage) -> Result<OcrPage, OcrError> {
    let gray = image.gray();
    let mut first = recognise(config, &gray, image.dpi, Threshold::Global)?;
    let mut first_quality = orientation::Quality::of(&first.words);
    // The paper evened out, where the first reading lost print or read poorly, and the
    // second reading is better.
    let mut even = None;
    let evened = if first.by_ppocr { None } else { Some(flatten::even(&gray)) };
    if let Some(flat) = evened.filter(|e| !first_quality.is_good() || e.read_share(&first.words) < MIN_READ_SHARE).map(flatten::Even::into_image) {
        let second = recognise(config, &flat, image.dpi, Threshold::Local)?;
        let quality = orientation::Quality::of(&second.words);
        if quality.better_than(&first_quality) {
            (first, first_quality, even) = (second, quality, Some(flat));
        }
    }
    let (reading, image, rotation) = if first_quality.is_good() {
        (first, image, 0)
    } else {
        match orientation::detect(config, &gray, image.dpi) {
            Some(rot) if rot != 0 => {
                let turned = orientation::rotate(&image.image, rot);
                let turned_gray = turned.to_luma8();
                let second = recognise(config, &turned_gray, image.dpi, Threshold::Global)?;
                if orientation::Quality::of(&second.words).better_than(&first_quality) {
                    even = None;
                    (second, PageImage { number: image.number, image: turned, dpi: image.dpi }, rot)
                } else {
                    (first, image, 0)
                }
            }
            _ => (first, image, 0),
        }
    };
    // PP-OCR reads every language in one alphabet: a receipt it read is not read again.
    let words = if reading.by_ppocr { reading.words } else { reread_in_its_language(config, &image, even.as_ref(), reading.words) };
    let scale = 72.0 / image.dpi;
    let (w_px, h_px) = (image.image.width(), image.image.height());
    let words: Vec<Word> = words
        .into_iter()
        .map(|pw| Word {
            text: pw.text,
            bbox: [pw.left as f32 * scale, pw.top as f32 * scale, (pw.left + pw.width) as f32 * scale, (pw.top + pw.height) as f32 * scale],
            confidence: (pw.conf / 100.0).clamp(0.0, 1.0),
        })
        .collect();
    let page = Page::from_words(image.number, w_px as f32 * scale, h_px as f32 * scale, TextSource::Ocr, rotation, words);
    Ok(OcrPage { page, image })
}

/// Reads the (upright) page again with its own language's model first, when the first
/// reading is in one of `config.reread_languages` — the evened-out page where that was read.
/// The second reading is kept unless it is clearly worse; a missing language model costs
/// one warning, never the page.
fn reread_in_its_language(config: &OcrConfig, image: &PageImage, even: Option<&image::GrayImage>, words: Vec<tsv::PixelWord>) -> Vec<tsv::PixelWord> {
    let Some(lang) = language::reread_as(config, words.iter().map(|w| w.text.as_str())) else {
        return words;
    };
    if !installed(config, lang) {
        return words;
    }
    tracing::debug!(page = image.number, lang, "page read again with its own language first");
    let led = config.led_by(lang);
    let second = match even {
        Some(flat) => recognise(&led, flat, image.dpi, Threshold::Local),
        None => recognise(&led, &image.gray(), image.dpi, Threshold::Global),
    };
    match second {
        Ok(second) if !orientation::Quality::of(&words).better_than(&orientation::Quality::of(&second.words)) => second.words,
        Ok(_) => words,
        Err(e) => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| tracing::warn!("the second reading of a page in '{lang}' failed, the first is kept: {e}"));
            words
        }
    }
}

/// Convenience for images that are already upright and grey (benchmarks, tests).
pub fn read_image(config: &OcrConfig, image: DynamicImage, dpi: f32) -> Result<OcrPage, OcrError> {
    read_page(config, PageImage { number: 1, image, dpi })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A white page of `w` × `h` with "lines of print" (dark bars) in the box `x0..x1` wide,
    /// one every 12 pixels from `y0` to `y1`.
    fn page_with_print(w: u32, h: u32, (x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> image::GrayImage {
        image::GrayImage::from_fn(w, h, |x, y| image::Luma([if (x0..x1).contains(&x) && (y0..y1).contains(&y) && y % 12 < 5 { 20 } else { 245 }]))
    }

    #[test]
    fn a_receipt_is_told_from_a_letter_by_the_shape_of_its_print() {
        let tones = |g: &image::GrayImage| Tones::of(g);
        // A photographed receipt filling its image, and one scanned on an A4 sheet.
        let photo = page_with_print(600, 1800, (20, 580), (20, 1780));
        assert!(narrow_column(&photo, tones(&photo)));
        let on_a4 = page_with_print(1240, 1754, (450, 800), (100, 1500));
        assert!(narrow_column(&on_a4, tones(&on_a4)));
        // An A4 letter prints across the page; a landscape sheet even more so.
        let letter = page_with_print(1240, 1754, (120, 1120), (150, 1600));
        assert!(!narrow_column(&letter, tones(&letter)));
        // A data sheet printed from header to page number, three quarters of the width: its
        // box is 1.8 times as tall as wide, yet it is a page of columns.
        let sheet = page_with_print(1653, 2339, (183, 1420), (48, 2302));
        assert!(!narrow_column(&sheet, tones(&sheet)));
        let landscape = page_with_print(1754, 1240, (100, 1650), (100, 1100));
        assert!(!narrow_column(&landscape, tones(&landscape)));
        let blank = image::GrayImage::from_pixel(600, 1800, image::Luma([245]));
        assert!(!narrow_column(&blank, tones(&blank)), "no print, no column");
    }

    #[test]
    fn print_touching_the_bottom_edge_is_read_and_placed_on_the_page() {
        // The sample invoice cut through its last line (IBAN, glyph rows 2215..2233), as a
        // scan pushed over the paper's edge cuts a footer.
        let page = image::open(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents/invoice-page.png")).unwrap().to_luma8();
        let cut = image::imageops::crop_imm(&page, 0, 0, page.width(), 2232).to_image();
        let read = read_image(&OcrConfig::default(), DynamicImage::ImageLuma8(cut), 200.0).unwrap();
        let text: Vec<&str> = read.page.words.iter().map(|w| w.text.as_str()).collect();
        let text = text.join(" ");
        assert!(text.contains("DE34 5019 0000 0012 3456 78"), "{text}");
        assert!(text.contains("www.acme.de"), "{text}");
        // Boxes are on the page, not in the margin the page was read in.
        let iban = read.page.words.iter().find(|w| w.text == "DE34").unwrap();
        let [x0, y0, _, y1] = iban.bbox.map(|v| v * 200.0 / 72.0);
        assert!((x0 - 821.0).abs() <= 3.0 && (y0 - 2215.0).abs() <= 3.0 && y1 <= 2232.5, "{:?}", iban.bbox);
    }

    #[test]
    fn a_dim_low_contrast_scan_is_read_inside_a_margin() {
        // A generated scan (corpus g1-000053: ink 56, paper 197, darker towards the bottom,
        // JPEG): inside a white frame Tesseract read no word of it.
        let page = image::open(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents/grey-paper-scan.jpg")).unwrap().to_luma8();
        let paper = Tones::of(&page).paper;
        assert!(paper < 200);
        let words = recognise_framed(&OcrConfig::default(), &page, 200.0, margin_px(200.0), paper, Threshold::Global).unwrap();
        let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        let text = text.join(" ");
        assert!(text.contains("Weitblick Sanitär GmbH") && text.contains("BE2025336") && text.contains("1.377,88"), "{text}");
    }

    #[test]
    fn only_pages_with_print_at_their_edge_get_a_margin() {
        let page = image::open(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents/invoice-page.png")).unwrap().to_luma8();
        let at_edge = |g: &image::GrayImage| print_at_edge(g, 200.0, Tones::of(g));
        assert!(!at_edge(&page), "the sample invoice has white margins");
        // Cut through its last line, as a scan pushed over the paper's edge cuts a footer.
        let cut = image::imageops::crop_imm(&page, 0, 0, page.width(), 2232).to_image();
        assert!(at_edge(&cut));
        // Specks at the edge are no print, nor is a bar down the page's side.
        let mut marked = page.clone();
        for x in (100..1500).step_by(50) {
            marked.put_pixel(x, page.height() - 1, image::Luma([0]));
        }
        for y in 0..page.height() {
            for x in 0..40 {
                marked.put_pixel(x, y, image::Luma([60]));
            }
        }
        assert!(!at_edge(&marked));
    }

    #[test]
    fn a_missing_language_model_is_named_with_its_package() {
        let datapath = OcrConfig::default().datapath;
        assert!(require_languages(datapath.as_deref(), "deu+eng").is_ok(), "scripts/setup.sh installs deu and eng");
        // Tesseract itself starts with the languages it has and drops the others.
        let err = require_languages(datapath.as_deref(), "deu+xqz").unwrap_err();
        assert!(err.0.contains("no model for xqz") && err.0.contains("tesseract-ocr-xqz"), "{err}");
        let config = OcrConfig { reread_languages: vec!["xqz".into()], ..OcrConfig::default() };
        assert!(check_languages(&config).is_err(), "an unknown re-reading language fails `mailroom check`");
    }
}
