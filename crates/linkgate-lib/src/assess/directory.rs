//! Who owns which platform, and in what order a report lists platforms. Taken from the
//! catalog's platforms; a platform the history names but the catalog no longer knows is still
//! shown, under its own id, as its own owner group, so an old history never fails to render.

use std::collections::HashMap;

use crate::model::Platform;

/// The platforms a report knows, in catalog order.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    platforms: Vec<Platform>,
    index: HashMap<String, usize>,
}

impl Directory {
    pub fn new(platforms: &[Platform]) -> Directory {
        let index = platforms
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        Directory {
            platforms: platforms.to_vec(),
            index,
        }
    }

    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.index.get(id).map(|i| &self.platforms[*i])
    }

    /// The owner group of `id`; an unknown platform is its own group.
    pub fn owner<'a>(&'a self, id: &'a str) -> &'a str {
        self.platform(id).map(|p| p.owner.as_str()).unwrap_or(id)
    }

    /// The English or Chinese name of `id` (`zh` picks Chinese); the id when unknown.
    pub fn name<'a>(&'a self, id: &'a str, zh: bool) -> &'a str {
        match self.platform(id) {
            Some(p) if zh => &p.name_zh,
            Some(p) => &p.name,
            None => id,
        }
    }

    /// Sort key putting platforms in catalog order, unknown ones after, by id.
    pub fn order<'a>(&self, id: &'a str) -> (usize, &'a str) {
        (self.index.get(id).copied().unwrap_or(usize::MAX), id)
    }
}
