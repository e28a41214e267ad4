//! The report's words in Chinese and English. Regulators read Chinese, many analysts read
//! English, so every label has both and the audit's `lang` picks (overridable by `--lang`).
//! Vocabulary words that are also CSV values (verdicts, mechanisms, ids) stay in English in
//! both languages next to their translation, so a reader can match the page to the data.

use crate::assess::{ChangeKind, Compliance, Note};
use crate::model::{Scene, VerdictKind};

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        s.parse().ok()
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    pub fn is_zh(self) -> bool {
        self == Lang::Zh
    }
}

/// Every fixed text of the report.
#[derive(Debug)]
pub struct Labels {
    pub report: &'static str,
    pub audit: &'static str,
    pub deadline: &'static str,
    pub run_shown: &'static str,
    pub measured: &'static str,
    pub vantage: &'static str,
    pub policy: &'static str,
    pub previous_run: &'static str,
    pub none: &'static str,
    pub simulated: &'static str,
    pub unfinished: &'static str,
    pub overview: &'static str,
    pub overview_note: &'static str,
    pub by_host: &'static str,
    pub by_owner: &'static str,
    pub by_scene: &'static str,
    pub matrix: &'static str,
    pub matrix_note: &'static str,
    pub host_context: &'static str,
    pub scene: &'static str,
    pub client: &'static str,
    pub same_owner: &'static str,
    pub trend: &'static str,
    pub trend_note: &'static str,
    pub rate: &'static str,
    pub run: &'static str,
    pub data_table: &'static str,
    pub changes: &'static str,
    pub first_run: &'static str,
    pub no_changes: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub regressions_history: &'static str,
    pub no_regressions: &'static str,
    pub families: &'static str,
    pub vantages: &'static str,
    pub vantages_note: &'static str,
    pub vantages_same: &'static str,
    pub families_note: &'static str,
    pub family_pages: &'static str,
    pub family_example: &'static str,
    pub drill_down: &'static str,
    pub drill_down_pages: &'static str,
    pub back: &'static str,
    pub link: &'static str,
    pub url: &'static str,
    pub verdict: &'static str,
    pub mechanism: &'static str,
    pub signature: &'static str,
    pub reason: &'static str,
    pub compliance: &'static str,
    pub baseline: &'static str,
    pub control: &'static str,
    pub final_url: &'static str,
    pub continue_control: &'static str,
    pub script_undecided: &'static str,
    pub versus_control: &'static str,
    pub status: &'static str,
    pub page_title: &'static str,
    pub visible_text: &'static str,
    pub more_observations: &'static str,
    pub dialogs: &'static str,
    pub engine: &'static str,
    pub attempts: &'static str,
    pub duration: &'static str,
    pub failure: &'static str,
    pub hops: &'static str,
    pub via: &'static str,
    pub location: &'static str,
    pub elapsed: &'static str,
    pub screenshot: &'static str,
    pub evidence: &'static str,
    pub missing: &'static str,
    pub history: &'static str,
    pub first_compliant: &'static str,
    pub last_non_compliant: &'static str,
    pub days_past: &'static str,
    pub regressions: &'static str,
    pub observed_at: &'static str,
    pub compliant: &'static str,
    pub non_compliant: &'static str,
    pub unknown: &'static str,
    pub regressed_count: &'static str,
    pub legend: &'static str,
    pub files: &'static str,
    pub generated: &'static str,
}

const EN: Labels = Labels {
    report: "compliance report",
    audit: "Audit",
    deadline: "Deadline",
    run_shown: "Run shown",
    measured: "measured",
    vantage: "Vantage",
    policy: "Policy",
    previous_run: "Previous run",
    none: "none",
    simulated: "SIMULATED RUN: these observations were made against linkgate's platform simulator, not the real platforms. They show how a report reads; they are not evidence.",
    unfinished: "This run did not complete: the report shows only the probes it measured.",
    overview: "Overview",
    overview_note: "Rival pairs (host context × link) of the run shown. Same-owner pairs are the baseline and are not counted. Rate = compliant ÷ (compliant + non-compliant).",
    by_host: "By host platform",
    by_owner: "By owner group of the host",
    by_scene: "By scene",
    matrix: "Matrix",
    matrix_note: "Rows: host contexts (platform, scene, client). Columns: link platforms. Each cell sums up the links of that platform: ✗ if any is non-compliant, ✓ if the rest complied, ? if none could be judged. Select a cell for its evidence.",
    host_context: "Host context",
    scene: "Scene",
    client: "Client",
    same_owner: "same owner",
    trend: "Trend",
    trend_note: "Compliance rate of each host platform's rival pairs, run by run; the dashed red line is the deadline.",
    rate: "Rate",
    run: "Run",
    data_table: "The numbers behind the chart",
    changes: "Changes since the previous run",
    first_run: "This is the first run of the audit: there is nothing to compare with.",
    no_changes: "Nothing changed since the previous run.",
    before: "Before",
    after: "Now",
    regressions_history: "Regressions in the history (compliant, then non-compliant again)",
    no_regressions: "No pair has regressed.",
    families: "Pages no signature knows",
    vantages: "Vantages",
    vantages_note: "Runs of the same day from several vantages (places, carriers, client versions). Pairs whose verdict differs between them:",
    vantages_same: "Every pair has the same verdict at every vantage.",
    families_note: "Inconclusive pages of this run grouped by what they share (text and structure). A family that appears suddenly is often a new warning or block page: `linkgate triage --run RUN_ID --out DIR` drafts its signature.",
    family_pages: "pages",
    family_example: "example",
    drill_down: "Drill-down",
    drill_down_pages: "The evidence for each cell is on these pages:",
    back: "Back to the report",
    link: "Link",
    url: "URL",
    verdict: "Verdict",
    mechanism: "Mechanism",
    signature: "Signature",
    reason: "Reason",
    compliance: "Compliance",
    baseline: "Same-owner link opened directly",
    control: "Control (neutral context)",
    final_url: "Final URL",
    continue_control: "Way on (continue control)",
    script_undecided: "Scripts undecided",
    versus_control: "Against the control's page",
    status: "HTTP status",
    page_title: "Page title",
    visible_text: "Visible text",
    more_observations: "more observations of this cell are not shown here; observations.csv has every one.",
    dialogs: "Dialogs",
    engine: "Engine",
    attempts: "Attempts",
    duration: "Duration",
    failure: "Failure",
    hops: "Hops",
    via: "Via",
    location: "Location",
    elapsed: "ms",
    screenshot: "Screenshot",
    evidence: "Raw evidence",
    missing: "missing from the evidence folder",
    history: "History",
    first_compliant: "First seen compliant",
    last_non_compliant: "Last seen non-compliant",
    days_past: "Days past the deadline",
    regressions: "Regressions",
    observed_at: "Observed at",
    compliant: "Compliant",
    non_compliant: "Non-compliant",
    unknown: "Unknown",
    regressed_count: "Regressed",
    legend: "✓ compliant · ✗ non-compliant · ? unknown · ◇ same owner (baseline, not scored) · — not measured · ▼ regressed / ▲ improved / △ changed since the previous run",
    files: "Data files",
    generated: "Generated by",
};

const ZH: Labels = Labels {
    report: "合规报告",
    audit: "审计",
    deadline: "截止日期",
    run_shown: "本报告所示运行",
    measured: "测量于",
    vantage: "测量地点",
    policy: "合规政策",
    previous_run: "上一次运行",
    none: "无",
    simulated: "模拟运行：本报告的观察结果来自 linkgate 的平台模拟器，而非真实平台，仅用于演示报告，不构成证据。",
    unfinished: "本次运行未完成：报告只包含已测量的探测。",
    overview: "概览",
    overview_note: "所示运行中的竞争对手组合（宿主场景 × 链接）。同属集团的组合作为基准，不计入。合规率 = 合规 ÷（合规 + 不合规）。",
    by_host: "按宿主平台",
    by_owner: "按宿主所属集团",
    by_scene: "按场景",
    matrix: "合规矩阵",
    matrix_note: "行：宿主场景（平台、场景、客户端）。列：链接所属平台。每格汇总该平台的链接：任一不合规为 ✗，其余合规为 ✓，均无法判断为 ?。点击单元格查看证据。",
    host_context: "宿主场景",
    scene: "场景",
    client: "客户端",
    same_owner: "同属集团",
    trend: "趋势",
    trend_note: "各宿主平台竞争对手组合的合规率（逐次运行）；红色虚线为截止日期。",
    rate: "合规率",
    run: "运行",
    data_table: "图表数据",
    changes: "自上次运行以来的变化",
    first_run: "这是该审计的第一次运行，没有可比较的内容。",
    no_changes: "与上次运行相比没有变化。",
    before: "之前",
    after: "现在",
    regressions_history: "历史回退（曾经合规，后又不合规）",
    no_regressions: "没有组合出现回退。",
    families: "未能识别的页面",
    vantages: "测量地点",
    vantages_note: "同一天在多个测量地点（地区、运营商、客户端版本）的测量。各地点结论不同的组合：",
    vantages_same: "各测量地点对所有组合的结论一致。",
    families_note: "本次测量中未能判定的页面，按文字与结构的相似度归为若干类。突然出现的一类往往是新的提示页或拦截页：`linkgate triage --run RUN_ID --out DIR` 可为其起草特征（signature）。",
    family_pages: "页面数",
    family_example: "示例",
    drill_down: "明细",
    drill_down_pages: "各单元格的证据见以下页面：",
    back: "返回报告",
    link: "链接",
    url: "网址",
    verdict: "判定",
    mechanism: "机制",
    signature: "特征",
    reason: "依据",
    compliance: "合规",
    baseline: "直接打开的同属集团链接",
    control: "对照（中性环境）",
    final_url: "最终网址",
    continue_control: "继续访问的控件",
    script_undecided: "脚本无法判定",
    versus_control: "与对照页面相比",
    status: "HTTP 状态码",
    page_title: "页面标题",
    visible_text: "可见文字",
    more_observations: "条观测未在此列出；observations.csv 载有全部观测。",
    dialogs: "对话框",
    engine: "引擎",
    attempts: "尝试次数",
    duration: "耗时",
    failure: "失败",
    hops: "跳转",
    via: "方式",
    location: "Location",
    elapsed: "毫秒",
    screenshot: "截图",
    evidence: "原始证据",
    missing: "证据文件夹中缺失",
    history: "历史",
    first_compliant: "首次合规",
    last_non_compliant: "最近一次不合规",
    days_past: "超过截止日期天数",
    regressions: "回退次数",
    observed_at: "观察时间",
    compliant: "合规",
    non_compliant: "不合规",
    unknown: "未知",
    regressed_count: "曾回退",
    legend: "✓ 合规 · ✗ 不合规 · ? 未知 · ◇ 同属集团（基准，不计分）· — 未测量 · ▼ 回退 / ▲ 改善 / △ 变化（与上次运行相比）",
    files: "数据文件",
    generated: "生成工具：",
};

/// The symbol a compliance shows with (the page must read without colour).
pub fn symbol(compliance: Compliance) -> &'static str {
    match compliance {
        Compliance::Compliant => "✓",
        Compliance::NonCompliant => "✗",
        Compliance::Unknown => "?",
    }
}

/// The CSS class of a compliance.
pub fn class(compliance: Compliance) -> &'static str {
    match compliance {
        Compliance::Compliant => "ok",
        Compliance::NonCompliant => "nc",
        Compliance::Unknown => "unk",
    }
}

impl Lang {
    pub fn compliance(self, compliance: Compliance) -> &'static str {
        let t = self.labels();
        match compliance {
            Compliance::Compliant => t.compliant,
            Compliance::NonCompliant => t.non_compliant,
            Compliance::Unknown => t.unknown,
        }
    }

    /// A verdict as a cell shows it: in Chinese the translation, in English the word itself.
    pub fn verdict(self, verdict: VerdictKind) -> &'static str {
        match (self, verdict) {
            (Lang::En, v) => v.as_str(),
            (Lang::Zh, VerdictKind::Opened) => "打开",
            (Lang::Zh, VerdictKind::Interstitial) => "中间页",
            (Lang::Zh, VerdictKind::Blocked) => "拦截",
            (Lang::Zh, VerdictKind::Inconclusive) => "无法判断",
        }
    }

    pub fn note(self, note: Note) -> &'static str {
        match (self, note) {
            (Lang::En, Note::UniformFriction) => {
                "uniform friction: no same-owner link of this category opened directly here"
            }
            (Lang::En, Note::SelectiveFriction) => {
                "selective friction: a same-owner link of this category opened directly here"
            }
            (Lang::Zh, Note::UniformFriction) => {
                "一视同仁的提示：此处没有同类的同属集团链接被直接打开"
            }
            (Lang::Zh, Note::SelectiveFriction) => "区别对待：此处同类的同属集团链接被直接打开",
        }
    }

    /// A short form of a note for a matrix cell.
    pub fn note_short(self, note: Note) -> &'static str {
        match (self, note) {
            (Lang::En, Note::UniformFriction) => "uniform",
            (Lang::En, Note::SelectiveFriction) => "selective",
            (Lang::Zh, Note::UniformFriction) => "一视同仁",
            (Lang::Zh, Note::SelectiveFriction) => "区别对待",
        }
    }

    pub fn scene(self, scene: Option<Scene>) -> &'static str {
        let Some(scene) = scene else {
            return "-";
        };
        match (self, scene) {
            (Lang::En, s) => s.as_str(),
            (Lang::Zh, Scene::PrivateChat) => "私聊",
            (Lang::Zh, Scene::GroupChat) => "群聊",
            (Lang::Zh, Scene::Moments) => "朋友圈/动态",
            (Lang::Zh, Scene::LiveRoom) => "直播间",
            (Lang::Zh, Scene::VideoDescription) => "视频简介",
            (Lang::Zh, Scene::Profile) => "个人主页",
        }
    }

    pub fn change(self, kind: ChangeKind) -> &'static str {
        match (self, kind) {
            (Lang::En, k) => k.as_str(),
            (Lang::Zh, ChangeKind::Regressed) => "回退",
            (Lang::Zh, ChangeKind::Improved) => "改善",
            (Lang::Zh, ChangeKind::Changed) => "变化",
            (Lang::Zh, ChangeKind::New) => "新增",
            (Lang::Zh, ChangeKind::Gone) => "未再测量",
            (Lang::Zh, ChangeKind::Same) => "无变化",
        }
    }
}

/// The mark a change shows with in a matrix cell; empty for no change.
pub fn change_mark(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Regressed => "▼",
        ChangeKind::Improved => "▲",
        ChangeKind::Changed => "△",
        ChangeKind::New | ChangeKind::Gone | ChangeKind::Same => "",
    }
}
