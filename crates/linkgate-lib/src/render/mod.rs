//! Rendering turns records from the history into files people read: pure functions from
//! values to bytes, so a report can be rebuilt from the database at any time and tested
//! without I/O.

pub mod console;
pub mod csv;
pub mod html;
pub mod report;
pub mod summary;
pub mod table;
