//! What a front end says about a measured run besides its summary: the files it wrote, and
//! (for the benchmark) how long measuring took and how much memory it used.

use crate::store::Location;

use super::session::{Measured, peak_rss_kb};
use crate::render::console;

impl Measured {
    /// `history:  …`, `evidence: …`, `csv: …`, then each report file and the manifest.
    pub fn files_text(&self, db: &Location) -> String {
        let evidence = match db.file() {
            Some(file) => crate::store::evidence_dir_of(file).display().to_string(),
            None => "in the history database".to_string(),
        };
        let mut out = format!(
            "history:  {db}\nevidence: {evidence}\ncsv:      {}\n",
            self.sealed.csv.display()
        );
        for report in &self.sealed.report {
            out.push_str(&format!("report:   {}\n", report.display()));
        }
        if let Some(manifest) = &self.sealed.manifest {
            out.push_str(&format!("manifest: {}\n", manifest.display()));
        }
        out
    }

    /// Two lines for the benchmark: how long the history writer was busy, and how long
    /// measuring took and its peak memory against the whole run.
    pub fn stats_text(&self) -> String {
        let mb =
            |kb: Option<u64>| kb.map_or("?".to_string(), |kb| format!("{:.1}", kb as f64 / 1024.0));
        let (measuring, peak) = self.measuring;
        format!(
            "{}\nphase-stats: measuring {:.3} s, peak RSS {} MB; whole run {:.3} s, peak RSS {} MB\n",
            console::store_stats_line(&self.outcome, self.elapsed),
            measuring.as_secs_f64(),
            mb(peak),
            self.elapsed.as_secs_f64(),
            mb(peak_rss_kb()),
        )
    }

    /// The warning when the run is sealed but its report failed, with the command that
    /// renders it again.
    pub fn report_failure(&self, db: &Location) -> Option<String> {
        let error = self.sealed.report_error.as_ref()?;
        let id = &self.outcome.run.id;
        Some(format!(
            "warning: run {id} is stored and sealed, but its report was not written: {error}\n\
             render it again with `linkgate report --db {db} --run {id}`"
        ))
    }
}
