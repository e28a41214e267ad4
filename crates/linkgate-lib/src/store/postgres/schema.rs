//! linkgate's tables in a PostgreSQL database: the same schema as the SQLite history (see
//! `sqlite/schema.rs`, version by version), in PostgreSQL's types — 64-bit integers, booleans,
//! `bytea` — plus the `evidence` table, since a shared history keeps its evidence in the
//! database. The version is in `linkgate_schema`; opening takes a transaction-scoped advisory
//! lock first, so shards starting at once never both create the tables.

use tokio_postgres::Client;

use super::{Postgres, block_on};
use crate::store::StoreError;
use crate::store::error::postgres;
use crate::store::sqlite::SCHEMA_VERSION;

/// The advisory lock key that serializes schema changes (`LKGT` + 1, as the SQLite
/// application id with a suffix).
const MIGRATION_LOCK: i64 = 0x4C4B_4754_0001;

/// `(version, script)`: the script takes the database to `version`. PostgreSQL histories
/// begin at version 7, the first with run groups; later versions add a step here as
/// `sqlite/schema.rs` adds one there.
const MIGRATIONS: &[(i64, &str)] = &[(7, V7)];

const V7: &str = "
CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    status        TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    vantage       TEXT NOT NULL,
    simulated     BOOLEAN NOT NULL,
    audits        TEXT NOT NULL,
    sealed_at     TEXT,
    stop_reason   TEXT
);
CREATE TABLE run_files (
    run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    n       BIGINT NOT NULL,
    path    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    PRIMARY KEY (run_id, n)
);
CREATE TABLE run_shards (
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    shard       BIGINT NOT NULL,
    shards      BIGINT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    PRIMARY KEY (run_id, shard)
);
CREATE TABLE observations (
    id                 BIGSERIAL PRIMARY KEY,
    run_id             TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key                TEXT NOT NULL,
    audit              TEXT NOT NULL,
    context            TEXT NOT NULL,
    host_platform      TEXT,
    scene              TEXT,
    client             TEXT NOT NULL,
    link_id            TEXT NOT NULL,
    link_platform      TEXT NOT NULL,
    link_category      TEXT NOT NULL,
    url                TEXT NOT NULL,
    role               TEXT NOT NULL,
    observed_at        TEXT NOT NULL,
    engine             TEXT NOT NULL,
    entry_url          TEXT NOT NULL,
    final_url          TEXT NOT NULL,
    status             BIGINT,
    charset            TEXT,
    truncated          BOOLEAN NOT NULL,
    body_sha256        TEXT,
    screenshot_sha256  TEXT,
    body_gz            BYTEA,
    rendered_text      TEXT,
    dialogs            TEXT NOT NULL,
    evidence           TEXT NOT NULL,
    headers            TEXT NOT NULL,
    failure_kind       TEXT,
    failure_message    TEXT,
    duration_ms        BIGINT NOT NULL,
    started_at         TEXT,
    title              TEXT,
    continue_url       TEXT,
    continue_control   TEXT,
    script_undecided   TEXT,
    control_similarity TEXT
);
CREATE UNIQUE INDEX observations_run_key ON observations (run_id, key);
CREATE INDEX observations_pair ON observations (audit, context, link_id);
CREATE TABLE hops (
    observation_id  BIGINT NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    n               BIGINT NOT NULL,
    url             TEXT NOT NULL,
    status          BIGINT,
    location        TEXT,
    via             TEXT NOT NULL,
    elapsed_ms      BIGINT NOT NULL,
    PRIMARY KEY (observation_id, n)
);
CREATE TABLE attempts (
    observation_id   BIGINT NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    n                BIGINT NOT NULL,
    number           BIGINT NOT NULL,
    started_at       TEXT NOT NULL,
    duration_ms      BIGINT NOT NULL,
    status           BIGINT,
    failure_kind     TEXT,
    failure_message  TEXT,
    wait_ms          BIGINT,
    PRIMARY KEY (observation_id, n)
);
CREATE TABLE verdicts (
    observation_id   BIGINT PRIMARY KEY REFERENCES observations(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    mechanism        TEXT NOT NULL,
    actor            TEXT NOT NULL,
    signature        TEXT,
    reason           TEXT NOT NULL,
    control_verdict  TEXT,
    signature_set    TEXT
);
CREATE TABLE evidence (
    sha256    TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    contents  BYTEA NOT NULL
);
";

impl Postgres {
    /// Brings the database to [`SCHEMA_VERSION`] (see the module documentation).
    pub(super) fn migrate(&mut self) -> Result<(), StoreError> {
        let at = self.shown.clone();
        let fail = |action| {
            let at = at.clone();
            move |e| postgres(&at, action, e)
        };
        let client: &mut Client = &mut self.client;
        let tx = block_on(client.transaction()).map_err(fail("starting the schema migration"))?;
        block_on(tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]))
            .map_err(fail("waiting for another linkgate's schema migration"))?;
        let ours = block_on(tx.query_one("SELECT to_regclass('linkgate_schema') IS NOT NULL", &[]))
            .map_err(fail("reading the schema version"))?
            .get::<_, bool>(0);
        let version: i64 = if ours {
            block_on(tx.query_one("SELECT max(version) FROM linkgate_schema", &[]))
                .map_err(fail("reading the schema version"))?
                .get::<_, Option<i64>>(0)
                .unwrap_or(0)
        } else {
            let foreign = block_on(tx.query_one("SELECT to_regclass('runs') IS NOT NULL", &[]))
                .map_err(fail("reading the schema version"))?
                .get::<_, bool>(0);
            if foreign {
                return Err(StoreError::NotLinkgate {
                    path: self.shown.clone().into(),
                });
            }
            block_on(tx.batch_execute("CREATE TABLE linkgate_schema (version BIGINT NOT NULL)"))
                .map_err(fail("creating the schema"))?;
            0
        };
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.shown.clone().into(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        for (to, script) in MIGRATIONS.iter().filter(|(to, _)| *to > version) {
            block_on(tx.batch_execute(script)).map_err(fail("migrating the schema"))?;
            block_on(tx.execute("INSERT INTO linkgate_schema (version) VALUES ($1)", &[to]))
                .map_err(fail("recording the schema version"))?;
        }
        block_on(tx.commit()).map_err(fail("committing the schema migration"))
    }
}
