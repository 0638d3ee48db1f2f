//! Text to candidate pairs through the public API: shingle, sketch in batch, band, self-join.

use tamis_core::lsh::{BandIndex, LshParams};
use tamis_core::minhash::{MinHasher, SketchMethod};
use tamis_core::shingle::ShingleConfig;
use tamis_core::signature::sketch_texts;

const SEA: &str = "The sea was calm that morning and the fishermen pushed their boats into the \
    water before dawn, singing the old songs their fathers had taught them on the same beach, \
    while the gulls circled above the harbour waiting for the first catch of the day.";
const MOUNTAIN: &str = "High in the mountains the snow fell for three days without pause, and \
    the villagers gathered around the stove to tell stories of wolves, of lost travellers and of \
    the winter when the river froze so hard that carts could cross it from bank to bank.";

#[test]
fn near_duplicates_pair_and_nothing_else_does() {
    let sea_edited = SEA
        .replace("calm", "quiet")
        .replace("old songs", "ancient songs");
    let mountain_edited = format!("{MOUNTAIN} Nobody remembers who told them first.");
    let texts = [
        SEA,
        MOUNTAIN,
        sea_edited.as_str(),
        "",
        mountain_edited.as_str(),
        "",
    ];
    for method in [SketchMethod::Classic, SketchMethod::Fss] {
        let hasher = MinHasher::new(method, 128, 42).unwrap();
        let signatures = sketch_texts(&texts, ShingleConfig::default(), &hasher);
        let mut index = BandIndex::new(LshParams::optimal(0.3, 128, 0.5, 0.5).unwrap());
        index.insert_batch(&signatures).unwrap();
        assert_eq!(index.self_join(), vec![(0, 2), (1, 4)], "{method:?}");
    }
}
