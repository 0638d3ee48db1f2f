//! The MT19937 generator as `numpy.random.RandomState(seed)` runs it for an integer seed, and the
//! legacy bounded-integer draws of `RandomState.randint`, so that datasketch's permutation parameters
//! can be drawn without Python.

const STATE_LEN: usize = 624;
const SHIFT: usize = 397;
const MATRIX_A: u32 = 0x9908_B0DF;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7FFF_FFFF;

#[derive(Clone)]
pub struct Mt19937 {
    state: [u32; STATE_LEN],
    position: usize,
}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mt19937")
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl Mt19937 {
    /// Seeds as `RandomState(seed)` does for an integer seed (`init_genrand`).
    pub fn new(seed: u32) -> Self {
        let mut state = [0_u32; STATE_LEN];
        state[0] = seed;
        for i in 1..STATE_LEN {
            let previous = state[i - 1];
            state[i] = 1_812_433_253_u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 {
            state,
            position: STATE_LEN,
        }
    }

    fn regenerate(&mut self) {
        for i in 0..STATE_LEN {
            let bits =
                (self.state[i] & UPPER_MASK) | (self.state[(i + 1) % STATE_LEN] & LOWER_MASK);
            let twisted = (bits >> 1) ^ if bits & 1 == 1 { MATRIX_A } else { 0 };
            self.state[i] = self.state[(i + SHIFT) % STATE_LEN] ^ twisted;
        }
        self.position = 0;
    }

    pub fn next_u32(&mut self) -> u32 {
        if self.position >= STATE_LEN {
            self.regenerate();
        }
        let mut y = self.state[self.position];
        self.position += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C_5680;
        y ^= (y << 15) & 0xEFC6_0000;
        y ^ (y >> 18)
    }

    /// numpy's 64-bit draw: the first 32-bit output is the high half.
    pub fn next_u64(&mut self) -> u64 {
        let high = u64::from(self.next_u32());
        (high << 32) | u64::from(self.next_u32())
    }

    /// `randint(low, high)` with a 64-bit dtype (`high` exclusive, `low < high`): numpy's legacy
    /// masked rejection sampling, drawing 32 bits at a time when the range fits in 32 bits.
    pub fn randint_u64(&mut self, low: u64, high: u64) -> u64 {
        let range = high - 1 - low;
        if range == 0 {
            return low;
        }
        if let Ok(range) = u32::try_from(range) {
            return low + u64::from(self.bounded_u32(range));
        }
        if range == u64::MAX {
            return low.wrapping_add(self.next_u64());
        }
        let mask = u64::MAX >> range.leading_zeros();
        loop {
            let value = self.next_u64() & mask;
            if value <= range {
                return low + value;
            }
        }
    }

    /// `randint(low, high)` with a 32-bit dtype (`high` exclusive, `low < high <= 2^32`).
    pub fn randint_u32(&mut self, low: u32, high: u64) -> u32 {
        let range = (high - 1 - u64::from(low)) as u32;
        low.wrapping_add(self.bounded_u32(range))
    }

    /// A value in `0..=range` by masked rejection (the full range takes the raw draw).
    fn bounded_u32(&mut self, range: u32) -> u32 {
        if range == 0 {
            return 0;
        }
        if range == u32::MAX {
            return self.next_u32();
        }
        let mask = u32::MAX >> range.leading_zeros();
        loop {
            let value = self.next_u32() & mask;
            if value <= range {
                return value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_outputs_match_numpy() {
        // python -c "import numpy as np; print(list(np.random.RandomState(42).randint(0, 2**32, size=6, dtype=np.uint32)))"
        let mut generator = Mt19937::new(42);
        let got: Vec<u32> = (0..6).map(|_| generator.next_u32()).collect();
        assert_eq!(
            got,
            [
                1_608_637_542,
                3_421_126_067,
                4_083_286_876,
                787_846_414,
                3_143_890_026,
                3_348_747_335
            ]
        );
        // python -c "import numpy as np; print(list(np.random.RandomState(5489).randint(0, 2**32, size=3, dtype=np.uint32)))"
        let mut generator = Mt19937::new(5489);
        let got: Vec<u32> = (0..3).map(|_| generator.next_u32()).collect();
        assert_eq!(got, [3_499_211_612, 581_869_302, 3_890_346_734]);
    }

    #[test]
    fn bounded_u64_draws_match_numpy() {
        // python -c "import numpy as np; print(list(np.random.RandomState(7).randint(1, (1<<61)-1, size=4, dtype=np.uint64)))"
        let mut generator = Mt19937::new(7);
        let got: Vec<u64> = (0..4)
            .map(|_| generator.randint_u64(1, (1 << 61) - 1))
            .collect();
        assert_eq!(
            got,
            [
                1_407_639_518_939_636_933,
                551_904_368_352_831_991,
                1_169_693_746_941_186_260,
                1_816_361_973_745_530_472
            ]
        );
    }
}
