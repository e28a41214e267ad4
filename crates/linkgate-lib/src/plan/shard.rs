//! Shards: N machines (or N pods of an Indexed Job) each measure a deterministic 1/N of an
//! audit. A link's whole group (its control and every context) goes to one shard, so control
//! pairing works within each; which shard is decided by a hash of the audit and the link, so
//! every shard agrees without talking to the others, and adding a link moves no other.

use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Shard `index` of `count` (`index` from 0, as Kubernetes' `JOB_COMPLETION_INDEX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// Why a `--shard` is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--shard `{0}` is not a shard: write I/N with N ≥ 1 and I from 0 to N−1, e.g. 0/4 (the \
     first of four)"
)]
pub struct ShardError(pub String);

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError(text.to_string());
        let (index, count) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = index.trim().parse().map_err(|_| bad())?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether `link`'s group of `audit` is this shard's.
    pub fn picks(&self, audit: &str, link: &str) -> bool {
        let digest = Sha256::digest(format!("{audit}\n{link}").as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_from_zero_and_refuse_the_impossible() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["4/4", "1/0", "x/2", "3", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_link_is_in_exactly_one_shard_and_they_are_near_even() {
        let links: Vec<String> = (0..1000).map(|i| format!("link.{i}")).collect();
        let shards: Vec<Shard> = (0..4).map(|index| Shard { index, count: 4 }).collect();
        let mut sizes = [0usize; 4];
        for link in &links {
            let owners: Vec<&Shard> = shards.iter().filter(|s| s.picks("a", link)).collect();
            assert_eq!(owners.len(), 1, "{link}");
            sizes[owners[0].index as usize] += 1;
        }
        assert!(sizes.iter().all(|n| (200..300).contains(n)), "{sizes:?}");
    }
}
