//! MinHash: a fixed-size summary of a set of shingles whose agreement with another's
//! estimates the two sets' Jaccard similarity, and whose bands (LSH) find the pairs worth
//! comparing without comparing every pair. Hand-written (a few lines): the crates that do it
//! bring a hundred dependencies and a thread pool for what is a loop over 64 seeds.

use std::hash::{BuildHasher, Hasher};

/// Hashes per summary: the estimate's error is about 1/√64 ≈ 0.12.
pub const HASHES: usize = 64;
/// LSH bands of [`ROWS`] hashes: pairs with a Jaccard similarity of 0.5 share a band with
/// a probability of 1 − (1 − 0.5⁴)¹⁶ ≈ 0.64, of 0.7 with ≈ 0.99.
pub const BANDS: usize = 16;
pub const ROWS: usize = HASHES / BANDS;

/// A set's MinHash summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHash(pub [u64; HASHES]);

impl MinHash {
    /// The summary of `items` (an empty set gets all `u64::MAX`, like no other).
    pub fn of<T: AsRef<str>>(items: impl Iterator<Item = T>) -> MinHash {
        let mut mins = [u64::MAX; HASHES];
        for item in items {
            let base = hash(0, item.as_ref());
            for (i, min) in mins.iter_mut().enumerate() {
                // Many hash functions from one: h_i = h1 + i·h2 (Kirsch–Mitzenmacher).
                let h = base.0.wrapping_add((i as u64).wrapping_mul(base.1 | 1));
                *min = (*min).min(mix(h));
            }
        }
        MinHash(mins)
    }

    /// The estimated Jaccard similarity of the two sets, 0 to 1.
    pub fn similarity(&self, other: &MinHash) -> f64 {
        let same = self
            .0
            .iter()
            .zip(&other.0)
            .filter(|(a, b)| a == b && **a != u64::MAX);
        same.count() as f64 / HASHES as f64
    }

    /// The band keys: pages sharing one are candidates for a family.
    pub fn bands(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.0.chunks(ROWS).enumerate().map(|(band, rows)| {
            let mut h = std::hash::DefaultHasher::new();
            for row in rows {
                h.write_u64(*row);
            }
            (band, h.finish())
        })
    }
}

/// Two independent 64-bit hashes of `text` (SipHash with fixed keys: the same on every run).
fn hash(seed: u64, text: &str) -> (u64, u64) {
    let one = std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default();
    let mut a = one.build_hasher();
    a.write_u64(seed);
    a.write(text.as_bytes());
    let mut b = one.build_hasher();
    b.write_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
    b.write(text.as_bytes());
    (a.finish(), b.finish())
}

/// A final avalanche (splitmix64), so the derived hashes are not linear in each other.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_follows_the_jaccard_similarity() {
        let set = |r: std::ops::Range<u32>| MinHash::of(r.map(|i| i.to_string()));
        let a = set(0..100);
        assert_eq!(a.similarity(&set(0..100)), 1.0);
        let half = a.similarity(&set(50..150)); // Jaccard 1/3
        assert!((0.15..0.55).contains(&half), "{half}");
        assert!(a.similarity(&set(1000..1100)) < 0.1);
        assert_eq!(
            MinHash::of(std::iter::empty::<&str>())
                .similarity(&MinHash::of(std::iter::empty::<&str>())),
            0.0
        );
    }
}
