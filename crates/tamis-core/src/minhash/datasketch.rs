//! Signatures identical to Python datasketch 2.0's `MinHash(num_perm, seed, hashfunc, scheme)`.
//!
//! datasketch draws its permutation parameters from `numpy.random.RandomState(seed)`:
//! - `legacy`: per permutation, `a = randint(1, p)` then `b = randint(0, p)` with `p = 2^61 - 1`;
//!   a token hash `h` (32-bit) maps to `((a * h + b) mod 2^64) mod p`, truncated to its low 32 bits,
//!   stored as `uint64`; the empty value is `2^32 - 1`.
//! - `affine32` / `affine64` (w = 32 / 64): first all `a = 2 * randint(0, 2^(w-1)) + 1`, then all
//!   `b = randint(0, 2^w)`; the token hash is pre-mixed once with the `MurmurHash3` finalizer of width
//!   w, then mapped to `a * h + b mod 2^w`; the empty value is `2^w - 1`.
//!
//! The default token hash is `sha1_hash32` (first 4 bytes of SHA-1, little endian) for `affine32`
//! and `legacy`, and `sha1_hash64` (first 8 bytes) for `affine64`. Signatures are returned as `u64`
//! for every scheme; `affine32` values fit in `u32`, datasketch's dtype for it.

use std::str::FromStr;

use super::check_num_perm;
use super::mt19937::Mt19937;
use crate::error::{Error, Result};

const MERSENNE_PRIME: u64 = (1 << 61) - 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DatasketchScheme {
    /// datasketch 2.0's default.
    #[default]
    Affine32,
    Affine64,
    /// The only scheme before datasketch 2.0.
    Legacy,
}

impl DatasketchScheme {
    /// The largest value a slot can hold, which is also the empty-document value.
    pub fn max_hash(self) -> u64 {
        match self {
            DatasketchScheme::Affine32 | DatasketchScheme::Legacy => u64::from(u32::MAX),
            DatasketchScheme::Affine64 => u64::MAX,
        }
    }

    /// The largest token hash the scheme accepts (datasketch raises on larger ones for `affine32`;
    /// `legacy` wraps 64-bit arithmetic and accepts any `u64`).
    fn max_token_hash(self) -> u64 {
        match self {
            DatasketchScheme::Affine32 => u64::from(u32::MAX),
            DatasketchScheme::Affine64 | DatasketchScheme::Legacy => u64::MAX,
        }
    }
}

impl FromStr for DatasketchScheme {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "affine32" => Ok(DatasketchScheme::Affine32),
            "affine64" => Ok(DatasketchScheme::Affine64),
            "legacy" => Ok(DatasketchScheme::Legacy),
            other => Err(Error::InvalidArgument(format!(
                "unknown datasketch scheme '{other}', expected 'affine32', 'affine64' or 'legacy'"
            ))),
        }
    }
}

/// datasketch's `sha1_hash32`: the first 4 bytes of SHA-1 as a little-endian integer.
pub fn sha1_hash32(data: &[u8]) -> u32 {
    let digest = sha1_smol::Sha1::from(data).digest().bytes();
    u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// datasketch's `sha1_hash64`: the first 8 bytes of SHA-1 as a little-endian integer.
pub fn sha1_hash64(data: &[u8]) -> u64 {
    let digest = sha1_smol::Sha1::from(data).digest().bytes();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// The permutation parameters of one datasketch `MinHash(num_perm, seed, scheme=...)`.
#[derive(Debug, Clone)]
pub struct DatasketchMinHash {
    scheme: DatasketchScheme,
    multipliers: Vec<u64>,
    offsets: Vec<u64>,
}

impl DatasketchMinHash {
    /// `seed` is numpy's `RandomState` seed, hence 32 bits.
    pub fn new(num_perm: usize, seed: u32, scheme: DatasketchScheme) -> Result<Self> {
        check_num_perm(num_perm)?;
        let mut generator = Mt19937::new(seed);
        let (multipliers, offsets) = match scheme {
            DatasketchScheme::Legacy => (0..num_perm)
                .map(|_| {
                    let a = generator.randint_u64(1, MERSENNE_PRIME);
                    let b = generator.randint_u64(0, MERSENNE_PRIME);
                    (a, b)
                })
                .unzip(),
            DatasketchScheme::Affine32 => {
                let a = (0..num_perm)
                    .map(|_| u64::from(generator.randint_u32(0, 1 << 31)) * 2 + 1)
                    .collect();
                let b = (0..num_perm)
                    .map(|_| u64::from(generator.randint_u32(0, 1 << 32)))
                    .collect();
                (a, b)
            }
            DatasketchScheme::Affine64 => {
                let a = (0..num_perm)
                    .map(|_| generator.randint_u64(0, 1 << 63) * 2 + 1)
                    .collect();
                let b = (0..num_perm).map(|_| generator.next_u64()).collect();
                (a, b)
            }
        };
        Ok(DatasketchMinHash {
            scheme,
            multipliers,
            offsets,
        })
    }

    pub fn scheme(&self) -> DatasketchScheme {
        self.scheme
    }

    pub fn num_perm(&self) -> usize {
        self.multipliers.len()
    }

    /// The `(a, b)` permutation parameters, as datasketch's `MinHash.permutations`.
    pub fn permutations(&self) -> (&[u64], &[u64]) {
        (&self.multipliers, &self.offsets)
    }

    /// datasketch's default `hashfunc` for this scheme.
    pub fn default_token_hash(&self, token: &[u8]) -> u64 {
        match self.scheme {
            DatasketchScheme::Affine64 => sha1_hash64(token),
            DatasketchScheme::Affine32 | DatasketchScheme::Legacy => u64::from(sha1_hash32(token)),
        }
    }

    /// The signature of `MinHash.update_batch(tokens)` with the default SHA-1 hash function.
    pub fn sketch_tokens<'a>(&self, tokens: impl IntoIterator<Item = &'a [u8]>) -> Vec<u64> {
        let mut signature = vec![self.scheme.max_hash(); self.num_perm()];
        for token in tokens {
            self.update(&mut signature, self.default_token_hash(token));
        }
        signature
    }

    /// The signature for the values a custom `hashfunc` returned. Like datasketch, `affine32`
    /// rejects values that do not fit in 32 bits.
    pub fn sketch_hashes(&self, token_hashes: &[u64]) -> Result<Vec<u64>> {
        let max = self.scheme.max_token_hash();
        if let Some(bad) = token_hashes.iter().find(|&&hash| hash > max) {
            return Err(Error::InvalidArgument(format!(
                "token hash {bad} does not fit the {:?} scheme (at most {max})",
                self.scheme
            )));
        }
        let mut signature = vec![self.scheme.max_hash(); self.num_perm()];
        for &hash in token_hashes {
            self.update(&mut signature, hash);
        }
        Ok(signature)
    }

    fn update(&self, signature: &mut [u64], token_hash: u64) {
        let params = self.multipliers.iter().zip(&self.offsets);
        match self.scheme {
            DatasketchScheme::Legacy => {
                for (slot, (&a, &b)) in signature.iter_mut().zip(params) {
                    let permuted =
                        (a.wrapping_mul(token_hash).wrapping_add(b) % MERSENNE_PRIME) & 0xFFFF_FFFF;
                    *slot = (*slot).min(permuted);
                }
            }
            DatasketchScheme::Affine32 => {
                let mixed = fmix32(token_hash as u32);
                for (slot, (&a, &b)) in signature.iter_mut().zip(params) {
                    let permuted = (a as u32).wrapping_mul(mixed).wrapping_add(b as u32);
                    *slot = (*slot).min(u64::from(permuted));
                }
            }
            DatasketchScheme::Affine64 => {
                let mixed = super::fmix64(token_hash);
                for (slot, (&a, &b)) in signature.iter_mut().zip(params) {
                    *slot = (*slot).min(a.wrapping_mul(mixed).wrapping_add(b));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOX: &str = "the quick brown fox jumps over the lazy dog";

    fn fox_signature(scheme: DatasketchScheme, seed: u32) -> Vec<u64> {
        DatasketchMinHash::new(8, seed, scheme)
            .unwrap()
            .sketch_tokens(FOX.split(' ').map(str::as_bytes))
    }

    // Oracle values below come from datasketch 2.0.0 with numpy 2.4.6:
    // python -c "from datasketch import MinHash; m = MinHash(num_perm=8, seed=SEED, scheme=SCHEME);
    //   m.update_batch([w.encode() for w in 'the quick brown fox jumps over the lazy dog'.split()]);
    //   print(list(map(int, m.hashvalues)))"

    #[test]
    fn affine32_matches_datasketch() {
        assert_eq!(
            fox_signature(DatasketchScheme::Affine32, 1),
            [
                417_867_125,
                301_107_518,
                6_162_948,
                48_413_517,
                673_604_544,
                93_351_805,
                602_105_657,
                1_437_118_808
            ]
        );
        assert_eq!(
            fox_signature(DatasketchScheme::Affine32, 42),
            [
                44_871_408,
                20_324_622,
                242_226_118,
                484_081_948,
                1_479_892_846,
                827_597_800,
                483_278_339,
                500_943_046
            ]
        );
    }

    #[test]
    fn affine64_matches_datasketch() {
        assert_eq!(
            fox_signature(DatasketchScheme::Affine64, 1),
            [
                939_943_788_422_810_586,
                1_033_507_083_587_398_555,
                3_258_735_815_181_164_610,
                2_539_584_326_104_369_204,
                1_126_460_329_920_722_595,
                1_475_564_337_854_628_489,
                881_342_743_402_127_990,
                459_835_550_718_126_180
            ]
        );
        assert_eq!(
            fox_signature(DatasketchScheme::Affine64, 42),
            [
                172_601_645_354_547_527,
                4_840_531_193_199_725_725,
                2_798_889_572_602_893_584,
                306_638_726_245_558_918,
                2_117_622_662_434_314_226,
                73_620_209_854_632_213,
                1_488_318_548_154_896_435,
                1_908_032_999_418_619_151
            ]
        );
    }

    #[test]
    fn legacy_matches_datasketch() {
        assert_eq!(
            fox_signature(DatasketchScheme::Legacy, 1),
            [
                407_326_892,
                34_383_241,
                44_059_036,
                1_119_886_979,
                136_245_013,
                1_552_394_070,
                196_634_065,
                1_653_279_545
            ]
        );
        assert_eq!(
            fox_signature(DatasketchScheme::Legacy, 42),
            [
                539_381_088,
                74_520_796,
                609_088_315,
                549_412_199,
                172_392_964,
                94_322_239,
                301_198_310,
                515_311_549
            ]
        );
    }

    #[test]
    fn permutations_match_datasketch() {
        // python -c "import numpy as np; from datasketch import MinHash;
        //   print(np.asarray(MinHash(num_perm=3, seed=1, scheme=SCHEME).permutations).tolist())"
        let cases: [(DatasketchScheme, [[u64; 3]; 2]); 3] = [
            (
                DatasketchScheme::Affine32,
                [
                    [3_582_191_691, 4_270_784_983, 1_892_572_953],
                    [4_005_303_368, 491_263, 550_290_313],
                ],
            ),
            (
                DatasketchScheme::Affine64,
                [
                    [
                        15_385_396_165_118_722_519,
                        8_128_538_942_144_784_529,
                        4_219_918_138_050_323,
                    ],
                    [
                        5_577_051_506_714_156_677,
                        2_707_168_392_203_228_096,
                        1_703_346_441_743_126_657,
                    ],
                ],
            ),
            (
                DatasketchScheme::Legacy,
                [
                    [
                        775_169_054_918_279_404,
                        2_109_959_069_025_162,
                        401_325_382_989_534_145,
                    ],
                    [
                        1_758_426_461_858_698_312,
                        965_365_488_286_768_773,
                        1_703_346_441_743_126_657,
                    ],
                ],
            ),
        ];
        for (scheme, [a, b]) in cases {
            let sketcher = DatasketchMinHash::new(3, 1, scheme).unwrap();
            assert_eq!(sketcher.permutations(), (&a[..], &b[..]), "{scheme:?}");
        }
    }

    #[test]
    fn custom_hash_values_match_datasketch() {
        // python -c "from datasketch import MinHash; m = MinHash(num_perm=8, seed=1, scheme=SCHEME,
        //   hashfunc=lambda x: x); m.update_batch([0, 1, 12345, 4294967295]); print(list(map(int, m.hashvalues)))"
        let values = [0, 1, 12_345, 4_294_967_295];
        let cases: [(DatasketchScheme, [u64; 8]); 3] = [
            (
                DatasketchScheme::Affine32,
                [
                    630_311_759,
                    594_951_281,
                    396_591_248,
                    274_675_658,
                    799_981_516,
                    1_274_113_666,
                    1_484_172_013,
                    172_414_575,
                ],
            ),
            (
                DatasketchScheme::Affine64,
                [
                    1_239_422_813_053_177_187,
                    8_912_340_180_587_042_845,
                    554_865_148_030_557_719,
                    3_620_482_469_248_111_702,
                    1_294_953_826_833_558_210,
                    3_219_127_924_945_100_832,
                    505_211_975_917_066_638,
                    191_065_005_313_554_650,
                ],
            ),
            (
                DatasketchScheme::Legacy,
                [
                    768_870_618,
                    546_169_359,
                    689_306_818,
                    247_633_989,
                    327_127_012,
                    907_417_712,
                    986_026_652,
                    1_089_415_964,
                ],
            ),
        ];
        for (scheme, want) in cases {
            let sketcher = DatasketchMinHash::new(8, 1, scheme).unwrap();
            assert_eq!(sketcher.sketch_hashes(&values).unwrap(), want, "{scheme:?}");
        }
    }

    #[test]
    fn non_ascii_token_matches_datasketch() {
        // python -c "from datasketch import MinHash; m = MinHash(num_perm=4, seed=1, scheme=SCHEME);
        //   m.update('héllo wörld'.encode()); print(list(map(int, m.hashvalues)))"
        let cases: [(DatasketchScheme, [u64; 4]); 3] = [
            (
                DatasketchScheme::Affine32,
                [3_407_378_692, 3_946_219_330, 1_040_197_410, 1_677_595_108],
            ),
            (
                DatasketchScheme::Affine64,
                [
                    5_795_582_140_686_503_555,
                    18_419_679_268_953_385_798,
                    10_490_690_649_097_485_174,
                    5_395_123_512_110_349_699,
                ],
            ),
            (
                DatasketchScheme::Legacy,
                [1_258_094_970, 2_643_933_171, 155_304_105, 3_068_675_101],
            ),
        ];
        for (scheme, want) in cases {
            let sketcher = DatasketchMinHash::new(4, 1, scheme).unwrap();
            assert_eq!(
                sketcher.sketch_tokens(["héllo wörld".as_bytes()]),
                want,
                "{scheme:?}"
            );
        }
    }

    #[test]
    fn empty_input_and_bad_arguments() {
        let sketcher = DatasketchMinHash::new(4, 1, DatasketchScheme::Affine32).unwrap();
        assert_eq!(sketcher.sketch_tokens([]), vec![u64::from(u32::MAX); 4]);
        assert!(sketcher.sketch_hashes(&[1 << 32]).is_err());
        assert!(DatasketchMinHash::new(0, 1, DatasketchScheme::Legacy).is_err());
        assert!("affine16".parse::<DatasketchScheme>().is_err());
    }
}
