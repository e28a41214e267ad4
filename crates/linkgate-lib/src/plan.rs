//! Planning expands audits into probes: every selected host context against every selected
//! link, plus one control per link in the audit's neutral context. It touches no network, so
//! an analyst can see exactly what a run will measure before running it.

use serde::Serialize;

mod select;
mod shard;

pub use select::{Selection, SelectionError};
pub use shard::{Shard, ShardError};

use crate::catalog::Catalog;
use crate::model::{Audit, Context, Link, Probe, ProbeRole, SameOwner, Selector};

/// Narrowing a plan beyond what the audits select (the command line's selectors).
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Only this audit; all audits when `None`.
    pub audit: Option<String>,
    /// Further limits the audit's contexts (both must pick).
    pub contexts: Selector,
    /// Further limits the audit's links (both must pick).
    pub links: Selector,
    /// Overrides every audit's same-owner rule.
    pub same_owner: Option<SameOwner>,
    /// Only this shard's link groups.
    pub shard: Option<Shard>,
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("no audit named `{name}`; the scenarios define: {known} (pass one of them to --audit)")]
    UnknownAudit { name: String, known: String },
    #[error(
        "the scenarios define no audit; add an [[audit]] table (see the scenario format in the README)"
    )]
    NoAudits,
}

/// Expands the chosen audits into probes: for each audit and each link, first the control,
/// then every context, so a link's measurements are made close together in time.
pub fn plan(catalog: &Catalog, options: &PlanOptions) -> Result<Vec<Probe>, PlanError> {
    let audits = chosen_audits(catalog, options.audit.as_deref())?;
    let mut probes = Vec::new();
    for audit in audits {
        probes.extend(plan_audit(catalog, audit, options));
    }
    Ok(probes)
}

fn chosen_audits<'c>(
    catalog: &'c Catalog,
    name: Option<&str>,
) -> Result<Vec<&'c Audit>, PlanError> {
    if catalog.audits.is_empty() {
        return Err(PlanError::NoAudits);
    }
    match name {
        None => Ok(catalog.audits.iter().collect()),
        Some(name) => catalog
            .audit(name)
            .map(|a| vec![a])
            .ok_or_else(|| PlanError::UnknownAudit {
                name: name.to_string(),
                known: catalog
                    .audits
                    .iter()
                    .map(|a| a.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
    }
}

fn plan_audit(catalog: &Catalog, audit: &Audit, options: &PlanOptions) -> Vec<Probe> {
    let contexts: Vec<&Context> = catalog
        .contexts
        .iter()
        .filter(|c| !c.is_neutral())
        .filter(|c| audit.contexts.picks_context(c) && options.contexts.picks_context(c))
        .collect();
    let links = catalog
        .links
        .iter()
        .filter(|l| audit.links.picks_link(l) && options.links.picks_link(l))
        .filter(|l| options.shard.is_none_or(|s| s.picks(&audit.id, &l.id)));
    let same_owner = options.same_owner.unwrap_or(audit.same_owner);
    let probe = |context: &str, link: &Link, role| Probe {
        audit: audit.id.clone(),
        context: context.to_string(),
        link: link.id.clone(),
        role,
    };
    let mut probes = Vec::new();
    for link in links {
        let pairs: Vec<Probe> = contexts
            .iter()
            .filter_map(|context| {
                let role = role_of(catalog, context, link, same_owner)?;
                Some(probe(&context.id, link, role))
            })
            .collect();
        if pairs.is_empty() {
            continue;
        }
        probes.push(probe(&audit.control, link, ProbeRole::Control));
        probes.extend(pairs);
    }
    probes
}

/// The role of a (context, link) pair, or `None` when the pair is left out.
fn role_of(
    catalog: &Catalog,
    context: &Context,
    link: &Link,
    rule: SameOwner,
) -> Option<ProbeRole> {
    let host = context.host.as_deref()?;
    let same = host == link.platform
        || matches!(
            (catalog.owner_of(host), catalog.owner_of(&link.platform)),
            (Some(a), Some(b)) if a == b
        );
    match (same, rule) {
        (false, _) | (true, SameOwner::Include) => Some(ProbeRole::Rival),
        (true, SameOwner::Control) => Some(ProbeRole::SameOwner),
        (true, SameOwner::Exclude) => None,
    }
}

/// A probe with the catalog facts an analyst reads in a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub audit: String,
    pub role: ProbeRole,
    pub context: String,
    pub host: Option<String>,
    pub scene: Option<String>,
    pub client: String,
    pub engine: String,
    pub link: String,
    pub target: String,
    pub category: String,
    /// What the engine will load first: the gateway URL, or the link itself.
    pub entry_url: String,
}

impl PlanRow {
    /// Looks the probe's context and link up; `None` if the catalog lacks them (a plan made
    /// from this catalog always has them).
    pub fn new(catalog: &Catalog, probe: &Probe) -> Option<PlanRow> {
        let context = catalog.context(&probe.context)?;
        let link = catalog.link(&probe.link)?;
        Some(PlanRow {
            audit: probe.audit.clone(),
            role: probe.role,
            context: context.id.clone(),
            host: context.host.clone(),
            scene: context.scene.map(|s| s.to_string()),
            client: context.client.to_string(),
            engine: context.engine.to_string(),
            link: link.id.clone(),
            target: link.platform.clone(),
            category: link.category.to_string(),
            entry_url: context.entry_url(&link.url),
        })
    }
}

#[cfg(test)]
mod tests;
