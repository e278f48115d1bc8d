//! Word lists for the receipts engine's spelling check ([`super::ppocr`]).
//!
//! PP-OCR's recogniser reads letter by letter with no knowledge of words, so a faded letter in
//! a shop's name comes out as its look-alike ("HARDMARE", "Heauty", "STATONERY"). Tesseract
//! decodes with a dictionary; this gives the second engine the same help: a word that is in
//! no list, one edit away from a word that is, becomes that word when the recogniser's own
//! column probabilities find it nearly as likely as what it read, and stays as read but
//! doubtful when the listed word is less likely than that but not far off (the check is in
//! `ppocr`).
//!
//! The lists are Debian's `wamerican`, `wbritish` and `wngerman` (`/usr/share/dict`), put in
//! place by `scripts/setup.sh` and the Dockerfile; one word per line, compared without case.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use super::OcrError;

/// Where `scripts/setup.sh` and the Dockerfile install the word lists.
pub const DEFAULT_LISTS: [&str; 3] = ["/usr/share/dict/american-english", "/usr/share/dict/british-english", "/usr/share/dict/ngerman"];

/// [`DEFAULT_LISTS`] as paths, the default of `[ocr] word_lists`.
pub fn default_lists() -> Vec<PathBuf> {
    DEFAULT_LISTS.iter().map(PathBuf::from).collect()
}

/// Letters an edit may put in: the lists' languages (English, German).
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzäöüß";

/// The words of one or more lists, lower case.
#[derive(Debug, Default)]
pub struct Lexicon {
    words: HashSet<String>,
}

impl Lexicon {
    /// A lexicon of the given words (for tests and for callers with a list of their own).
    pub fn of<'a>(words: impl IntoIterator<Item = &'a str>) -> Lexicon {
        Lexicon { words: words.into_iter().map(str::to_lowercase).collect() }
    }

    fn load(lists: &[PathBuf]) -> Result<Lexicon, OcrError> {
        let mut words = HashSet::new();
        for list in lists {
            let text =
                std::fs::read_to_string(list).map_err(|e| OcrError(format!("the word list {} does not read: {e} (scripts/setup.sh installs wamerican, wbritish and wngerman)", list.display())))?;
            words.extend(text.lines().map(str::trim).filter(|w| !w.is_empty()).map(str::to_lowercase));
        }
        Ok(Lexicon { words })
    }

    /// Whether `word` is in a list (any case).
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(&word.to_lowercase())
    }

    /// `word` with the umlaut OCR lost put back, where it is no listed word but is one with
    /// one of its vowels given an umlaut ("Sanitar" → "Sanitär", "LOWENZAHN" → "LÖWENZAHN"),
    /// in the case it was read in. Words under four letters and words with an umlaut are not
    /// judged.
    pub fn umlaut_restored(&self, word: &str) -> Option<String> {
        let w: Vec<char> = word.to_lowercase().chars().collect();
        if w.len() < 4 || !w.iter().all(|c| c.is_alphabetic()) || w.iter().any(|c| "äöüß".contains(*c)) || self.words.contains(&w.iter().collect::<String>()) {
            return None;
        }
        (0..w.len()).find_map(|i| {
            let umlaut = match w[i] {
                'a' => 'ä',
                'o' => 'ö',
                'u' => 'ü',
                _ => return None,
            };
            let mut c = w.clone();
            c[i] = umlaut;
            let listed: String = c.into_iter().collect();
            self.words.contains(&listed).then(|| cased_like(&listed, word))
        })
    }

    /// The listed words one edit (a letter left out, put in or changed) away from `word`,
    /// lower case, in a fixed order.
    pub fn neighbours(&self, word: &str) -> Vec<String> {
        let w: Vec<char> = word.to_lowercase().chars().collect();
        let mut found = std::collections::BTreeSet::new();
        let mut try_word = |cand: Vec<char>| {
            let s: String = cand.into_iter().collect();
            if self.words.contains(&s) {
                found.insert(s);
            }
        };
        for i in 0..w.len() {
            let mut c = w.clone();
            c.remove(i);
            try_word(c);
        }
        for i in 0..=w.len() {
            for l in LETTERS.chars() {
                let mut c = w.clone();
                c.insert(i, l);
                try_word(c);
            }
        }
        for i in 0..w.len() {
            for l in LETTERS.chars().filter(|&l| l != w[i]) {
                let mut c = w.clone();
                c[i] = l;
                try_word(c);
            }
        }
        found.into_iter().collect()
    }
}

/// The lexicon of these lists, loaded once per process and shared by every thread's engine.
pub fn shared(lists: &[PathBuf]) -> Result<Arc<Lexicon>, OcrError> {
    static LOADED: OnceLock<Mutex<HashMap<Vec<PathBuf>, Arc<Lexicon>>>> = OnceLock::new();
    let mut loaded = LOADED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(l) = loaded.get(lists) {
        return Ok(l.clone());
    }
    let l = Arc::new(Lexicon::load(lists)?);
    loaded.insert(lists.to_vec(), l.clone());
    Ok(l)
}

/// `word` (lower case) written in the case pattern of `like`: all capitals, a capital first,
/// or as it is.
pub fn cased_like(word: &str, like: &str) -> String {
    let letters: Vec<char> = like.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        word.to_uppercase()
    } else if letters.first().is_some_and(|c| c.is_uppercase()) {
        let mut cs = word.chars();
        cs.next().map(|f| f.to_uppercase().chain(cs).collect()).unwrap_or_default()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_are_listed_words_one_edit_away() {
        let lex = Lexicon::of(["stationery", "hardware", "beauty", "perms", "guardian", "rechnung"]);
        assert_eq!(lex.neighbours("STATONERY"), vec!["stationery"]);
        assert_eq!(lex.neighbours("Hardmare"), vec!["hardware"]);
        assert_eq!(lex.neighbours("heauty"), vec!["beauty"]);
        assert_eq!(lex.neighbours("Rechnunq"), vec!["rechnung"]);
        assert_eq!(lex.neighbours("PERMAS"), vec!["perms"]);
        assert!(lex.neighbours("UNIHAKKA").is_empty());
        assert!(lex.contains("Guardian"));
    }

    #[test]
    fn a_word_that_is_one_only_with_an_umlaut_lost_it() {
        let lex = Lexicon::of(["sanitär", "löwenzahn", "bar", "bär", "söhne"]);
        assert_eq!(lex.umlaut_restored("Sanitar").as_deref(), Some("Sanitär"));
        assert_eq!(lex.umlaut_restored("LOWENZAHN").as_deref(), Some("LÖWENZAHN"));
        assert_eq!(lex.umlaut_restored("Sohne").as_deref(), Some("Söhne"));
        // A listed word, a word with its umlaut, an unknown name, a short word: as read.
        for read in ["Bar", "Sanitär", "Nordlicht", "Bor"] {
            assert_eq!(lex.umlaut_restored(read), None, "{read}");
        }
    }

    #[test]
    fn a_word_takes_the_case_of_what_was_read() {
        assert_eq!(cased_like("hardware", "HARDMARE"), "HARDWARE");
        assert_eq!(cased_like("beauty", "Heauty"), "Beauty");
        assert_eq!(cased_like("guardian", "buardian"), "guardian");
        assert_eq!(cased_like("straße", "STRASE"), "STRASSE");
    }

    #[test]
    fn a_missing_list_says_what_installs_it() {
        let e = shared(&[PathBuf::from("/nonexistent/words")]).unwrap_err();
        assert!(e.0.contains("/nonexistent/words") && e.0.contains("wamerican"), "{e}");
    }
}
