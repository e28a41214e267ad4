//! Reads a `[[platform]]` table: a platform's id, its owner group and its display names.

use toml::de::DeTable;

use crate::model::Platform;

use super::checks::{IdRule, check_id};
use super::draft::{Draft, Kind};
use super::fields::{Fields, peek};
use super::problems::{Loc, Problems};

const KEYS: &[&str] = &["id", "owner", "name", "name_zh"];

pub(super) fn read(table: &DeTable<'_>, at: Loc, problems: &Problems, draft: &mut Draft) {
    let what = match peek(table, "id") {
        Some(id) => format!("platform `{id}`"),
        None => "a [[platform]] table".to_string(),
    };
    let f = Fields::new(table, at, what, KEYS, problems);
    let id = f.required_string("id", "\"wechat\"");
    if let Some(id) = &id {
        check_id(&f, "id", id, IdRule::Word);
        draft.declare(Kind::Platform, id.text, id.at.clone(), false);
    }
    let owner = f.required_string("owner", "\"tencent\"");
    if let Some(owner) = &owner {
        check_id(&f, "owner", owner, IdRule::Word);
    }
    let name = f.required_string("name", "\"WeChat\"");
    let name_zh = f.required_string("name_zh", "\"微信\"");
    if let (Some(id), Some(owner), Some(name), Some(name_zh)) = (id, owner, name, name_zh) {
        draft.platforms.push(Platform {
            id: id.text.to_string(),
            owner: owner.text.to_string(),
            name: name.text.to_string(),
            name_zh: name_zh.text.to_string(),
        });
    }
}
