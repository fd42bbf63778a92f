//! 范文转模板 (scaffold): a model essay with `X` placeholders turned into a report template.
//!
//! Pure text work, no IO. [`scaffold`] finds every placeholder (`X`, `XX`, `X.X`, `XXX`, `X余`,
//! `X万余`, `X%`…; an `X` inside a Latin word or next to a digit is not one), decides what it
//! stands for ([`Kind`]) and binds each figure to the metric its sentence names. Model-essay
//! sites write figures with other marks too: `*`, `**`, `*.*`, `****`, `×`, `○`, `□`; such a
//! run is a figure placeholder when a unit word (`次`, `家`) or a counted noun (`企业`, `党员`)
//! follows it, and otherwise not a placeholder at all (`**` may be bold markup, `□` a check
//! box), except that a run of two or more `×`, `○` or `□` is text to fill (`×××同志`). Spaces
//! between a figure and its unit (`X 个企业党支部`) are the essay's Latin-letter habit and are
//! taken into the placeholder, so that the template reads `{{ m.… }}个企业党支部`. [`Scaffold::template`]
//! writes the report template: bound figures become metric expressions, the park's name becomes
//! `{{ park }}`, and every other placeholder keeps its `X` behind a Jinja comment saying what to
//! write, so that rendering fails with the list of unbound placeholders until the user fills them.
//!
//! Binding knows no essay: it compares the words around a placeholder (the clause before it,
//! weaker the clauses before that, and the noun phrase after its unit word) with each metric's
//! label and synonyms by shared character pairs, and weighs the unit word against the metric's
//! unit (an area is never a count, a percentage never a length, people never events). A figure
//! is bound only when one metric clearly fits: the best must share a pair of characters that
//! is not generic, and lead the next metric by a margin; otherwise it stays 待绑定 for the user.

use serde::Serialize;

use super::metrics::{Metric, MetricCatalogue};

/// What a placeholder stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A figure: a metric's value.
    Metric,
    /// The park's name (`X工业园区`, the placeholder taking in the park word).
    Park,
    /// A project or plot name, or a project's own figure (its investment).
    Project,
    /// Free text the user writes.
    Text,
}

/// How the essay writes the figure, which decides the filter of its expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `X`, `XX`, `X.X`: the figure as it is.
    Plain,
    /// `X余`, `XX多`: an approximate figure (`approx`).
    Approx,
    /// `X万`: in 万 (`wan`).
    Wan,
    /// `X万余`: whole 万 with 余 (`wan(approx=true)`).
    WanApprox,
    /// `X亿`: in 亿 (`yi`).
    Yi,
    /// `X亿余`.
    YiApprox,
    /// `X%`: a percentage (`pct`).
    Percent,
}

/// One placeholder of an essay.
#[derive(Clone, Debug, PartialEq)]
pub struct Placeholder {
    /// As written, with its 余/万余/% (`XX余`), or with its park word (`X经开区`).
    pub text: String,
    /// 1-based line number.
    pub line: usize,
    /// The words around it on its line.
    pub context: String,
    pub kind: Kind,
    /// The bound metric's id.
    pub metric: Option<String>,
    pub form: Form,
    /// The unit word after it (`次`, `平方米`), when there is one.
    pub unit: Option<String>,
    /// Char range of `text` in the essay.
    start: usize,
    end: usize,
    /// What the template replaces: `text` with the spaces around a figure.
    outer: std::ops::Range<usize>,
}

/// An essay and its placeholders, in order of appearance.
#[derive(Clone, Debug, PartialEq)]
pub struct Scaffold {
    pub essay: String,
    pub placeholders: Vec<Placeholder>,
}

impl Scaffold {
    /// The placeholders that still need the user: every one but the park's name and bound figures.
    pub fn unbound(&self) -> impl Iterator<Item = &Placeholder> {
        self.placeholders.iter().filter(|p| p.needs_user())
    }

    /// Binds (or, with `None`, unbinds) placeholder `index` to a metric chosen by the user.
    pub fn choose(&mut self, index: usize, metric: Option<&Metric>) {
        if let Some(p) = self.placeholders.get_mut(index) {
            match metric {
                Some(m) => {
                    p.kind = Kind::Metric;
                    p.metric = Some(m.id.clone());
                }
                None => p.metric = None,
            }
        }
    }

    /// The report template (see the module doc).
    pub fn template(&self) -> String {
        let chars: Vec<char> = self.essay.chars().collect();
        let mut out = String::with_capacity(self.essay.len() + 64 * self.placeholders.len());
        let mut at = 0;
        for p in &self.placeholders {
            push_escaped(&mut out, &chars[at..p.outer.start]);
            out.push_str(&p.expression());
            at = p.outer.end;
        }
        push_escaped(&mut out, &chars[at..]);
        out
    }

    /// The placeholders as JSON: `[{"placeholder","line","context","kind","metric"}]`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Row<'a> {
            placeholder: &'a str,
            line: usize,
            context: &'a str,
            kind: Kind,
            metric: Option<&'a str>,
        }
        let rows: Vec<Row> = self
            .placeholders
            .iter()
            .map(|p| Row {
                placeholder: &p.text,
                line: p.line,
                context: &p.context,
                kind: p.kind,
                metric: p.metric.as_deref(),
            })
            .collect();
        serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())
    }
}

impl Placeholder {
    /// Where it stands in the essay, as a range of char (not byte) positions.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// True unless it is the park's name or a bound figure.
    pub fn needs_user(&self) -> bool {
        match self.kind {
            Kind::Park => false,
            Kind::Metric => self.metric.is_none(),
            Kind::Project | Kind::Text => true,
        }
    }

    /// What the template holds in its place.
    pub fn expression(&self) -> String {
        match (self.kind, &self.metric) {
            (Kind::Park, _) => "{{ park }}".into(),
            (Kind::Metric, Some(id)) => {
                let filter = match self.form {
                    Form::Plain => "",
                    Form::Approx => " | approx",
                    Form::Wan => " | wan",
                    Form::WanApprox => " | wan(approx=true)",
                    Form::Yi => " | yi",
                    Form::YiApprox => " | yi(approx=true)",
                    Form::Percent => " | pct",
                };
                format!("{{{{ m.{id}{filter} }}}}")
            }
            (kind, _) => {
                let what = match kind {
                    Kind::Project => "待填写：项目或地块（名称、投资额），可改用 projects 循环",
                    Kind::Text => "待填写：文字",
                    _ => "待绑定：选一个指标，把 X 换成 {{ m.指标ID }}",
                };
                format!("{{# {what} #}}{}", self.text)
            }
        }
    }
}

/// Finds and binds the placeholders of `essay` against `metrics`.
pub fn scaffold(essay: &str, metrics: &MetricCatalogue) -> Scaffold {
    let chars: Vec<char> = essay.chars().collect();
    let units = unit_words(metrics);
    let mut found = find(&chars, &units);
    for i in 0..found.len() {
        let prev_end = i.checked_sub(1).map_or(0, |j| found[j].after_unit);
        let next_start = found.get(i + 1).map_or(chars.len(), |n| n.start);
        let f = &found[i];
        let (kind, metric) = classify(&chars, f, prev_end, next_start, metrics);
        let p = &mut found[i];
        p.kind = kind;
        p.metric = metric;
        if kind == Kind::Park {
            // The park's full name (青峰经济开发区) replaces "X经开区" whole.
            let mut at = p.end;
            while chars.get(at).is_some_and(|c| is_space(*c)) {
                at += 1;
            }
            if let Some(word) = park_word_at(&chars, at) {
                p.end = at + word;
                p.after_unit = p.end;
                p.outer.end = p.end;
            }
        }
    }
    let placeholders = found
        .into_iter()
        .map(|f| Placeholder {
            text: chars[f.start..f.end].iter().collect(),
            line: f.line,
            context: context(&chars, f.start, f.end),
            kind: f.kind,
            metric: f.metric,
            form: f.form,
            unit: f.unit,
            start: f.start,
            end: f.end,
            outer: f.outer,
        })
        .collect();
    Scaffold {
        essay: essay.to_string(),
        placeholders,
    }
}

/// Decodes an essay file: UTF-8 (with or without a byte-order mark), else GBK.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.replace("\r\n", "\n"));
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    (!had_errors).then(|| text.replace("\r\n", "\n"))
}

// ---- finding ----

/// A placeholder while it is being found and classified.
struct Found {
    start: usize,
    end: usize,
    /// `start..end` with the spaces around a figure, which the template drops.
    outer: std::ops::Range<usize>,
    /// A counted noun follows (`X企业`, `**党员`): a figure even without a unit word.
    counted: bool,
    /// Past its unit word: where the next placeholder's left context may begin.
    after_unit: usize,
    line: usize,
    form: Form,
    unit: Option<String>,
    kind: Kind,
    metric: Option<String>,
}

impl Found {
    /// True when it stands for a number: it has a unit, a 余/万/%, or a decimal point.
    fn is_figure(&self, chars: &[char]) -> bool {
        self.unit.is_some()
            || self.counted
            || self.form != Form::Plain
            || chars[self.start..self.end].contains(&'.')
    }
}

/// Unit words a figure may carry, longest first: the metrics' own and the common ones.
const COMMON_UNITS: &[&str] = &[
    "平方公里",
    "平方米",
    "人次",
    "场次",
    "户次",
    "批次",
    "万元",
    "亿元",
    "公里",
    "千米",
    "小时",
    "余人",
    "元",
    "米",
    "亩",
    "吨",
    "次",
    "篇",
    "项",
    "个",
    "名",
    "人",
    "位",
    "场",
    "份",
    "条",
    "起",
    "家",
    "件",
    "所",
    "处",
    "户",
    "支",
    "期",
    "批",
    "届",
    "种",
    "本",
    "册",
    "座",
    "栋",
    "间",
    "台",
    "套",
    "天",
    "年",
    "月",
    "周",
    "轮",
    "块",
    "部",
    "章",
    "课",
    "节",
    "倍",
];

/// Nouns a figure may count without a unit word between them (`X企业`, `**党员`).
const COUNTED_NOUNS: &[&str] = &["党组织", "党支部", "党总支", "党委", "党员", "支部", "企业"];

fn unit_words(metrics: &MetricCatalogue) -> Vec<Vec<char>> {
    let mut units: Vec<Vec<char>> = COMMON_UNITS.iter().map(|u| u.chars().collect()).collect();
    for m in &metrics.metrics {
        let u: Vec<char> = m.unit.chars().collect();
        if !u.is_empty() && u != ['%'] && !units.contains(&u) {
            units.push(u);
        }
    }
    units.sort_by_key(|u| std::cmp::Reverse(u.len()));
    units
}

/// The marks an essay writes a figure with: the seed's `X`, and the `*`, `×`, `○` and `□` of
/// model-essay sites. A placeholder is a run of one mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    X,
    Star,
    Cross,
    Circle,
    Square,
}

fn mark_of(c: char) -> Option<Mark> {
    match c {
        'X' | 'Ｘ' => Some(Mark::X),
        '*' | '＊' => Some(Mark::Star),
        '×' => Some(Mark::Cross),
        '○' => Some(Mark::Circle),
        '□' => Some(Mark::Square),
        _ => None,
    }
}

/// A space an essay puts around a Latin placeholder (`X 个`): ASCII, full-width or no-break.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\u{a0}')
}

/// A Latin letter, digit or underscore: an `X` touching one is part of a word or a real figure.
fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || c.is_numeric())
}

fn starts_with(chars: &[char], at: usize, word: &[char]) -> bool {
    chars.get(at..at + word.len()) == Some(word)
}

fn find(chars: &[char], units: &[Vec<char>]) -> Vec<Found> {
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            line += 1;
        }
        let Some(mark) = mark_of(chars[i]) else {
            i += 1;
            continue;
        };
        let start = i;
        let same = |c: Option<&char>| c.and_then(|c| mark_of(*c)) == Some(mark);
        while i < chars.len() && (same(chars.get(i)) || (chars[i] == '.' && same(chars.get(i + 1))))
        {
            i += 1;
        }
        let run = i - start;
        if is_word(start.checked_sub(1).and_then(|j| chars.get(j))) || is_word(chars.get(i)) {
            continue;
        }
        // The unit may stand apart from the figure by spaces ("X 个企业党支部").
        let mut gap = i;
        while gap < chars.len() && is_space(chars[gap]) {
            gap += 1;
        }
        let next = |k: usize| chars.get(gap + k).copied();
        let form = match (next(0), next(1)) {
            (Some('万'), Some('余' | '多')) => Form::WanApprox,
            (Some('亿'), Some('余' | '多')) => Form::YiApprox,
            (Some('万'), Some(c)) if c != '元' => Form::Wan,
            (Some('亿'), Some(c)) if c != '元' => Form::Yi,
            (Some('余' | '多'), _) => Form::Approx,
            (Some('%' | '％'), _) => Form::Percent,
            _ => Form::Plain,
        };
        let after_form = gap
            + match form {
                Form::Plain => 0,
                Form::Approx | Form::Wan | Form::Yi | Form::Percent => 1,
                Form::WanApprox | Form::YiApprox => 2,
            };
        let unit = if form == Form::Percent {
            Some("%".to_string())
        } else {
            units
                .iter()
                .find(|u| starts_with(chars, after_form, u))
                .map(|u| u.iter().collect::<String>())
        };
        let counted = COUNTED_NOUNS.iter().any(|n| {
            let noun: Vec<char> = n.chars().collect();
            starts_with(chars, after_form, &noun)
        });
        let decimal = chars[start..i].contains(&'.');
        let figure = unit.is_some() || counted || form != Form::Plain || decimal;
        if !figure && (mark == Mark::Star || (mark != Mark::X && run < 2)) {
            // Not a figure, and the mark is not one people write text placeholders with.
            continue;
        }
        let (end, outer) = if figure {
            let mut lead = start;
            while lead > 0 && is_space(chars[lead - 1]) {
                lead -= 1;
            }
            // Spaces that indent a line are the line's, not the figure's.
            if lead == 0 || chars[lead - 1] == '\n' {
                lead = start;
            }
            let end = if form == Form::Plain { i } else { after_form };
            let outer_end = if form == Form::Plain && (unit.is_some() || counted) {
                after_form
            } else {
                end
            };
            (end, lead..outer_end)
        } else {
            (i, start..i)
        };
        let after_unit = after_form + unit.as_ref().map_or(0, |u| u.chars().count());
        let unit = unit.filter(|u| u != "%" || form == Form::Percent);
        found.push(Found {
            start,
            end,
            outer,
            counted,
            after_unit: if form == Form::Percent || !figure {
                end
            } else {
                after_unit
            },
            line,
            form,
            unit: if figure { unit } else { None },
            kind: Kind::Text,
            metric: None,
        });
        i = end.max(i);
    }
    found
}

/// Up to 12 characters either side, on the placeholder's line.
fn context(chars: &[char], start: usize, end: usize) -> String {
    let mut from = start;
    while from > 0 && start - from < 12 && chars[from - 1] != '\n' {
        from -= 1;
    }
    let mut to = end;
    while to < chars.len() && to - end < 12 && chars[to] != '\n' {
        to += 1;
    }
    chars[from..to]
        .iter()
        .collect::<String>()
        .trim()
        .to_string()
}

// ---- classifying ----

/// Ends a clause: the words before it no longer describe the figure after it so strongly.
fn is_clause_end(c: char) -> bool {
    matches!(
        c,
        '，' | ',' | '；' | ';' | '。' | '！' | '!' | '？' | '?' | '：' | ':' | '\n'
    )
}

/// Ends a sentence: nothing before it describes the figure after it.
fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '!' | '？' | '?' | '；' | ';' | '\n')
}

/// Dropped before matching words: quotes and brackets around names (“第一议题”).
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
            | '‘'
            | '’'
            | '"'
            | '\''
            | '《'
            | '》'
            | '「'
            | '」'
            | '（'
            | '）'
            | '('
            | ')'
            | ' '
    )
}

const PARK_WORDS: &[&str] = &[
    "经济技术开发区",
    "高新技术产业开发区",
    "经济开发区",
    "工业集中区",
    "工业园区",
    "产业园区",
    "高新区",
    "经开区",
    "开发区",
    "工业园",
    "园区",
    "新区",
    "管委会",
];

/// The length of the longest park word at `at`, if one starts there.
fn park_word_at(chars: &[char], at: usize) -> Option<usize> {
    PARK_WORDS
        .iter()
        .map(|w| w.chars().collect::<Vec<char>>())
        .filter(|w| starts_with(chars, at, w))
        .map(|w| w.len())
        .max()
}

const PROJECT_WORDS: &[&str] = &[
    "项目",
    "地块",
    "工程",
    "产业园",
    "基地",
    "厂房",
    "片区",
    "宗地",
];

const MONEY_UNITS: &[&str] = &["元", "万元", "亿元"];

fn classify(
    chars: &[char],
    f: &Found,
    prev_end: usize,
    next_start: usize,
    metrics: &MetricCatalogue,
) -> (Kind, Option<String>) {
    // The name-like words right after it, up to the clause's end or the next placeholder.
    let mut name_end = f.after_unit;
    while name_end < next_start.min(f.after_unit + 14) && !is_clause_end(chars[name_end]) {
        name_end += 1;
    }
    let after: String = chars[f.after_unit..name_end].iter().collect();
    let after = after.trim_start_matches(is_space);
    let left = left_clauses(chars, f.start, prev_end);
    let current: String = left.first().cloned().unwrap_or_default();
    let names_project = |s: &str| PROJECT_WORDS.iter().any(|w| s.contains(w));
    if !f.is_figure(chars) {
        let kind = if PARK_WORDS.iter().any(|w| after.starts_with(w)) && !names_project(after) {
            Kind::Park
        } else if names_project(after) {
            Kind::Project
        } else {
            Kind::Text
        };
        return (kind, None);
    }
    let unit = f.unit.as_deref();
    if unit.is_some_and(|u| MONEY_UNITS.contains(&u))
        && (current.contains("投资") || names_project(&current) || names_project(after))
    {
        return (Kind::Project, None);
    }
    // The noun after the unit names the figure, up to a list's next item or an aside in
    // brackets ("X个（其中联合党支部X个）").
    let right: Vec<char> = chars[f.after_unit..name_end]
        .iter()
        .copied()
        .take_while(|c| !matches!(c, '、' | '（' | '('))
        .collect();
    let right: String = right.into_iter().collect();
    let mut windows: Vec<(String, f64)> = vec![(current, 1.0), (right, 1.0)];
    for earlier in left.iter().skip(1) {
        windows.push((earlier.clone(), 0.4));
    }
    (Kind::Metric, bind(f, chars, &windows, metrics))
}

/// The clauses before `start` back to the sentence's start or `floor` (the end of the previous
/// placeholder), nearest first, at most 40 characters in all. When the nearest clause reaches
/// back to the previous placeholder, the words before its last `、` name that placeholder
/// ("X个市级示范支部、X个省级示范支部") and are left out.
fn left_clauses(chars: &[char], start: usize, floor: usize) -> Vec<String> {
    let mut clauses = Vec::new();
    let mut current = String::new();
    let mut i = start;
    let mut taken = 0;
    while i > floor && taken < 40 {
        let c = chars[i - 1];
        if is_sentence_end(c) {
            break;
        }
        if is_clause_end(c) {
            clauses.push(std::mem::take(&mut current));
        } else {
            current.insert(0, c);
        }
        i -= 1;
        taken += 1;
    }
    if i == floor && floor > 0 && clauses.is_empty() {
        if let Some(at) = current.rfind('、') {
            current = current[at + '、'.len_utf8()..].to_string();
        }
    }
    clauses.push(current);
    clauses
}

/// Character pairs too common in reports to tell one figure from another.
const GENERIC: &[&str] = &[
    "工作", "开展", "全年", "今年", "园区", "党建", "建设", "组织", "累计", "共计", "各类", "各项",
    "活动", "企业",
];

/// The best-matching metric for a figure, or `None` when no metric's words are near it.
fn bind(
    f: &Found,
    chars: &[char],
    windows: &[(String, f64)],
    metrics: &MetricCatalogue,
) -> Option<String> {
    let windows: Vec<(Vec<char>, f64)> = windows
        .iter()
        .map(|(w, weight)| (w.chars().filter(|c| !is_quote(*c)).collect(), *weight))
        .collect();
    let decimal = chars[f.start..f.end].contains(&'.');
    let mut scored: Vec<(f64, &Metric)> = Vec::new();
    for m in &metrics.metrics {
        let Some(unit_score) = unit_fit(f.unit.as_deref(), &m.unit) else {
            continue;
        };
        let words = || std::iter::once(&m.label).chain(m.synonyms.iter());
        let matched = words()
            .map(|w| word_score(w, &windows))
            .fold(0.0_f64, f64::max);
        if matched < 1.0 {
            continue;
        }
        // A name written out whole beside the figure (党支部, not only 支部) tells it from a
        // metric that merely shares its pairs (企业党支部).
        let whole = words().any(|w| {
            let w: Vec<char> = w.chars().filter(|c| !is_quote(*c)).collect();
            windows.iter().any(|(text, weight)| {
                *weight >= 1.0 && text.windows(w.len().max(1)).any(|t| t == w.as_slice())
            })
        });
        let mut score = matched + unit_score + if whole { 1.0 } else { 0.0 };
        if decimal && m.decimals > 0 {
            score += 0.3;
        }
        scored.push((score, m));
    }
    // A runner-up too close (an equal one above all) makes the figure unsure, and an unsure
    // figure is left for the user to bind.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [] => None,
        [(best, _), (next, _), ..] if best - next < MARGIN => None,
        [(_, m), ..] => Some(m.id.clone()),
    }
}

/// How far the best metric must lead the next for a figure to be bound: half a shared pair of
/// characters.
const MARGIN: f64 = 0.5;

/// How many of a word's character pairs occur near the figure, each counted once at the weight
/// of the nearest window holding it; a generic pair counts 0.3.
fn word_score(word: &str, windows: &[(Vec<char>, f64)]) -> f64 {
    let word: Vec<char> = word.chars().filter(|c| !is_quote(*c)).collect();
    let mut pairs: Vec<[char; 2]> = word
        .windows(2)
        .filter(|p| p.iter().all(|c| !c.is_ascii_punctuation() && *c != '、'))
        .map(|p| [p[0], p[1]])
        .collect();
    pairs.dedup();
    let mut score = 0.0;
    for pair in pairs {
        let weight = windows
            .iter()
            .filter(|(w, _)| w.windows(2).any(|q| q == pair))
            .map(|(_, weight)| *weight)
            .fold(0.0_f64, f64::max);
        let text: String = pair.iter().collect();
        score += if GENERIC.contains(&text.as_str()) {
            weight * 0.3
        } else {
            weight
        };
    }
    score
}

/// What a unit class a unit word belongs to.
#[derive(PartialEq)]
enum UnitClass {
    Area,
    Length,
    Money,
    Percent,
    Count,
}

fn unit_class(unit: &str) -> UnitClass {
    match unit {
        "平方米" | "平方公里" | "亩" => UnitClass::Area,
        "公里" | "千米" | "米" => UnitClass::Length,
        "元" | "万元" | "亿元" => UnitClass::Money,
        "%" => UnitClass::Percent,
        _ => UnitClass::Count,
    }
}

/// Counts meaning people, events or organisations: two words of one group fit each other,
/// and a word of one group never fits a metric counted in another (名 is not 次).
const UNIT_GROUPS: &[&[&str]] = &[
    &["人", "名", "位", "余人", "人次"],
    &["次", "场", "场次", "期", "轮"],
    &["个", "家", "所"],
];

/// How well the figure's unit fits the metric's: `None` when they cannot be the same figure.
fn unit_fit(unit: Option<&str>, metric_unit: &str) -> Option<f64> {
    let Some(unit) = unit else {
        // A bare figure ("共X") may be anything but a percentage, which is always written X%.
        return (unit_class(metric_unit) != UnitClass::Percent).then_some(0.0);
    };
    if unit_class(unit) != unit_class(metric_unit) {
        return None;
    }
    if unit == metric_unit {
        return Some(1.0);
    }
    let group = |u: &str| UNIT_GROUPS.iter().position(|g| g.contains(&u));
    match (group(unit), group(metric_unit)) {
        (Some(a), Some(b)) if a == b => Some(0.5),
        (Some(_), Some(_)) => None,
        _ => Some(-1.0),
    }
}

/// Appends essay text, keeping any `{{`, `{%` or `{#` it holds from being read as Jinja.
fn push_escaped(out: &mut String, text: &[char]) {
    for (i, c) in text.iter().enumerate() {
        if *c == '{' && matches!(text.get(i + 1), Some('{' | '%' | '#')) {
            out.push_str("{{ \"{\" }}");
        } else {
            out.push(*c);
        }
    }
}

#[cfg(test)]
#[path = "scaffold_tests.rs"]
mod tests;
