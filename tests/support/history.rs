//! Reading back the history database a test's `linkgate` process wrote into
//! `dir/reports/linkgate.db`.

use std::path::Path;

use linkgate::model::{Record, Run};
use linkgate::store::Store;

/// Whether a linkgate process has finished creating the history database (its header says
/// write-ahead logging): a test waiting for a process's first run checks this first, so that
/// its own reads never create the file before the process does.
pub fn database_ready(dir: &Path) -> bool {
    // Bytes 18 and 19 of an SQLite header are the read and write versions: 2 means WAL.
    std::fs::read(dir.join("reports/linkgate.db"))
        .is_ok_and(|header| header.len() >= 20 && header[18] == 2 && header[19] == 2)
}

pub fn store(dir: &Path) -> Store {
    Store::open(dir.join("reports/linkgate.db")).unwrap()
}

/// Every run, oldest first, with its records.
pub fn runs(dir: &Path) -> Vec<(Run, Vec<Record>)> {
    let store = store(dir);
    store
        .runs()
        .unwrap()
        .into_iter()
        .map(|run| {
            let records = store.records(&run.id).unwrap();
            (run, records)
        })
        .collect()
}

/// The only run of the history, with its records.
pub fn only_run(dir: &Path) -> (Run, Vec<Record>) {
    let mut all = runs(dir);
    assert_eq!(all.len(), 1, "expected one run");
    all.remove(0)
}
