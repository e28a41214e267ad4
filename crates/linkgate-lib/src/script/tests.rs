use super::*;

const UA: &str = "Mozilla/5.0 (Linux; Android 12) MicroMessenger/8.0.47";

fn run_at(html: &str, url: &str, mode: Mode) -> PageRun {
    let url = Url::parse(url).unwrap();
    run(
        PageSource {
            html,
            url: &url,
            user_agent: UA,
        },
        mode,
        &Limits::default(),
    )
}

fn load(html: &str) -> PageRun {
    run_at(html, "https://share.test/s/abc?x=1", Mode::Load)
}

fn goes_to(html: &str) -> Option<String> {
    load(html).navigation.map(|n| n.url)
}

fn script(body: &str) -> Option<String> {
    goes_to(&format!(
        "<html><body><script>{body}</script></body></html>"
    ))
}

#[test]
fn every_literal_redirect_form_is_followed() {
    let to = Some("https://item.test/1".to_string());
    for form in [
        "location.href = 'https://item.test/1';",
        "location.replace('https://item.test/1')",
        "location.assign(\"https://item.test/1\");",
        "window.location = 'https://item.test/1'",
        "window.location.href = \"https://item.test/1\";",
        "document.location.href='https://item.test/1'",
        "top.location.replace( 'https://item.test/1' );",
        "var hrl='https://item.test/1'; window.location.replace(hrl);",
        "var real_jump_address = 'https://item.test/1'; function go(){ location.replace(real_jump_address) } go();",
    ] {
        assert_eq!(script(form), to, "{form}");
    }
}

#[test]
fn computed_redirects_are_resolved() {
    let to = Some("https://item.test/p?id=7&from=share".to_string());
    for form in [
        "var url = 'https://item.test/p?id=' + 7 + '&from=share'; location.replace(url);",
        "var base = 'https://item.test/'; var q = ['id=7', 'from=share'].join('&'); location.href = base + 'p?' + q;",
        "setTimeout(function () { location.href = 'https://item.test/p?id=7&from=share'; }, 300);",
        "setTimeout(\"location.href='https://item.test/p?id=7&from=share'\", 0);",
        "location.href = decodeURIComponent('https%3A%2F%2Fitem.test%2Fp%3Fid%3D7%26from%3Dshare');",
        "var s = atob('aHR0cHM6Ly9pdGVtLnRlc3QvcD9pZD03JmZyb209c2hhcmU='); window.location = s;",
        "document.addEventListener('DOMContentLoaded', function () { location.replace('https://item.test/p?id=7&from=share'); });",
        "window.onload = function () { location.assign('https://item.test/p?id=7&from=share') };",
        "var a = document.createElement('a'); a.href = 'https://item.test/p?id=7&from=share'; document.body.appendChild(a); a.click();",
        "$(function () { window.location.href = 'https:\\/\\/item.test\\/p?id=7\\x26from=share'; });",
    ] {
        assert_eq!(script(form), to, "{form}");
    }
}

#[test]
fn a_parameter_of_the_page_s_own_url_is_read() {
    let html = "<script>var m = location.search.match(/[?&]to=([^&]+)/); \
                location.replace(decodeURIComponent(m[1]));</script>";
    let run = run_at(
        html,
        "https://share.test/j?to=https%3A%2F%2Fitem.test%2F9%3Fa%3D1",
        Mode::Load,
    );
    assert_eq!(run.navigation.unwrap().url, "https://item.test/9?a=1");
    let html = "<script>var u = new URL(location.href).searchParams.get('to'); location.href = u;</script>";
    let run = run_at(
        html,
        "https://share.test/j?to=https%3A%2F%2Fitem.test%2F9",
        Mode::Load,
    );
    assert_eq!(run.navigation.unwrap().url, "https://item.test/9");
}

#[test]
fn handlers_wait_for_a_tap_and_are_not_hops() {
    for form in [
        "<a id=go href='javascript:;'>继续访问</a><script>document.getElementById('go').onclick = function () { location.href = 'https://item.test/1'; };</script>",
        "<button class=btn>继续访问</button><script>document.querySelector('.btn').addEventListener('click', function () { location.replace('https://item.test/1'); });</script>",
        "<div id=c>继续</div><script>document.getElementById('c').addEventListener('touchend', function () { window.location = 'https://item.test/1'; }, false);</script>",
        "<a class='weui-btn' href='#'>继续访问</a><script>$('.weui-btn').on('click', function () { location.href = 'https://item.test/1'; return false; });</script>",
        "<a id=x href=\"javascript:location.href='https://item.test/1'\">继续访问</a><script>var n = 1;</script>",
        "<button onclick=\"location.href='https://item.test/1'\">继续访问</button><script>var location_hint = 1;</script>",
        "<form action='https://item.test/1'><button>继续访问</button></form><script>var location_ok = 1;</script>",
    ] {
        let run = load(form);
        assert_eq!(run.navigation, None, "{form}");
        assert_eq!(run.undecided, None, "{form}");
        let run = run_at(form, "https://gw.test/m?url=x", Mode::Controls);
        let targets: Vec<_> = run
            .controls
            .iter()
            .filter_map(|c| c.target.clone())
            .collect();
        assert!(
            targets.iter().any(|t| t.starts_with("https://item.test/1")),
            "{form}: {:?}",
            run.controls
        );
    }
}

#[test]
fn the_control_s_kind_and_label_are_recorded() {
    let html = "<p class=url>https://item.test/1</p><a id=go class='btn primary' href='javascript:void(0)'>继续\n访问</a>\
                <script>var btn = document.getElementById('go'); \
                btn.onclick = function () { location.href = document.querySelector('.url').innerText; };</script>";
    let run = run_at(html, "https://gw.test/", Mode::Controls);
    let c = run.controls.iter().find(|c| c.target.is_some()).unwrap();
    assert_eq!(c.kind, "onclick_property:click");
    assert_eq!(c.element, "a#go.btn.primary");
    assert_eq!(c.label, "继续 访问");
    assert_eq!(c.target.as_deref(), Some("https://item.test/1"));
}

#[test]
fn markup_written_by_script_is_read() {
    let html = "<div id=app></div><script>var cgiData = {url: 'https:&#x2f;&#x2f;item.test&#x2f;1'};\
                document.getElementById('app').innerHTML = '<a class=\"weui-btn\" href=\"' + \
                cgiData.url.replace(/&#x2f;/g, '/') + '\">继续访问</a>';</script>";
    let run = run_at(html, "https://gw.test/", Mode::Controls);
    let c = run.controls.iter().find(|c| c.label == "继续访问").unwrap();
    assert_eq!(
        (c.kind.as_str(), c.target.as_deref()),
        ("link", Some("https://item.test/1"))
    );
}

#[test]
fn later_timers_and_user_agent_branches_behave_as_in_a_browser() {
    assert_eq!(
        script("setTimeout(function(){ location.href = 'https://late.test/'; }, 60000);"),
        None
    );
    assert_eq!(
        script(
            "if (/MicroMessenger/i.test(navigator.userAgent)) { document.title = 'copy'; } else { location.replace('https://item.test/'); }"
        ),
        None
    );
    assert_eq!(
        script("location.replace('https://a.test/'); location.replace('https://b.test/');")
            .as_deref(),
        Some("https://b.test/")
    );
    assert_eq!(
        script("location.href = '/item?id=7'").as_deref(),
        Some("https://share.test/item?id=7")
    );
    assert_eq!(
        goes_to("<base href='https://cdn.test/a/'><script>location.href='b'</script>").as_deref(),
        Some("https://cdn.test/a/b")
    );
}

#[test]
fn a_page_that_cannot_be_decided_says_why() {
    let looping = load("<script>while (true) {} location.href = '/next';</script>");
    assert_eq!(looping.navigation, None);
    assert!(
        looping
            .undecided
            .clone()
            .unwrap_or_default()
            .contains("time budget"),
        "{looping:?}"
    );
    let hungry = load(
        "<script>var a = []; while (true) { a.push(new Array(100000).fill('x')); } location.href = '/n';</script>",
    );
    assert!(hungry.undecided.is_some());
    let thrown = load("<script>var u = Missing.target(); location.replace(u);</script>");
    assert!(thrown.undecided.unwrap().contains("script 1 threw"));
    // A script that could not navigate anyway does not make the page undecided, nor does a
    // loop in a page whose scripts name no way to navigate (they are not even run).
    assert_eq!(
        load(
            "<script>Missing.track(); var x = 1;</script><script>var y = location.search;</script>"
        )
        .undecided,
        None
    );
    assert!(!load("<script>while (true) {}</script>").ran);
    // Another page on the same thread runs normally after those.
    assert_eq!(
        script("location.replace('https://ok.test/')").as_deref(),
        Some("https://ok.test/")
    );
}

#[test]
fn comments_and_non_scripts_do_not_navigate() {
    for page in [
        "<script>// location.href = 'https://a.test/';\n</script>",
        "<script>/* location.replace('https://a.test/') */</script>",
        "<script type='text/template'>location.href='https://a.test/'</script>",
        "<!-- <script>location.href='https://a.test/'</script> -->",
        "<noscript><script>location.href='https://a.test/'</script></noscript>",
        "<script>if (location.href == 'https://a.test/') { x = 1 }</script>",
    ] {
        assert_eq!(goes_to(page), None, "{page}");
    }
}

#[test]
fn pages_that_only_read_their_location_are_not_run() {
    for script in [
        "var from = window.location.search;",
        "var u = location.href; track(u);",
        "if (location.hostname == 'a.test') { x = 1 }",
    ] {
        assert!(!may_navigate(script), "{script}");
    }
    for script in [
        "location.href = u;",
        "window.location='x'",
        "location.replace(u)",
        "var l = location; l.replace(u);",
        "document.forms[0].submit()",
        "a.click();",
        "window['loc' + 'ation']",
        "var hrl = 'x';",
        "location.search = '?a=1'",
    ] {
        assert!(may_navigate(script), "{script}");
    }
}

#[test]
fn a_control_describes_how_it_is_offered() {
    let control = |kind: &str| Control {
        kind: kind.into(),
        element: "a#go.btn".into(),
        label: "继续访问".into(),
        target: Some("https://item.test/1".into()),
        error: None,
        undecided: false,
    };
    assert_eq!(
        control("onclick_property:click").describe(),
        "onclick property of a#go.btn \"继续访问\" → https://item.test/1"
    );
    assert!(
        control("listener:touchend")
            .describe()
            .starts_with("touchend listener of")
    );
    assert!(
        control("onclick_attribute:click")
            .describe()
            .starts_with("onclick attribute of")
    );
    assert!(
        control("javascript_href")
            .describe()
            .starts_with("javascript href of")
    );
}
