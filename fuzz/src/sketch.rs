//! Shingling and sketching: no panic on any text, the number of shingles follows from the number of units,
//! and every signature is a deterministic function of the shingle *set* (order and repeats do not matter):
//! a second shingler, a second hasher with the same seed, and the parallel batch path all give the same row.

use tamis_core::minhash::{MinHasher, SketchMethod, is_empty_signature};
use tamis_core::shingle::{ShingleConfig, ShingleUnit, Shingler};
use tamis_core::signature::sketch_text_column;
use tamis_core::text::Normalization;
use unicode_segmentation::UnicodeSegmentation;

const NUM_PERMS: [usize; 8] = [1, 2, 3, 7, 16, 64, 128, 256];

/// Units of `text`, counted independently of the shingler.
fn unit_count(unit: ShingleUnit, text: &str) -> usize {
    match unit {
        ShingleUnit::Word => text.unicode_words().count(),
        ShingleUnit::Char => text.chars().count(),
    }
}

/// One shingle per window of `size` units, one for a document shorter than that, none for no unit.
fn expected_shingles(units: usize, size: usize) -> usize {
    match units {
        0 => 0,
        n if n < size => 1,
        n => n - size + 1,
    }
}

pub fn check(data: &[u8]) {
    let [params, seed, body @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(body);
    let unit = if params & 1 == 0 {
        ShingleUnit::Word
    } else {
        ShingleUnit::Char
    };
    let size = usize::from(params >> 1 & 7) + 1;
    let num_perm = NUM_PERMS[usize::from(params >> 4 & 7)];
    let method = if params >> 7 == 0 {
        SketchMethod::Fss
    } else {
        SketchMethod::Classic
    };
    let seed = u64::from(*seed);
    let config = ShingleConfig::new(unit, size).expect("size is at least 1");

    let mut hashes = Vec::new();
    Shingler::new(config).hash_text(&text, &mut hashes);
    assert_eq!(
        hashes.len(),
        expected_shingles(unit_count(unit, &text), size),
        "{unit:?} {size}-grams of {text:?}"
    );
    let mut again = vec![1, 2, 3];
    Shingler::new(config).hash_text(&text, &mut again);
    assert_eq!(
        again, hashes,
        "shingling is deterministic and clears its output"
    );

    let hasher = MinHasher::new(method, num_perm, seed).expect("num_perm is at least 1");
    let signature = hasher.sketch(&hashes);
    assert_eq!(signature.len(), num_perm);
    assert_eq!(
        is_empty_signature(&signature),
        hashes.is_empty(),
        "only a document without shingles has the empty signature"
    );
    let mut as_multiset: Vec<u64> = hashes.iter().rev().copied().collect();
    as_multiset.extend_from_slice(&hashes);
    assert_eq!(
        hasher.sketch(&as_multiset),
        signature,
        "a signature is of the set"
    );
    let fresh = MinHasher::new(method, num_perm, seed).expect("num_perm is at least 1");
    assert_eq!(
        fresh.sketch(&hashes),
        signature,
        "same seed, same signature"
    );

    let column = [Some(text.as_ref()), None, Some(text.as_ref())];
    let batch = sketch_text_column(&column, Normalization::None, config, &hasher);
    assert_eq!(
        batch.row(0),
        signature.as_slice(),
        "batch row = single sketch"
    );
    assert_eq!(
        batch.row(2),
        signature.as_slice(),
        "batch row = single sketch"
    );
    assert!(is_empty_signature(batch.row(1)), "a missing text is empty");

    let normalized = Normalization::Standard.normalize(&text);
    let mut normalized_hashes = Vec::new();
    Shingler::new(config).hash_text(&normalized, &mut normalized_hashes);
    let batch = sketch_text_column(&column[..1], Normalization::Standard, config, &hasher);
    assert_eq!(
        batch.row(0),
        hasher.sketch(&normalized_hashes).as_slice(),
        "the batch path normalizes as Normalization::normalize"
    );
}
