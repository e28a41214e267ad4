//! Classification turns an observation into a verdict with pure functions over compiled
//! signatures. (Being built.)

mod signature;

pub use signature::{Condition, Matcher, Place, PlatformFilter, SelectorPlace, Signature};
