//! The draft is what the readers of single tables hand to the checks that need every file:
//! the items they could build, every id declared (even by a table that failed, so one broken
//! table does not make every reference to it an error too), and every reference to check.

use globset::GlobMatcher;

use crate::classify::Signature;
use crate::model::{Audit, Context, Link, Platform};

use super::files::Tree;
use super::problems::Loc;

/// The kinds of things that have ids, unique per kind across all files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Kind {
    Platform,
    Context,
    Link,
    Signature,
    Audit,
}

impl Kind {
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Platform => "platform",
            Kind::Context => "context",
            Kind::Link => "link",
            Kind::Signature => "signature",
            Kind::Audit => "audit",
        }
    }
}

/// An id written in a file.
#[derive(Debug, Clone)]
pub(super) struct Declaration {
    pub kind: Kind,
    pub id: String,
    pub at: Loc,
    /// For contexts: declared without a host.
    pub neutral: bool,
}

/// What a reference must point at.
#[derive(Debug, Clone)]
pub(super) enum Wants {
    Platform,
    /// An audit's control.
    NeutralContext,
    /// An audit's `contexts.ids` pattern: must match some host context.
    HostContextIds(GlobMatcher),
    /// An audit's `links.ids` pattern: must match some link.
    LinkIds(GlobMatcher),
}

/// A name in one table that must resolve to something declared, possibly in another file.
#[derive(Debug, Clone)]
pub(super) struct Reference {
    pub wants: Wants,
    /// The name as written.
    pub name: String,
    pub at: Loc,
    /// The table it is written in, for messages ("link `taobao.item.share`").
    pub from: String,
}

/// An audit and where its selectors are written, for "picks nothing" problems.
#[derive(Debug, Clone)]
pub(super) struct AuditDraft {
    pub audit: Audit,
    pub what: String,
    pub contexts_at: Loc,
    pub links_at: Loc,
}

/// Everything read from every file, before the checks across files.
#[derive(Debug, Default)]
pub(super) struct Draft {
    pub declarations: Vec<Declaration>,
    pub references: Vec<Reference>,
    pub platforms: Vec<Platform>,
    pub contexts: Vec<Context>,
    pub links: Vec<Link>,
    pub signatures: Vec<Signature>,
    pub audits: Vec<AuditDraft>,
    /// Signature tables seen so far: a signature's `order`.
    pub signatures_seen: usize,
    /// Where the files are read from: the fixture pages they cite are looked for there.
    pub tree: Tree,
}

impl Draft {
    pub fn declare(&mut self, kind: Kind, id: &str, at: Loc, neutral: bool) {
        self.declarations.push(Declaration {
            kind,
            id: id.to_string(),
            at,
            neutral,
        });
    }

    pub fn refer(&mut self, wants: Wants, name: &str, at: Loc, from: &str) {
        self.references.push(Reference {
            wants,
            name: name.to_string(),
            at,
            from: from.to_string(),
        });
    }
}
