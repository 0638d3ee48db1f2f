//! The character classes the split patterns use, read from regex-syntax's own Unicode tables so the
//! hand-written scanners classify every code point exactly as fancy-regex (and so tiktoken) does.

use regex_syntax::hir::{Class, HirKind};
use std::sync::OnceLock;

/// `\p{L}`
pub(crate) const LETTER: u8 = 1;
/// `\p{N}`
pub(crate) const NUMBER: u8 = 2;
/// `\s` (the Unicode `White_Space` property)
pub(crate) const SPACE: u8 = 4;
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, the "upper" run of o200k's word patterns
pub(crate) const UPPERISH: u8 = 8;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`, the "lower" run of o200k's word patterns
pub(crate) const LOWERISH: u8 = 16;

const BLOCK: usize = 128;
const CODE_POINTS: usize = 0x11_0000;

/// Class bits of every code point, as a two-level table: most 128-code-point blocks are identical
/// (unassigned, all-CJK, ...), so sharing them keeps the table small enough to stay in cache.
pub(crate) struct ClassTable {
    /// The classes of ASCII, the most frequent lookups, without the indirection.
    ascii: [u8; 128],
    block_of: Vec<u16>,
    blocks: Vec<[u8; BLOCK]>,
}

impl ClassTable {
    /// The class bits of a code point (< 0x110000).
    #[inline]
    pub(crate) fn of_ascii(&self, byte: u8) -> u8 {
        self.ascii[usize::from(byte & 0x7F)]
    }

    #[inline]
    pub(crate) fn of(&self, code: u32) -> u8 {
        let cp = code as usize;
        self.blocks[usize::from(self.block_of[cp / BLOCK])][cp % BLOCK]
    }

    fn build() -> Self {
        let mut flat = vec![0u8; CODE_POINTS];
        for (pattern, bit) in [
            (r"\p{L}", LETTER),
            (r"\p{N}", NUMBER),
            (r"\s", SPACE),
            (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", UPPERISH),
            (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", LOWERISH),
        ] {
            for (start, end) in class_ranges(pattern) {
                for class in &mut flat[start as usize..=end as usize] {
                    *class |= bit;
                }
            }
        }
        let mut block_of = Vec::with_capacity(CODE_POINTS / BLOCK);
        let mut blocks: Vec<[u8; BLOCK]> = Vec::new();
        let mut seen = rustc_hash::FxHashMap::default();
        for chunk in flat.chunks_exact(BLOCK) {
            let mut block = [0u8; BLOCK];
            block.copy_from_slice(chunk);
            let index = *seen.entry(block).or_insert_with(|| {
                blocks.push(block);
                blocks.len() - 1
            });
            block_of.push(u16::try_from(index).expect("at most 8704 distinct blocks"));
        }
        let mut ascii = [0u8; 128];
        ascii.copy_from_slice(&flat[..128]);
        ClassTable {
            ascii,
            block_of,
            blocks,
        }
    }
}

/// The code point ranges of a constant class pattern, as regex-syntax resolves it.
fn class_ranges(pattern: &str) -> Vec<(char, char)> {
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .expect("constant class pattern parses");
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|range| (range.start(), range.end()))
            .collect(),
        other => unreachable!("{pattern} is not a Unicode class: {other:?}"),
    }
}

pub(crate) fn classes() -> &'static ClassTable {
    static TABLE: OnceLock<ClassTable> = OnceLock::new();
    TABLE.get_or_init(ClassTable::build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_unicode_categories() {
        let table = classes();
        assert_eq!(table.of(u32::from('a')), LETTER | LOWERISH);
        assert_eq!(table.of(u32::from('A')), LETTER | UPPERISH);
        assert_eq!(table.of(u32::from('中')), LETTER | UPPERISH | LOWERISH);
        assert_eq!(table.of(u32::from('\u{301}')), UPPERISH | LOWERISH);
        assert_eq!(table.of(u32::from('7')), NUMBER);
        assert_eq!(table.of(u32::from('½')), NUMBER);
        assert_eq!(table.of(u32::from('\u{3000}')), SPACE);
        assert_eq!(table.of(u32::from('\n')), SPACE);
        assert_eq!(table.of(u32::from('!')), 0);
        assert_eq!(table.of(u32::from('\u{10FFFF}')), 0);
    }
}
