//! Where the spaces of a line go, taken from a second reading of it.
//!
//! PP-OCR's recogniser, trained mostly on Chinese, seldom writes the space between two
//! words ("SANYU STATIONERYSHOP", "FARMASILIGAMAS"), and a gap between two characters is only
//! a guess at one ("EN W Hardware"). Tesseract reads letters less well on a till receipt but
//! puts its spaces where they are printed. [`spaces_from`] aligns the two readings character
//! by character (case and spaces ignored) and, between two neighbouring characters both read
//! the same, takes the second reading's word break; where they read differently the first
//! reading keeps its own.

/// For each character of `first` that is no space, after the first one: whether a space goes
/// before it as `second` reads it (`Some(true)`, `Some(false)`), or `None` where `second` does
/// not tell — the two disagree there. `None` for all when the readings share too little to
/// be one line read twice (fewer than 60 % of the longer one's characters in common, in
/// order).
pub fn spaces_from(first: &[char], second: &str) -> Vec<Option<bool>> {
    let a: Vec<char> = first.iter().filter(|c| !c.is_whitespace()).flat_map(|c| c.to_uppercase()).collect();
    let mut b: Vec<char> = Vec::new();
    let mut space_before: Vec<bool> = Vec::new();
    let mut pending = false;
    for c in second.chars() {
        if c.is_whitespace() {
            pending = !b.is_empty();
            continue;
        }
        for u in c.to_uppercase() {
            b.push(u);
            space_before.push(pending);
            pending = false;
        }
    }
    let mut out = vec![None; a.len()];
    if a.is_empty() || b.is_empty() || a.len() != first.iter().filter(|c| !c.is_whitespace()).count() {
        // A character whose upper case is two ("ß") shifts the positions: leave the line as read.
        return out;
    }
    let pairs = common_subsequence(&a, &b);
    if 10 * pairs.len() < 6 * a.len().max(b.len()) {
        return out;
    }
    for w in pairs.windows(2) {
        let ((i0, j0), (i1, j1)) = (w[0], w[1]);
        if i1 == i0 + 1 && j1 == j0 + 1 {
            out[i1] = Some(space_before[j1]);
        }
    }
    out
}

/// The pairs (i, j) of a longest common subsequence of `a` and `b`, in order.
fn common_subsequence(a: &[char], b: &[char]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    // len[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut len = vec![0u16; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[at(i, j)] = if a[i] == b[j] { len[at(i + 1, j + 1)] + 1 } else { len[at(i + 1, j)].max(len[at(i, j + 1)]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if len[at(i + 1, j)] >= len[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn respaced(first: &str, second: &str) -> String {
        let chars: Vec<char> = first.chars().collect();
        let spaces = spaces_from(&chars, second);
        let mut out = String::new();
        let mut k = 0;
        for (i, c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            let read_space = i > 0 && chars[i - 1].is_whitespace();
            if k > 0 && spaces[k].unwrap_or(read_space) {
                out.push(' ');
            }
            out.push(*c);
            k += 1;
        }
        out
    }

    #[test]
    fn the_second_reading_puts_back_the_spaces_the_first_lost() {
        assert_eq!(respaced("SANYU STATIONERYSHOP", "SANYO STATIONERY SHOP"), "SANYU STATIONERY SHOP");
        assert_eq!(respaced("KSTATIONERY & OFFICE SUPPLIES", "K STATIONERY & OFFICE SUPPLIES"), "K STATIONERY & OFFICE SUPPLIES");
        assert_eq!(respaced("MR.D.I.Y.(M)SDN BHD", "MR. D.1.¥. (M) SON BHD"), "MR. D.I.Y. (M) SDN BHD");
    }

    #[test]
    fn a_space_guessed_where_the_second_reading_has_none_goes() {
        assert_eq!(respaced("EN W Hardware", "ENW Hardware"), "ENW Hardware");
    }

    #[test]
    fn where_the_readings_differ_the_first_keeps_its_own() {
        // "C" against "(": not the same character, so no word break is taken between them.
        assert_eq!(respaced("ENTERPRISECSETIA", "ENTERPRISE (SETIA"), "ENTERPRISECSETIA");
        // Two readings with little in common are no two readings of one line.
        assert_eq!(respaced("GRANDTOTAL", "| rome MY"), "GRANDTOTAL");
        assert!(spaces_from(&[], "A B").is_empty());
    }
}
