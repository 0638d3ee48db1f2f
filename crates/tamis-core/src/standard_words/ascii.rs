//! The ASCII stretches of a text, scanned in blocks of 64 bytes.

use super::Cursor;

/// Per ASCII byte: its lowercase when it is a letter or a digit, else one of these two markers.
const ASCII_SEPARATOR: u8 = 0x80;
const ASCII_DROP: u8 = 0x81;

static ASCII_ACTIONS: [u8; 128] = ascii_actions();

const fn ascii_actions() -> [u8; 128] {
    let mut table = [ASCII_SEPARATOR; 128];
    let mut byte = 0u8;
    while byte < 128 {
        if byte.is_ascii_alphanumeric() {
            table[byte as usize] = byte.to_ascii_lowercase();
        } else if crate::text::normalize::is_ascii_punctuation_category(byte) {
            table[byte as usize] = ASCII_DROP;
        }
        byte += 1;
    }
    table
}

/// Bytes per block of [`ascii_stretch`]: one bit each in a `u64`.
pub(super) const BLOCK: usize = 64;

/// Bytes copied at once from a run of word bytes.
const RUN_COPY: usize = 16;

/// ASCII letters and digits. This and [`is_separator_byte`] define the classes a byte at a time: the
/// reference of [`block_masks`] in the tests, and the classifier where SSE2 is not available.
#[allow(
    clippy::needless_bitwise_bool,
    reason = "no branch per comparison, so that the fallback can vectorize"
)]
fn is_word_byte(byte: u8) -> bool {
    (byte.wrapping_sub(b'0') < 10) | ((byte | 0x20).wrapping_sub(b'a') < 26)
}

/// ASCII bytes that end a word: white space, control chars, and the symbols that are not punctuation
/// (`$`, `+`, `<`, `=`, `>`, `^`, `` ` ``, `|`, `~`); the rest of ASCII is letters, digits and punctuation.
#[allow(
    clippy::needless_bitwise_bool,
    reason = "no branch per comparison, so that the fallback can vectorize"
)]
fn is_separator_byte(byte: u8) -> bool {
    (byte <= b' ')
        | (byte == b'$')
        | (byte == b'+')
        | (byte.wrapping_sub(b'<') < 3)
        | (byte == b'^')
        | (byte == b'`')
        | (byte == b'|')
        | (byte >= b'~')
}

/// The masks of a block: bit i of `word` is set when `block[i]` is an ASCII letter or digit, of
/// `separator` when it is a separator, of `non_ascii` when it is not ASCII.
struct BlockMasks {
    word: u64,
    separator: u64,
    non_ascii: u64,
}

/// [`BlockMasks`] of a block, 16 bytes per SSE2 instruction (part of every `x86_64` target).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code, reason = "SSE2 intrinsics; see the SAFETY comment")]
#[allow(
    clippy::cast_ptr_alignment,
    reason = "`_mm_loadu_si128` reads unaligned memory"
)]
fn block_masks(block: &[u8; BLOCK]) -> BlockMasks {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut masks = BlockMasks {
        word: 0,
        separator: 0,
        non_ascii: 0,
    };
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is enabled on every x86_64 target, and `chunk` is 16 readable bytes (an exact
        // chunk), which `_mm_loadu_si128` reads without any alignment requirement. The other
        // intrinsics only compute on registers. `block_masks_match_the_byte_tests` checks the result.
        let (word, separator, non_ascii) = unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let splat = |byte: u8| _mm_set1_epi8(byte as i8);
            // Signed compares are right on ASCII bytes; a block with any other byte is not classified.
            let within = |v: __m128i, low: u8, high: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(v, splat(low - 1)),
                    _mm_cmplt_epi8(v, splat(high + 1)),
                )
            };
            let lowercase = _mm_or_si128(bytes, splat(0x20));
            let word = _mm_or_si128(within(bytes, b'0', b'9'), within(lowercase, b'a', b'z'));
            let equal = |byte: u8| _mm_cmpeq_epi8(bytes, splat(byte));
            let separator = _mm_or_si128(
                _mm_or_si128(
                    _mm_or_si128(_mm_cmplt_epi8(bytes, splat(b' ' + 1)), equal(b'$')),
                    _mm_or_si128(equal(b'+'), within(bytes, b'<', b'>')),
                ),
                _mm_or_si128(
                    _mm_or_si128(equal(b'^'), equal(b'`')),
                    _mm_or_si128(equal(b'|'), _mm_cmpgt_epi8(bytes, splat(b'~' - 1))),
                ),
            );
            (
                _mm_movemask_epi8(word),
                _mm_movemask_epi8(separator),
                _mm_movemask_epi8(bytes),
            )
        };
        let shift = 16 * i;
        masks.word |= u64::from(word as u16) << shift;
        masks.separator |= u64::from(separator as u16) << shift;
        masks.non_ascii |= u64::from(non_ascii as u16) << shift;
    }
    masks
}

/// [`BlockMasks`] of a block, a byte at a time.
#[cfg_attr(
    target_arch = "x86_64",
    allow(dead_code, reason = "the reference of the tests there")
)]
fn block_masks_bytewise(block: &[u8; BLOCK]) -> BlockMasks {
    let mask = |test: fn(u8) -> bool| {
        block
            .iter()
            .enumerate()
            .fold(0, |mask, (i, &byte)| mask | (u64::from(test(byte)) << i))
    };
    BlockMasks {
        word: mask(is_word_byte),
        separator: mask(is_separator_byte),
        non_ascii: mask(|byte| !byte.is_ascii()),
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn block_masks(block: &[u8; BLOCK]) -> BlockMasks {
    block_masks_bytewise(block)
}

/// Where a scan of blocks stands: the next input byte, the bytes written, the words ended, and
/// whether the word still open holds a byte (1) or not (0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BlockScan {
    at: usize,
    len: usize,
    n_words: usize,
    open_word: u64,
}

/// Scans ASCII bytes from `cursor.at` up to the first other byte. Word bytes are copied lowercased and
/// end to end; each word's end is stored when a separator follows it and it is not empty.
///
/// Whole blocks of 64 ASCII bytes are classified at once into two bit masks, words bytes `w` and
/// separators `s`. In the runs of non-separators `!s`, adding `w` carries out of every run that holds a
/// word byte into the separator after it: `(!s + w) & s` marks the separators that end a word, with no
/// branch per byte (word boundaries come every few bytes and would not predict well). The carry out of
/// the block says whether the word still open holds a byte, and is carried into the next block.
pub(super) fn ascii_stretch(
    input: &[u8],
    out: &mut [u8],
    word_ends: &mut [usize],
    cursor: &mut Cursor,
) {
    *cursor = stretch_with(scan_blocks, input, out, word_ends, *cursor);
}

/// [`ascii_stretch`] with the given scanner of blocks, then byte by byte.
fn stretch_with(
    blocks: fn(&[u8], &mut [u8], &mut [usize], BlockScan) -> BlockScan,
    input: &[u8],
    out: &mut [u8],
    word_ends: &mut [usize],
    cursor: Cursor,
) -> Cursor {
    let start = BlockScan {
        at: cursor.at,
        len: cursor.len,
        n_words: cursor.n_words,
        open_word: u64::from(cursor.len != cursor.last_end),
    };
    let BlockScan {
        at,
        len,
        n_words,
        open_word,
    } = blocks(input, out, word_ends, start);
    // The byte loop tells an open word by `len != last_end`.
    let last_end = if open_word == 1 { usize::MAX } else { len };
    scan_bytes(
        input,
        out,
        word_ends,
        Cursor {
            at,
            len,
            n_words,
            last_end,
        },
    )
}

/// The blocks from `state.at`: with AVX-512 where the CPU has it (the last, partial block too), else
/// the whole blocks, with SSSE3 where the CPU has it.
fn scan_blocks(
    input: &[u8],
    out: &mut [u8],
    word_ends: &mut [usize],
    state: BlockScan,
) -> BlockScan {
    #[cfg(target_arch = "x86_64")]
    {
        if compress::available() {
            #[allow(unsafe_code, reason = "a call to a function of detected CPU features")]
            // SAFETY: `compress::available` checked that the CPU has every feature it is compiled for.
            return unsafe { compress::scan_blocks(input, out, word_ends, state) };
        }
        if shuffle::available() {
            #[allow(unsafe_code, reason = "a call to a function of detected CPU features")]
            // SAFETY: `shuffle::available` checked that the CPU has every feature it is compiled for.
            return unsafe { shuffle::scan_blocks(input, out, word_ends, state) };
        }
    }
    scan_blocks_portable(input, out, word_ends, state)
}

/// The whole blocks, each run of word bytes copied 16 bytes at a time. A function of its own, so that
/// the state stays in registers.
#[inline(never)]
fn scan_blocks_portable(
    input: &[u8],
    out: &mut [u8],
    word_ends: &mut [usize],
    state: BlockScan,
) -> BlockScan {
    let BlockScan {
        mut at,
        mut len,
        mut n_words,
        mut open_word,
    } = state;
    loop {
        let block = input
            .get(at..at + BLOCK)
            .and_then(|block| <&[u8; BLOCK]>::try_from(block).ok());
        let out_block = out.get_mut(len..len + BLOCK + RUN_COPY);
        let (Some(block), Some(out_block)) = (block, out_block) else {
            break;
        };
        let Some(ends_block) = word_ends.get_mut(n_words..n_words + BLOCK) else {
            break;
        };
        let BlockMasks {
            word: word_bytes,
            separator: separators,
            non_ascii,
        } = block_masks(block);
        if non_ascii != 0 {
            break;
        }
        let (mut ending, carry) = word_endings(word_bytes, separators, open_word);
        open_word = carry;
        // Copy each run of word bytes (a word is one run, or several where punctuation was dropped), 16
        // bytes at a time, and end a word where an ending separator lies before the next run.
        let mut lowered = [0u8; BLOCK + RUN_COPY];
        for (low, &byte) in lowered.iter_mut().zip(block) {
            *low = byte | (u8::from(byte.wrapping_sub(b'A') < 26) << 5);
        }
        let mut runs = word_bytes;
        let mut written = 0;
        let mut ended = 0;
        while runs != 0 {
            let start = runs.trailing_zeros() as usize;
            let before = ending & ((1u64 << start) - 1);
            ends_block[ended % BLOCK] = len + written;
            ended += usize::from(before != 0);
            ending ^= before;
            let run = (!(runs >> start)).trailing_zeros() as usize;
            for piece in (0..run).step_by(RUN_COPY) {
                let from = (start + piece) % BLOCK;
                let to = (written + piece) % BLOCK;
                out_block[to..to + RUN_COPY].copy_from_slice(&lowered[from..from + RUN_COPY]);
            }
            written += run;
            // `run` bits from `start` are set; clear them (a run may reach bit 63).
            runs &= !((u64::MAX >> (BLOCK - run)) << start);
        }
        ends_block[ended % BLOCK] = len + written;
        ended += usize::from(ending != 0);
        at += BLOCK;
        len += written;
        n_words += ended;
    }
    BlockScan {
        at,
        len,
        n_words,
        open_word,
    }
}

/// The separators of a block that end a word (see [`ascii_stretch`]), and whether the word still open
/// at its end holds a byte.
#[inline]
fn word_endings(word_bytes: u64, separators: u64, open_word: u64) -> (u64, u64) {
    let (sum, carry_a) = (!separators).overflowing_add(word_bytes);
    let (sum, carry_b) = sum.overflowing_add(open_word);
    (sum & separators, u64::from(carry_a | carry_b))
}

/// The bits of `in_reach` below the lowest bit of `non_ascii` (all of them where it has none): the
/// bytes of a partial block that the accelerated scanners classify.
#[cfg(target_arch = "x86_64")]
#[inline]
fn before_first(non_ascii: u64, in_reach: u64) -> u64 {
    in_reach & (non_ascii & non_ascii.wrapping_neg()).wrapping_sub(1)
}

/// Stores, from `ends_block[0]` on, the end of each word that a separator of `ending` closes: `len`
/// plus the count of word bytes before that separator (the word bytes are packed end to end from
/// `len`). Returns how many were stored. The accelerated scanners' way, with no loop per run.
#[cfg(target_arch = "x86_64")]
#[inline]
fn store_word_ends(
    mut ending: u64,
    word_bytes: u64,
    len: usize,
    ends_block: &mut [usize],
) -> usize {
    let mut ended = 0;
    while ending != 0 {
        let below = (1u64 << ending.trailing_zeros()) - 1;
        ends_block[ended % BLOCK] = len + (word_bytes & below).count_ones() as usize;
        ended += 1;
        ending &= ending - 1;
    }
    ended
}

/// The ASCII bytes from `cursor.at` one at a time, up to the first other byte.
#[allow(
    clippy::needless_bitwise_bool,
    reason = "bitwise keeps the per-byte loop free of branches"
)]
fn scan_bytes(input: &[u8], out: &mut [u8], word_ends: &mut [usize], cursor: Cursor) -> Cursor {
    let Cursor {
        mut at,
        mut len,
        mut n_words,
        mut last_end,
    } = cursor;
    for &byte in input.get(at..).unwrap_or_default() {
        if !byte.is_ascii() {
            break;
        }
        let action = ASCII_ACTIONS[usize::from(byte)];
        out[len] = action;
        len += usize::from(action < ASCII_SEPARATOR);
        let separator = action == ASCII_SEPARATOR;
        word_ends[n_words] = len;
        n_words += usize::from(separator & (len != last_end));
        last_end = if separator { len } else { last_end };
        at += 1;
    }
    Cursor {
        at,
        len,
        n_words,
        last_end,
    }
}

/// Blocks with AVX-512 (`x86_64` CPUs since Ice Lake and Zen 4): one table lookup of the 64 bytes gives
/// their lowercase or class, and one compress instruction writes the word bytes end to end. A word's
/// end is then the count of word bytes before its ending separator, so that no loop runs per run of
/// word bytes. A masked load reads the last, partial block, and the ASCII bytes before a non-ASCII
/// one, so that no byte is left to the byte loop.
#[cfg(target_arch = "x86_64")]
mod compress {
    use std::arch::x86_64::{
        __m512i, _mm512_cmpeq_epi8_mask, _mm512_loadu_si512, _mm512_maskz_compress_epi8,
        _mm512_maskz_loadu_epi8, _mm512_movepi8_mask, _mm512_permutex2var_epi8, _mm512_set1_epi8,
        _mm512_storeu_si512,
    };

    use super::{
        ASCII_ACTIONS, ASCII_SEPARATOR, BLOCK, BlockScan, before_first, store_word_ends,
        word_endings,
    };

    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vbmi")
            && std::arch::is_x86_feature_detected!("avx512vbmi2")
            && std::arch::is_x86_feature_detected!("popcnt")
    }

    /// [`super::scan_blocks_portable`], on partial blocks too (`compressed_blocks_match_the_portable`
    /// checks that both scanners, followed by the byte loop, write the same).
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512vbmi2,popcnt")]
    #[allow(
        unsafe_code,
        reason = "AVX-512 loads and stores; see the SAFETY comments"
    )]
    #[allow(
        clippy::cast_ptr_alignment,
        reason = "the loads and stores are unaligned ones"
    )]
    pub(super) fn scan_blocks(
        input: &[u8],
        out: &mut [u8],
        word_ends: &mut [usize],
        state: BlockScan,
    ) -> BlockScan {
        let BlockScan {
            mut at,
            mut len,
            mut n_words,
            mut open_word,
        } = state;
        // SAFETY: `ASCII_ACTIONS` is 128 bytes: two unaligned reads of 64.
        let (table_low, table_high) = unsafe {
            (
                _mm512_loadu_si512(ASCII_ACTIONS.as_ptr().cast::<__m512i>()),
                _mm512_loadu_si512(ASCII_ACTIONS[BLOCK..].as_ptr().cast::<__m512i>()),
            )
        };
        let separator_action = _mm512_set1_epi8(ASCII_SEPARATOR as i8);
        loop {
            let remaining = input.len().saturating_sub(at);
            let (Some(out_block), Some(ends_block)) = (
                out.get_mut(len..len + BLOCK),
                word_ends.get_mut(n_words..n_words + BLOCK),
            ) else {
                break;
            };
            if remaining == 0 {
                break;
            }
            let in_reach = u64::MAX >> BLOCK.saturating_sub(remaining);
            // SAFETY: `at < input.len()`, so the pointer is inside `input`; the masked load reads only
            // the bytes of `in_reach`, the `min(remaining, 64)` bytes from `at`, and does not touch
            // (or fault on) the others, which it sets to zero.
            let bytes = unsafe { _mm512_maskz_loadu_epi8(in_reach, input.as_ptr().add(at).cast()) };
            // The bytes before the first that is not ASCII (all of them where there is none).
            let non_ascii = _mm512_movepi8_mask(bytes);
            let valid = before_first(non_ascii, in_reach);
            if valid == 0 {
                break;
            }
            // Each byte's entry in the 128-byte table (its low 7 bits index it): its lowercase below
            // 0x80, a marker from 0x80. Bytes past `valid` are neither word bytes nor separators, so
            // the carry out of them says whether the word open at the last valid byte holds one.
            let actions = _mm512_permutex2var_epi8(table_low, bytes, table_high);
            let word_bytes = !_mm512_movepi8_mask(actions) & valid;
            let separators = _mm512_cmpeq_epi8_mask(actions, separator_action) & valid;
            let written = _mm512_maskz_compress_epi8(word_bytes, actions);
            // SAFETY: `out_block` is 64 writable bytes.
            unsafe { _mm512_storeu_si512(out_block.as_mut_ptr().cast::<__m512i>(), written) };
            let (ending, carry) = word_endings(word_bytes, separators, open_word);
            open_word = carry;
            let ended = store_word_ends(ending, word_bytes, len, ends_block);
            let scanned = valid.count_ones() as usize;
            at += scanned;
            len += word_bytes.count_ones() as usize;
            n_words += ended;
            if scanned < BLOCK {
                break;
            }
        }
        BlockScan {
            at,
            len,
            n_words,
            open_word,
        }
    }
}

/// Blocks with SSSE3, for the `x86_64` CPUs without AVX-512 (all since 2006 have SSSE3). The word bytes
/// of each 8-byte group are packed by one byte shuffle, whose pattern a table gives for the group's 8
/// bits of the word mask; a word's end is then the count of word bytes before its ending separator, as
/// with AVX-512. The portable scanner's loop per run of word bytes (a branch per run, a few per block)
/// was most of the scan's time.
#[cfg(target_arch = "x86_64")]
mod shuffle {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadl_epi64, _mm_loadu_si128,
        _mm_or_si128, _mm_set1_epi8, _mm_shuffle_epi8, _mm_storel_epi64,
    };

    use super::{
        BLOCK, BlockMasks, BlockScan, before_first, block_masks, store_word_ends, word_endings,
    };

    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("ssse3")
            && std::arch::is_x86_feature_detected!("popcnt")
    }

    /// Per 8-bit mask, the positions of its set bits in increasing order (then zeros): the shuffle
    /// that packs the masked bytes of a group to its front.
    static PACK: [[u8; 8]; 256] = pack_table();

    const fn pack_table() -> [[u8; 8]; 256] {
        let mut table = [[0u8; 8]; 256];
        let mut mask = 0;
        while mask < 256 {
            let mut packed = 0;
            let mut bit = 0;
            while bit < 8 {
                if mask & (1 << bit) != 0 {
                    table[mask][packed] = bit as u8;
                    packed += 1;
                }
                bit += 1;
            }
            mask += 1;
        }
        table
    }

    /// [`super::scan_blocks_portable`], on partial blocks too: the last one of the input, and the ASCII
    /// bytes before a non-ASCII one, so that no byte is left to the byte loop (`shuffled_blocks_match_the_portable`
    /// checks that both scanners, followed by the byte loop, write the same).
    #[target_feature(enable = "ssse3,popcnt")]
    #[allow(
        unsafe_code,
        reason = "SSSE3 loads, shuffles and stores; see the SAFETY comments"
    )]
    #[allow(
        clippy::cast_ptr_alignment,
        reason = "the loads and stores are unaligned ones"
    )]
    pub(super) fn scan_blocks(
        input: &[u8],
        out: &mut [u8],
        word_ends: &mut [usize],
        state: BlockScan,
    ) -> BlockScan {
        let BlockScan {
            mut at,
            mut len,
            mut n_words,
            mut open_word,
        } = state;
        let splat = |byte: u8| _mm_set1_epi8(byte as i8);
        let mut partial = [0u8; BLOCK];
        loop {
            let remaining = input.len().saturating_sub(at);
            // Each group's 8-byte store ends at most 8 bytes past the 8 bytes per group before it.
            let out_block = out.get_mut(len..len + BLOCK);
            let ends_block = word_ends.get_mut(n_words..n_words + BLOCK);
            let (Some(out_block), Some(ends_block)) = (out_block, ends_block) else {
                break;
            };
            if remaining == 0 {
                break;
            }
            let whole = input
                .get(at..at + BLOCK)
                .and_then(|block| <&[u8; BLOCK]>::try_from(block).ok());
            let block = if let Some(whole) = whole {
                whole
            } else {
                // The last bytes, copied to the front of a block; the rest is not `in_reach`.
                partial[..remaining].copy_from_slice(&input[at..]);
                &partial
            };
            let in_reach = u64::MAX >> BLOCK.saturating_sub(remaining);
            let BlockMasks {
                word: word_bytes,
                separator: separators,
                non_ascii,
            } = block_masks(block);
            // The bytes before the first that is not ASCII (all of them where there is none). Each
            // byte is classified alone, so those before it are classified right.
            let non_ascii = non_ascii & in_reach;
            let valid = before_first(non_ascii, in_reach);
            if valid == 0 {
                break;
            }
            // Bytes past `valid` are neither word bytes nor separators, so the carry out of them says
            // whether the word open at the last valid byte holds one.
            let (word_bytes, separators) = (word_bytes & valid, separators & valid);
            let (ending, carry) = word_endings(word_bytes, separators, open_word);
            open_word = carry;
            let mut written = 0;
            for (i, chunk) in block.chunks_exact(16).enumerate() {
                // SAFETY: `chunk` is 16 readable bytes, which `_mm_loadu_si128` reads without any
                // alignment requirement; a `PACK` entry is 8 readable bytes (`_mm_loadl_epi64`); the
                // store of group g writes 8 bytes from `written`, which is at most 8 * g, so inside
                // `out_block` (`BLOCK` bytes). The other intrinsics compute on registers.
                unsafe {
                    let bytes = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
                    // Signed compares are right on ASCII bytes (the block is all ASCII).
                    let upper = _mm_and_si128(
                        _mm_cmpgt_epi8(bytes, splat(b'A' - 1)),
                        _mm_cmplt_epi8(bytes, splat(b'Z' + 1)),
                    );
                    let lowered = _mm_or_si128(bytes, _mm_and_si128(upper, splat(0x20)));
                    for half in 0..2 {
                        let group = (word_bytes >> (16 * i + 8 * half)) as u8;
                        let pattern =
                            _mm_loadl_epi64(PACK[usize::from(group)].as_ptr().cast::<__m128i>());
                        // The second group's bytes are the upper 8 of the 16.
                        let pattern = _mm_or_si128(pattern, splat(8 * half as u8));
                        let packed = _mm_shuffle_epi8(lowered, pattern);
                        _mm_storel_epi64(
                            out_block[written % BLOCK..].as_mut_ptr().cast::<__m128i>(),
                            packed,
                        );
                        written += group.count_ones() as usize;
                    }
                }
            }
            let ended = store_word_ends(ending, word_bytes, len, ends_block);
            let scanned = valid.count_ones() as usize;
            at += scanned;
            len += written;
            n_words += ended;
            if scanned < BLOCK {
                break;
            }
        }
        BlockScan {
            at,
            len,
            n_words,
            open_word,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_tests_agree_with_the_table() {
        for byte in 0u8..128 {
            let action = ASCII_ACTIONS[usize::from(byte)];
            assert_eq!(is_word_byte(byte), action < ASCII_SEPARATOR, "{byte}");
            assert_eq!(is_separator_byte(byte), action == ASCII_SEPARATOR, "{byte}");
        }
    }

    #[test]
    fn block_masks_match_the_byte_tests() {
        let mut state = 0xB10C_u64;
        for case in 0..20_000 {
            let mut block = [0u8; BLOCK];
            for byte in &mut block {
                state = crate::minhash::splitmix64(state);
                // Every other block all ASCII; the rest with a byte above 127 now and then.
                *byte = if case % 2 == 0 || !state.is_multiple_of(16) {
                    (state >> 8) as u8 & 0x7f
                } else {
                    (state >> 8) as u8
                };
            }
            let (fast, reference) = (block_masks(&block), block_masks_bytewise(&block));
            assert_eq!(fast.non_ascii, reference.non_ascii);
            if fast.non_ascii == 0 {
                assert_eq!(
                    (fast.word, fast.separator),
                    (reference.word, reference.separator)
                );
            }
        }
    }

    /// Runs the AVX-512 block scanner and the portable one, each followed by the byte loop, and
    /// compares what they write and where they stop (see `matches_the_portable`). Where the CPU lacks
    /// AVX-512 there is nothing to compare.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn compressed_blocks_match_the_portable() {
        if !compress::available() {
            return;
        }
        #[allow(unsafe_code, reason = "a call to a function of detected CPU features")]
        matches_the_portable(|input, out, ends, start| {
            // SAFETY: `compress::available` returned true above.
            unsafe { compress::scan_blocks(input, out, ends, start) }
        });
    }

    /// As `compressed_blocks_match_the_portable`, for the SSSE3 scanner.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn shuffled_blocks_match_the_portable() {
        if !shuffle::available() {
            return;
        }
        #[allow(unsafe_code, reason = "a call to a function of detected CPU features")]
        matches_the_portable(|input, out, ends, start| {
            // SAFETY: `shuffle::available` returned true above.
            unsafe { shuffle::scan_blocks(input, out, ends, start) }
        });
    }

    /// Runs `blocks` and the portable block scanner, each followed by the byte loop, on random ASCII
    /// (letters, digits, separators, punctuation, now and then a byte above 127) from random states,
    /// and compares what they write and where they stop.
    fn matches_the_portable(blocks: fn(&[u8], &mut [u8], &mut [usize], BlockScan) -> BlockScan) {
        let alphabet = b"abcXYZ0189 \n\t.,'-!$+<=>^`|~\x01\x7f";
        let mut state = 0x00C0_FFEE_u64;
        let mut draw = |below: u64| {
            state = crate::minhash::splitmix64(state);
            state % below
        };
        for case in 0..20_000 {
            let length = draw(320) as usize;
            let input: Vec<u8> = (0..length)
                .map(|_| match draw(if case % 3 == 0 { 400 } else { 1 << 20 }) {
                    0 => 0xC3,
                    drawn => alphabet[drawn as usize % alphabet.len()],
                })
                .collect();
            let len = draw(8) as usize;
            let start = Cursor {
                at: draw(8) as usize,
                len,
                n_words: draw(4) as usize,
                last_end: if draw(2) == 0 { len } else { usize::MAX },
            };
            let scan = |blocks: fn(&[u8], &mut [u8], &mut [usize], BlockScan) -> BlockScan| {
                let mut out = vec![0xAA; 8 + length + 2 * BLOCK];
                let mut ends = vec![usize::MAX; 4 + length / 2 + 2 * BLOCK];
                let end = stretch_with(blocks, &input, &mut out, &mut ends, start);
                out.truncate(end.len);
                ends.truncate(end.n_words);
                // Where the last word ended matters only as whether a word is open.
                let open_word = end.len != end.last_end;
                (end.at, end.len, end.n_words, open_word, out, ends)
            };
            assert_eq!(
                scan(blocks),
                scan(scan_blocks_portable),
                "case {case}: {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}
