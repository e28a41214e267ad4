//! Reads a `[[context]]` table. A table with a `host` stands for one context per scene (ids
//! `{host}.{client}.{scene}`), so authors write a host's user agent and gateway once; a table
//! with an `id` and no host is a neutral context, the plain browser controls are measured in.

use toml::de::{DeTable, DeValue};

use crate::model::{Client, Context, EngineKind, Gateway, Scene};

use super::checks::{IdRule, check_id, http_url_problem};
use super::draft::{Draft, Kind, Wants};
use super::fields::{Fields, Str, peek};
use super::problems::{Loc, Problems};

const KEYS: &[&str] = &[
    "id",
    "host",
    "client",
    "scenes",
    "user_agent",
    "headers",
    "gateway",
    "bridge",
    "engine",
    "note",
];

pub(super) const SCENES: &[&str] = &[
    "private_chat",
    "group_chat",
    "moments",
    "live_room",
    "video_description",
    "profile",
];
pub(super) const CLIENTS: &[&str] = &["android", "ios"];
/// `manual` exists in the model for observations recorded by hand, not for contexts.
const ENGINES: &[&str] = &["http", "browser"];

/// What every context of one table shares.
struct Shared {
    client: Client,
    user_agent: String,
    headers: Vec<(String, String)>,
    gateway: Option<Gateway>,
    bridge: Option<String>,
    engine: EngineKind,
    note: Option<String>,
}

pub(super) fn read(table: &DeTable<'_>, at: Loc, problems: &Problems, draft: &mut Draft) {
    let what = describe(table);
    let f = Fields::new(table, at, what, KEYS, problems);
    let host = f.optional_string("host");
    let id = f.optional_string("id");
    let shared = read_shared(&f);
    match (host, id) {
        (Some(host), id) => read_host(&f, host, id, shared, draft),
        (None, Some(id)) => read_neutral(&f, id, shared, draft),
        (None, None) => f.error(
            f.at().span.clone(),
            format!(
                "missing key `host` in {} (or `id` for a neutral context)",
                f.what()
            ),
            Some(
                "add `host = \"wechat\"` and `scenes = [\"private_chat\"]` for an in-app \
                 context, or `id = \"neutral.android\"` for a neutral control context"
                    .to_string(),
            ),
        ),
    }
}

fn describe(table: &DeTable<'_>) -> String {
    match (
        peek(table, "host"),
        peek(table, "client"),
        peek(table, "id"),
    ) {
        (Some(host), Some(client), _) => format!("context `{host}.{client}`"),
        (Some(host), None, _) => format!("context `{host}`"),
        (None, _, Some(id)) => format!("context `{id}`"),
        (None, _, None) => "a [[context]] table".to_string(),
    }
}

fn read_shared(f: &Fields<'_, '_>) -> Option<Shared> {
    let client = f
        .required_string("client", "\"android\"")
        .and_then(|s| f.choice("client", &s, CLIENTS, Client::parse));
    let user_agent = f
        .required_string("user_agent", "\"Mozilla/5.0 (Linux; Android 13; …) …\"")
        .filter(|ua| {
            // A NUL or a line break would end the header early or start another one.
            let bad = ua.text.chars().find(|c| c.is_control());
            if let Some(c) = bad {
                f.error(
                    ua.at.span.clone(),
                    format!(
                        "the user agent of {} has a control character ({c:?})",
                        f.what()
                    ),
                    Some("a user agent is one line of printable text".to_string()),
                );
            }
            bad.is_none()
        });
    let headers = read_headers(f);
    let gateway = f
        .optional_string("gateway")
        .and_then(|s| read_gateway(f, &s));
    let engine = f
        .optional_string("engine")
        .map(|s| f.choice("engine", &s, ENGINES, parse_engine));
    let bridge = f.optional_string("bridge").map(|s| s.text.to_string());
    let note = f.optional_string("note").map(|s| s.text.to_string());
    Some(Shared {
        client: client?,
        user_agent: user_agent?.text.to_string(),
        headers,
        gateway,
        bridge,
        engine: engine.unwrap_or(Some(EngineKind::Http))?,
        note,
    })
}

fn parse_engine(word: &str) -> Option<EngineKind> {
    EngineKind::parse(word).filter(|e| *e != EngineKind::Manual)
}

fn read_host(
    f: &Fields<'_, '_>,
    host: Str<'_>,
    id: Option<Str<'_>>,
    shared: Option<Shared>,
    draft: &mut Draft,
) {
    draft.refer(Wants::Platform, host.text, host.at.clone(), f.what());
    if let Some(id) = id {
        f.error(
            id.at.span.clone(),
            format!("`id` is not allowed in {}, which has a `host`", f.what()),
            Some(
                "a host context's ids are made from host, client and scene \
                 (e.g. `wechat.android.private_chat`): remove `id`"
                    .to_string(),
            ),
        );
    }
    if f.get("scenes").is_none() {
        f.missing("scenes", "[\"private_chat\", \"group_chat\"]");
    }
    let scenes = f.strings("scenes");
    if scenes.is_empty()
        && let Some(value) = f.get("scenes")
        && matches!(value.get_ref(), DeValue::Array(items) if items.is_empty())
    {
        f.error(
            value.span(),
            format!("`scenes` in {} is empty", f.what()),
            Some(format!("list at least one of: {}", SCENES.join(", "))),
        );
    }
    for s in scenes {
        let Some(scene) = f.choice("scene", &s, SCENES, Scene::parse) else {
            continue;
        };
        let Some(shared) = &shared else { continue };
        let id = format!("{}.{}.{}", host.text, shared.client, scene);
        draft.declare(Kind::Context, &id, s.at.clone(), false);
        draft
            .contexts
            .push(context(id, Some(host.text), Some(scene), shared));
    }
}

fn read_neutral(f: &Fields<'_, '_>, id: Str<'_>, shared: Option<Shared>, draft: &mut Draft) {
    check_id(f, "id", &id, IdRule::Dotted);
    draft.declare(Kind::Context, id.text, id.at.clone(), true);
    for (key, why) in [
        ("scenes", "scenes belong to a host's contexts"),
        ("gateway", "a gateway is a host's link checker"),
    ] {
        if let Some(span) = f.key_span(key) {
            f.error(
                span,
                format!("`{key}` is not allowed in neutral {}", f.what()),
                Some(format!(
                    "{why}; remove `{key}`, or add `host` (and drop `id`) to make it a host context"
                )),
            );
        }
    }
    if let Some(shared) = &shared {
        draft
            .contexts
            .push(context(id.text.to_string(), None, None, shared));
    }
}

fn context(id: String, host: Option<&str>, scene: Option<Scene>, shared: &Shared) -> Context {
    Context {
        id,
        host: host.map(str::to_string),
        scene,
        client: shared.client,
        user_agent: shared.user_agent.clone(),
        headers: shared.headers.clone(),
        gateway: shared.gateway.as_ref().map(|g| for_scene(g, scene)),
        bridge: shared.bridge.clone(),
        engine: shared.engine,
        note: shared.note.clone(),
    }
}

/// A host's gateway often says which scene a link was tapped in (WeChat's `scene=`), so a
/// template may hold `{scene}`, filled in here for each context a table expands into.
fn for_scene(gateway: &Gateway, scene: Option<Scene>) -> Gateway {
    let scene = scene.map_or("", Scene::as_str);
    Gateway {
        template: gateway.template.replace("{scene}", scene),
    }
}

/// The gateway template must say where the target goes and be a URL once it is filled in.
fn read_gateway(f: &Fields<'_, '_>, s: &Str<'_>) -> Option<Gateway> {
    if !s.text.contains("{url}") {
        f.error(
            s.at.span.clone(),
            format!("`gateway` in {} has no `{{url}}` placeholder", f.what()),
            Some(
                "write `{url}` where the target URL goes, e.g. \
                 \"https://mp.weixinbridge.com/mp/wapredirect?url={url}\""
                    .to_string(),
            ),
        );
        return None;
    }
    let filled = s
        .text
        .replace("{url}", "x")
        .replace("{scene}", "private_chat");
    if let Some(why) = http_url_problem(&filled) {
        f.error(
            s.at.span.clone(),
            format!("`gateway` in {} is not an http(s) URL: {why}", f.what()),
            Some(
                "write a full URL template, e.g. \"https://c.pc.qq.com/middlem.html?pfurl={url}\""
                    .to_string(),
            ),
        );
        return None;
    }
    Some(Gateway {
        template: s.text.to_string(),
    })
}

/// Headers in file order (the parsed table is sorted by name, the file is not).
fn read_headers(f: &Fields<'_, '_>) -> Vec<(String, String)> {
    let example = "{ \"X-Requested-With\" = \"com.tencent.mm\" }";
    let Some((table, _)) = f.optional_table("headers", example) else {
        return Vec::new();
    };
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(name, _)| name.span().start);
    let mut headers = Vec::new();
    for (name, value) in entries {
        let name_text: &str = name.get_ref();
        if !is_header_name(name_text) {
            f.error(
                name.span(),
                format!(
                    "header name `{name_text}` in {} is not a valid HTTP header name",
                    f.what()
                ),
                Some("use letters, digits and `-`, e.g. \"X-Requested-With\"".to_string()),
            );
        } else if name_text.eq_ignore_ascii_case("user-agent") {
            f.error(
                name.span(),
                format!("`User-Agent` in the headers of {}", f.what()),
                Some("set the user agent with the `user_agent` key".to_string()),
            );
        }
        match value.get_ref().as_str() {
            Some(v) if v.chars().any(char::is_control) => f.error(
                value.span(),
                format!(
                    "header `{name_text}` in {} has a control character",
                    f.what()
                ),
                Some("a header value is one line of text".to_string()),
            ),
            Some(v) => headers.push((name_text.to_string(), v.to_string())),
            None => f.wrong_type(
                &format!("headers.{name_text}"),
                value,
                "a string",
                "put the header value in quotes",
            ),
        }
    }
    headers
}

/// RFC 9110 token characters.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}
