//! [`SplitMix64`]: the small deterministic PRNG that shuffles each round's order, and the seed
//! it takes from the clock when the configuration names none.

use std::time::SystemTime;

/// A seed for the run order when the configuration names none.
pub(super) fn clock_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

/// A small deterministic PRNG (SplitMix64) for the per-round shuffle.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `items` in a uniformly shuffled order (Fisher–Yates).
    pub fn shuffled<T>(&mut self, mut items: Vec<T>) -> Vec<T> {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // The first outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn a_shuffle_is_a_permutation_decided_by_the_seed() {
        let items: Vec<usize> = (0..20).collect();
        let a = SplitMix64(5).shuffled(items.clone());
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, items);
        assert_ne!(a, items, "20 items come out in another order");
        assert_eq!(SplitMix64(5).shuffled(items.clone()), a);
        assert_ne!(SplitMix64(6).shuffled(items.clone()), a);
        assert_eq!(SplitMix64(1).shuffled(Vec::<u8>::new()), Vec::<u8>::new());
        assert_eq!(SplitMix64(1).shuffled(vec![7]), vec![7]);
    }
}
