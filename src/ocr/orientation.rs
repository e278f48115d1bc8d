//! Page orientation: judging whether a reading is good, and Tesseract's orientation and
//! script detection (OSD) for the pages where it is not.
//!
//! OSD runs only on pages whose first reading is poor. When it proposes a turn, the page is
//! read again turned, and the better of the two readings is kept — so a wrong OSD guess can
//! never make a page worse.

use std::cell::RefCell;

use image::DynamicImage;
use tesseract_sys as sys;

use super::tsv::PixelWord;
use super::{OcrConfig, RawApi};

/// How much readable text a reading holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    /// Words of two or more characters that are mostly letters or digits.
    pub words: usize,
    pub mean_conf: f32,
    /// Share of longer words whose box is taller than wide: Tesseract reads sideways text
    /// lines well enough, but then the page is turned and its layout is nonsense.
    pub sideways: f32,
}

impl Quality {
    pub fn of(words: &[PixelWord]) -> Quality {
        let mut n = 0usize;
        let mut sum = 0.0f32;
        let (mut long, mut tall) = (0usize, 0usize);
        for w in words {
            if w.text.chars().count() >= 4 {
                long += 1;
                if w.height > w.width {
                    tall += 1;
                }
            }
            let chars = w.text.chars().count();
            let alnum = w.text.chars().filter(|c| c.is_alphanumeric()).count();
            if chars >= 2 && alnum * 10 >= chars * 6 {
                n += 1;
                sum += w.conf;
            }
        }
        Quality { words: n, mean_conf: if n == 0 { 0.0 } else { sum / n as f32 }, sideways: if long == 0 { 0.0 } else { tall as f32 / long as f32 } }
    }

    /// A reading good enough that the page is surely upright.
    pub fn is_good(&self) -> bool {
        self.words >= 12 && self.mean_conf >= 72.0 && self.sideways < 0.3
    }

    fn score(&self) -> f32 {
        self.words as f32 * self.mean_conf * (1.0 - self.sideways)
    }

    pub fn better_than(&self, other: &Quality) -> bool {
        self.score() > other.score() * 1.1
    }
}

/// Turns an image clockwise by 0, 90, 180 or 270 degrees.
pub fn rotate(image: &DynamicImage, clockwise: u16) -> DynamicImage {
    match clockwise {
        90 => image.rotate90(),
        180 => image.rotate180(),
        270 => image.rotate270(),
        _ => image.clone(),
    }
}

thread_local! {
    static OSD: RefCell<Option<Option<RawApi>>> = const { RefCell::new(None) };
}

pub(super) fn release() {
    OSD.with(|cell| cell.borrow_mut().take());
}

fn new_osd(config: &OcrConfig) -> Option<RawApi> {
    let Some(osd) = RawApi::init(config.datapath.as_deref(), c"osd") else {
        tracing::warn!("orientation detection is unavailable: install tesseract-ocr-osd (scripts/setup.sh)");
        return None;
    };
    // SAFETY: a plain C API call on the handle `osd` owns.
    unsafe { sys::TessBaseAPISetPageSegMode(osd.0, sys::TessPageSegMode_PSM_OSD_ONLY) };
    Some(osd)
}

/// The clockwise turn (0, 90, 180, 270) that makes the page upright, if OSD is confident.
pub fn detect(config: &OcrConfig, gray: &image::GrayImage, dpi: f32) -> Option<u16> {
    OSD.with(|cell| {
        let mut slot = cell.borrow_mut();
        let osd = slot.get_or_insert_with(|| new_osd(config)).as_ref()?;
        let (w, h) = gray.dimensions();
        let mut deg: libc::c_int = 0;
        let mut conf: f32 = 0.0;
        let mut script: *const libc::c_char = std::ptr::null();
        let mut script_conf: f32 = 0.0;
        // SAFETY: the image buffer outlives the calls; Tesseract copies it in SetImage.
        let ok = unsafe {
            sys::TessBaseAPISetImage(osd.0, gray.as_raw().as_ptr(), w as i32, h as i32, 1, w as i32);
            sys::TessBaseAPISetSourceResolution(osd.0, dpi.round() as i32);
            let ok = sys::TessBaseAPIDetectOrientationScript(osd.0, &mut deg, &mut conf, &mut script, &mut script_conf);
            sys::TessBaseAPIClear(osd.0);
            ok
        };
        if ok == 0 || conf < 1.0 {
            return None;
        }
        // Tesseract reports the page's current orientation (counter-clockwise); undo it.
        Some(((360 - deg.rem_euclid(360)) % 360) as u16)
    })
}
