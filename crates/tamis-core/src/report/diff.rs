//! A word-level difference between two texts, to show what separates a near duplicate from its survivor.

/// A run of words that both texts share, or that only one of them has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffPiece {
    Same(String),
    Removed(String),
    Added(String),
}

/// The longest-common-subsequence diff of the words of `old` and `new`. Quadratic, so callers cap the input
/// (the report shows at most a few hundred words per text).
pub fn word_diff(old: &str, new: &str) -> Vec<DiffPiece> {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    // lcs[i][j]: length of the LCS of a[i..] and b[j..], in one flat table.
    let width = b.len() + 1;
    let mut lcs = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut pieces: Vec<DiffPiece> = Vec::new();
    let mut push = |piece: DiffPiece| {
        let merged = match (pieces.last_mut(), &piece) {
            (Some(DiffPiece::Same(run)), DiffPiece::Same(word))
            | (Some(DiffPiece::Removed(run)), DiffPiece::Removed(word))
            | (Some(DiffPiece::Added(run)), DiffPiece::Added(word)) => {
                run.push(' ');
                run.push_str(word);
                true
            }
            _ => false,
        };
        if !merged {
            pieces.push(piece);
        }
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            push(DiffPiece::Same(a[i].to_owned()));
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
            push(DiffPiece::Removed(a[i].to_owned()));
            i += 1;
        } else {
            push(DiffPiece::Added(b[j].to_owned()));
            j += 1;
        }
    }
    for word in &a[i..] {
        push(DiffPiece::Removed((*word).to_owned()));
    }
    for word in &b[j..] {
        push(DiffPiece::Added((*word).to_owned()));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_changed_words_and_merges_runs() {
        let pieces = word_diff("the quick brown fox jumps", "the slow brown fox leaps high");
        assert_eq!(
            pieces,
            [
                DiffPiece::Same("the".into()),
                DiffPiece::Removed("quick".into()),
                DiffPiece::Added("slow".into()),
                DiffPiece::Same("brown fox".into()),
                DiffPiece::Removed("jumps".into()),
                DiffPiece::Added("leaps high".into()),
            ]
        );
    }

    #[test]
    fn identical_and_empty_texts() {
        assert_eq!(word_diff("a b", "a  b"), [DiffPiece::Same("a b".into())]);
        assert_eq!(word_diff("", "x"), [DiffPiece::Added("x".into())]);
        assert!(word_diff("", "").is_empty());
    }
}
