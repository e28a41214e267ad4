//! Every kind of mistake a scenario author can make is pinned here by a small invalid file in
//! tests/fixtures/invalid/ and a snapshot of exactly what the loader tells them: where, what,
//! and how to fix it. The paths are relative to the package, so snapshots are stable.

use std::path::PathBuf;

use linkgate::catalog::{Catalog, CatalogError, Diagnostics};

fn diagnostics_of(name: &str) -> Diagnostics {
    let path = format!("tests/fixtures/invalid/{name}.toml");
    match Catalog::load(&[&path]) {
        Err(CatalogError::Invalid(diagnostics)) => diagnostics,
        Err(other) => panic!("{path}: expected validation problems, got: {other}"),
        Ok(_) => panic!("{path}: expected validation problems, but it loaded"),
    }
}

fn snapshot(name: &str) {
    let rendered = diagnostics_of(name).to_string();
    insta::assert_snapshot!(name, rendered);
}

#[test]
fn syntax_error_is_reported_with_its_position() {
    snapshot("syntax_error");
}

#[test]
fn unknown_keys_are_all_reported_with_suggestions() {
    snapshot("unknown_key");
}

#[test]
fn wrong_types_name_the_expected_type() {
    snapshot("wrong_type");
}

#[test]
fn missing_required_keys_point_at_the_table() {
    snapshot("missing_key");
}

#[test]
fn bad_enum_values_list_the_allowed_ones() {
    snapshot("bad_enum");
}

#[test]
fn duplicate_ids_point_at_the_first() {
    snapshot("duplicate_id");
}

#[test]
fn unknown_platforms_are_reported_everywhere_they_are_named() {
    snapshot("unknown_platform");
}

#[test]
fn audit_control_must_be_a_known_neutral_context() {
    snapshot("unknown_control");
}

#[test]
fn gateway_needs_a_url_placeholder_and_an_http_url() {
    snapshot("gateway_without_url");
}

#[test]
fn regex_that_does_not_compile_shows_the_reason() {
    snapshot("bad_regex");
}

#[test]
fn css_selector_that_does_not_compile_is_refused() {
    snapshot("bad_selector");
}

#[test]
fn missing_fixture_shows_the_resolved_path() {
    snapshot("missing_fixture");
}

#[test]
fn opened_is_not_a_signature_verdict() {
    snapshot("opened_verdict");
}

#[test]
fn conditions_need_exactly_one_matcher_and_the_right_keys() {
    snapshot("condition_matchers");
}

#[test]
fn audit_without_deadlines_is_refused() {
    snapshot("no_deadlines");
}

#[test]
fn ids_with_bad_characters_are_refused() {
    snapshot("bad_id");
}

#[test]
fn urls_must_be_absolute_http() {
    snapshot("bad_url");
}

#[test]
fn audit_settings_out_of_range_are_refused() {
    snapshot("audit_settings");
}

#[test]
fn audit_id_pattern_matching_nothing_is_refused() {
    snapshot("audit_id_pattern");
}

#[test]
fn audit_selecting_nothing_is_refused() {
    snapshot("audit_selects_nothing");
}

#[test]
fn file_not_in_utf8_is_refused() {
    snapshot("not_utf8");
}

#[test]
fn several_problems_in_one_file_are_all_reported_at_once() {
    let diagnostics = diagnostics_of("several_problems");
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    let expected = [
        "duplicate platform id `wechat`",
        "unknown client `andriod` in context `wechat.andriod`",
        "`gateway` in context `wechat.andriod` has no `{url}` placeholder",
        "unknown platform `taobao` in link `taobao.item`",
        "`landing` in link `taobao.item` does not compile: unclosed group",
        "unknown key `verdit` in signature `wechat.stop`",
        "fixture `../pages/wechat/missing.html` of signature `wechat.stop` does not exist",
        "condition 1 of signature `wechat.stop` has two matchers, `prefix` and `contains`",
        "unknown context `wechat.android.private_chat` in audit `miit-2021`",
        "audit `miit-2021` has no deadlines",
    ];
    for message in expected {
        assert!(
            messages.contains(&message),
            "missing {message:?} among:\n{}",
            messages.join("\n")
        );
    }
    assert_eq!(messages.len(), expected.len(), "{}", messages.join("\n"));
    assert!(diagnostics.iter().all(|d| d.hint.is_some() && d.line > 1));
    // In file order, so an author can work down the file.
    assert!(diagnostics.0.windows(2).all(|w| w[0].line <= w[1].line));
    assert!(diagnostics.to_string().ends_with("\n10 problems in 1 file"));
    insta::assert_snapshot!("several_problems", diagnostics.to_string());
}

#[test]
fn problems_in_several_files_are_reported_together_in_load_order() {
    let platform = |owner: &str| {
        format!(
            "[[platform]]\nid = \"wechat\"\nowner = \"{owner}\"\nname = \"WeChat\"\nname_zh = \"微信\"\n"
        )
    };
    let sources = [
        (
            PathBuf::from("a.toml"),
            platform("tencent") + "nmae = \"Weixin\"\n",
        ),
        (
            PathBuf::from("b.toml"),
            platform("tencent") + "colour = 1\n",
        ),
    ];
    let Err(CatalogError::Invalid(diagnostics)) = Catalog::from_sources(&sources) else {
        panic!("expected problems");
    };
    insta::assert_snapshot!("several_files", diagnostics.to_string());
}

#[test]
fn loading_an_empty_folder_says_no_scenario_files() {
    let dir = tempfile::tempdir().unwrap();
    let err = Catalog::load(&[dir.path()]).unwrap_err();
    assert!(matches!(err, CatalogError::Empty(_)));
    assert!(
        err.to_string()
            .contains("no scenario files (*.toml) found under")
    );
}

#[test]
fn loading_a_missing_path_is_an_io_error() {
    let err = Catalog::load(&["tests/fixtures/no-such-folder"]).unwrap_err();
    assert!(matches!(err, CatalogError::Io { .. }), "{err}");
}

#[test]
fn by_continue_needs_a_fixture_verdict_and_json_needs_a_key_path() {
    snapshot("by_continue");
}
