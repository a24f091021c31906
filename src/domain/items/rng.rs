//! A small deterministic generator (SplitMix64): the same seed gives the same item on every machine
//! and every release. Not for secrets.

/// Deterministic pseudo-random numbers from a seed.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// A generator for a sub-purpose, so adding a draw in one place does not shift the others.
    pub fn fork(&self, salt: u64) -> Rng {
        Rng::new(self.state.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ salt)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0).
    pub fn below(&mut self, bound: usize) -> usize {
        if bound <= 1 {
            return 0;
        }
        (self.next_u64() % bound as u64) as usize
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            let other = self.below(index + 1);
            items.swap(index, other);
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }

    /// `count` distinct elements in random order (fewer when there are fewer).
    pub fn sample<T: Clone>(&mut self, items: &[T], count: usize) -> Vec<T> {
        let mut indexes: Vec<usize> = (0..items.len()).collect();
        self.shuffle(&mut indexes);
        indexes
            .into_iter()
            .take(count)
            .map(|index| items[index].clone())
            .collect()
    }

    /// [`Self::sample`] when there are at least `count` elements, else `None` (the same draws
    /// either way).
    pub fn sample_exactly<T: Clone>(&mut self, items: &[T], count: usize) -> Option<Vec<T>> {
        let sample = self.sample(items, count);
        (sample.len() == count).then_some(sample)
    }
}

/// Mixes two numbers into one seed (model index and case index, for example).
pub fn mix(a: u64, b: u64) -> u64 {
    let mut rng = Rng::new(a.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ b);
    rng.next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(first, second);
        assert_ne!(
            first,
            (0..5).map(|_| Rng::new(43).next_u64()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn sampling_is_distinct_and_bounded() {
        let mut rng = Rng::new(7);
        let picked = rng.sample(&[1, 2, 3, 4, 5], 3);
        assert_eq!(picked.len(), 3);
        let mut unique = picked.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3);
        assert_eq!(rng.sample(&[1, 2], 5).len(), 2);
        assert_eq!(rng.sample_exactly(&[1, 2], 3), None);
        let mut again = rng.clone();
        assert_eq!(
            rng.sample_exactly(&[1, 2, 3, 4], 2),
            Some(again.sample(&[1, 2, 3, 4], 2))
        );
        for _ in 0..100 {
            assert!(rng.below(7) < 7);
        }
    }
}
