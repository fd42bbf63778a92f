//! Rules as data: the types of a rule catalogue and the parser that turns a rule file into them.
//!
//! A rule file is TOML (the shipped default is `rules.toml`); every value a rule names is checked
//! against the world it will be evaluated in: meeting types against the meeting ledger's choices,
//! unit types against the organisation's, field keys against the meeting ledger's number fields.
//! A refusal names the line, so the person editing a park's copy can find it.
//!
//! A park's own file is an overlay on the default ([`Rules::overlay`]): a rule with a default's id
//! replaces it, a new id adds a rule, `enabled = false` turns a rule off, and a default rule the
//! park's file does not name keeps running, so a default added later reaches every park.

use std::collections::HashSet;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::error::{FileProblem, RulesError};
use super::period::Period;
use crate::ledger::catalogue::{Catalogue, FieldType, KindDef};

/// The ledger kind every rule counts, and the field holding the meeting type.
pub(crate) const MEETING_KIND: &str = "meeting";
pub(crate) const MEETING_TYPE_FIELD: &str = "meeting_type";

const DEFAULT_RULES: &str = include_str!("rules.toml");

/// A validated rule catalogue, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

/// One rule: which units it applies to, what each of them must show, per which period.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Stable id (`branch_committee_monthly`), as printed in findings.
    pub id: String,
    /// What a finding says, e.g. 支委会未按月召开.
    pub title: String,
    /// The basis, e.g. 《中国共产党支部工作条例（试行）》第十二条; empty for a park's own practice.
    pub article: String,
    pub applies_to: AppliesTo,
    pub requirement: Requirement,
    pub period: Period,
}

/// The units a rule applies to.
#[derive(Clone, Debug, PartialEq)]
pub struct AppliesTo {
    /// One of [`crate::org::UNIT_TYPES`].
    pub unit_type: String,
    /// Only units with at least this many 正式党员 (theirs and their 党小组's).
    pub min_full_members: Option<u32>,
}

/// What each unit must show in each period.
#[derive(Clone, Debug, PartialEq)]
pub enum Requirement {
    /// Every task of the year's plans whose deadline has passed by the as-of date is done by
    /// then (`task_overdue`); findings are grouped per responsible unit.
    TasksDone,
    /// Every enterprise paired with a leader (包联领导, `enterprises.leader_name`) has at least
    /// one visit (走访 record) by that leader in each period (`visit_coverage`); findings are
    /// per enterprise and period.
    PairedVisits,
    /// At least `min` meetings of `meeting_type` held by the unit itself.
    Count { meeting_type: String, min: u32 },
    /// Over the unit's meetings (of `meeting_types`, or all when empty), the sum of `numerator`
    /// divided by the sum of `denominator` is at least `min_ratio`.
    Ratio {
        meeting_types: Vec<String>,
        numerator: NumberField,
        denominator: NumberField,
        min_ratio: f64,
    },
}

/// A number field of the meeting ledger: its key (for SQL) and its label (for evidence).
#[derive(Clone, Debug, PartialEq)]
pub struct NumberField {
    pub key: String,
    pub label: String,
}

impl Rules {
    /// The catalogue shipped with taizhang: the rules of PRODUCT.md.
    pub fn default_rules() -> Rules {
        // The embedded file is a build input; `the_default_rules_parse` keeps it valid.
        Rules::from_toml(DEFAULT_RULES)
            .expect("the embedded default rules are valid (checked by a unit test)")
    }

    /// Parses a rule file and checks it against the default ledger catalogue.
    pub fn from_toml(text: &str) -> Result<Rules, RulesError> {
        Rules::from_toml_with(text, &Catalogue::default_catalogue())
    }

    /// Parses a rule file and checks it against a park's own ledger catalogue. Rules marked
    /// `enabled = false` are left out.
    pub fn from_toml_with(text: &str, catalogue: &Catalogue) -> Result<Rules, RulesError> {
        let rules = parse(text, catalogue)?
            .into_iter()
            .filter_map(|e| match e {
                Entry::On(rule) => Some(*rule),
                Entry::Off(_) => None,
            })
            .collect();
        Ok(Rules { rules })
    }

    /// These rules (the defaults) with a park's file laid over them: a rule of the file with
    /// the id of one of these replaces it in place, `enabled = false` removes it, and the file's
    /// other rules follow in file order. Rules the file does not name are kept, so a full copy
    /// saved before a default was added still gets that default. Refusals name the file's line.
    pub fn overlay(&self, text: &str, catalogue: &Catalogue) -> Result<Rules, RulesError> {
        let entries = parse(text, catalogue)?;
        let id_of = |e: &Entry| match e {
            Entry::On(rule) => rule.id.clone(),
            Entry::Off(id) => id.clone(),
        };
        let mut rules = Vec::with_capacity(self.rules.len() + entries.len());
        for default in &self.rules {
            match entries.iter().find(|e| id_of(e) == default.id) {
                None => rules.push(default.clone()),
                Some(Entry::On(own)) => rules.push(Rule::clone(own)),
                Some(Entry::Off(_)) => {}
            }
        }
        for entry in entries {
            if let Entry::On(own) = entry {
                if self.get(&own.id).is_none() {
                    rules.push(*own);
                }
            }
        }
        Ok(Rules { rules })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// One rule of a file: in force, or turned off by `enabled = false` (only its id is checked).
enum Entry {
    On(Box<Rule>),
    Off(String),
}

/// Every rule of a file, checked, in file order; ids are unique.
fn parse(text: &str, catalogue: &Catalogue) -> Result<Vec<Entry>, RulesError> {
    let file: RawFile = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
    let meeting = catalogue
        .kind(MEETING_KIND)
        .filter(|k| k.field(MEETING_TYPE_FIELD).is_some())
        .ok_or(RulesError::File {
            line: 1,
            problem: FileProblem::NoMeetingLedger,
        })?;
    let checker = Checker { text, meeting };
    let mut ids = HashSet::new();
    let mut entries = Vec::with_capacity(file.rule.len());
    for raw in file.rule {
        let span = raw.id.span();
        let entry = if raw.enabled == Some(false) {
            let id = raw.id.get_ref().trim().to_string();
            if !is_snake_case(&id) {
                return Err(checker.fail(&span, FileProblem::InvalidId(id)));
            }
            Entry::Off(id)
        } else {
            Entry::On(Box::new(checker.rule(raw)?))
        };
        let id = match &entry {
            Entry::On(rule) => &rule.id,
            Entry::Off(id) => id,
        };
        if !ids.insert(id.clone()) {
            return Err(checker.fail(&span, FileProblem::DuplicateId(id.clone())));
        }
        entries.push(entry);
    }
    Ok(entries)
}

// ---- the file as written ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    article: String,
    /// Required unless the rule is turned off.
    period: Option<Spanned<String>>,
    /// Absent for a task rule: it applies to each task's responsible unit.
    applies_to: Option<RawAppliesTo>,
    /// Required unless the rule is turned off.
    requires: Option<Spanned<RawRequires>>,
    /// `false` turns the rule (a default's, by its id) off; absent or `true`, it is in force.
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAppliesTo {
    unit_type: Spanned<String>,
    min_full_members: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequires {
    meeting_type: Option<Spanned<String>>,
    min_count: Option<Spanned<i64>>,
    numerator: Option<Spanned<String>>,
    denominator: Option<Spanned<String>>,
    min_ratio: Option<Spanned<f64>>,
    meeting_types: Option<Vec<Spanned<String>>>,
    tasks: Option<Spanned<String>>,
    visits: Option<Spanned<String>>,
}

/// Checks raw rules against the meeting ledger, naming the line of each refusal.
struct Checker<'a> {
    text: &'a str,
    meeting: &'a KindDef,
}

impl Checker<'_> {
    fn rule(&self, raw: RawRule) -> Result<Rule, RulesError> {
        let id = raw.id.get_ref().trim().to_string();
        if !is_snake_case(&id) {
            return Err(self.fail(&raw.id.span(), FileProblem::InvalidId(id)));
        }
        if raw.title.trim().is_empty() {
            return Err(self.fail(&raw.id.span(), FileProblem::MissingTitle { rule: id }));
        }
        let Some(raw_period) = raw.period else {
            return Err(self.fail(&raw.id.span(), FileProblem::MissingKey("period".into())));
        };
        let Some(requires) = raw.requires else {
            return Err(self.fail(&raw.id.span(), FileProblem::MissingKey("requires".into())));
        };
        let period = Period::parse(raw_period.get_ref().trim()).ok_or_else(|| {
            self.fail(
                &raw_period.span(),
                FileProblem::UnknownPeriod {
                    rule: id.clone(),
                    value: raw_period.get_ref().clone(),
                },
            )
        })?;
        let requires_span = requires.span();
        let requirement = self.requirement(&id, requires)?;
        let applies_to = match (raw.applies_to, &requirement) {
            // A task rule applies to whichever unit is responsible for each task.
            (None, Requirement::TasksDone | Requirement::PairedVisits) => AppliesTo {
                unit_type: String::new(),
                min_full_members: None,
            },
            (Some(a), _) => self.applies_to(&id, a)?,
            (None, _) => {
                return Err(self.fail(&requires_span, FileProblem::MissingAppliesTo { rule: id }))
            }
        };
        Ok(Rule {
            id,
            title: raw.title.trim().to_string(),
            article: raw.article.trim().to_string(),
            applies_to,
            requirement,
            period,
        })
    }

    fn applies_to(&self, rule: &str, raw: RawAppliesTo) -> Result<AppliesTo, RulesError> {
        let unit_type = raw.unit_type.get_ref().trim();
        if !crate::org::UNIT_TYPES.contains(&unit_type) {
            return Err(self.fail(
                &raw.unit_type.span(),
                FileProblem::UnknownUnitType {
                    rule: rule.to_string(),
                    value: raw.unit_type.get_ref().clone(),
                    nearest: crate::org::nearest(unit_type, crate::org::UNIT_TYPES),
                    choices: crate::org::UNIT_TYPES.map(String::from).to_vec(),
                },
            ));
        }
        let min_full_members = match raw.min_full_members {
            None => None,
            Some(n) => Some(self.positive(rule, &n, "最少正式党员数（min_full_members）")?),
        };
        Ok(AppliesTo {
            unit_type: unit_type.to_string(),
            min_full_members,
        })
    }

    fn requirement(
        &self,
        rule: &str,
        raw: Spanned<RawRequires>,
    ) -> Result<Requirement, RulesError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let counts = raw.meeting_type.is_some() || raw.min_count.is_some();
        let ratio = raw.numerator.is_some()
            || raw.denominator.is_some()
            || raw.min_ratio.is_some()
            || raw.meeting_types.is_some();
        let rule_name = || rule.to_string();
        if let Some(visits) = raw.visits {
            if counts || ratio || raw.tasks.is_some() {
                return Err(self.fail(
                    &span,
                    FileProblem::AmbiguousRequirement { rule: rule_name() },
                ));
            }
            return match visits.get_ref().trim() {
                "paired_each_period" => Ok(Requirement::PairedVisits),
                other => Err(self.fail(
                    &visits.span(),
                    FileProblem::UnknownVisitRequirement {
                        rule: rule_name(),
                        value: other.to_string(),
                    },
                )),
            };
        }
        if let Some(tasks) = raw.tasks {
            if counts || ratio {
                return Err(self.fail(
                    &span,
                    FileProblem::AmbiguousRequirement { rule: rule_name() },
                ));
            }
            return match tasks.get_ref().trim() {
                "done_by_deadline" => Ok(Requirement::TasksDone),
                other => Err(self.fail(
                    &tasks.span(),
                    FileProblem::UnknownTaskRequirement {
                        rule: rule_name(),
                        value: other.to_string(),
                    },
                )),
            };
        }
        match (counts, ratio) {
            (true, false) => {
                let Some(meeting_type) = raw.meeting_type else {
                    return Err(self.fail(&span, FileProblem::MissingKey("meeting_type".into())));
                };
                let min = match raw.min_count {
                    Some(n) => self.positive(rule, &n, "最少次数（min_count）")?,
                    None => 1,
                };
                Ok(Requirement::Count {
                    meeting_type: self.meeting_type(rule, &meeting_type)?,
                    min,
                })
            }
            (false, true) => {
                let incomplete = |what| {
                    self.fail(
                        &span,
                        FileProblem::IncompleteRatio {
                            rule: rule_name(),
                            what,
                        },
                    )
                };
                let numerator = raw
                    .numerator
                    .ok_or_else(|| incomplete("分子（numerator）"))?;
                let denominator = raw
                    .denominator
                    .ok_or_else(|| incomplete("分母（denominator）"))?;
                let min_ratio = raw
                    .min_ratio
                    .ok_or_else(|| incomplete("比例下限（min_ratio）"))?;
                let value = *min_ratio.get_ref();
                if !(value > 0.0 && value <= 10.0) {
                    return Err(self.fail(
                        &min_ratio.span(),
                        FileProblem::InvalidRatio {
                            rule: rule_name(),
                            value,
                        },
                    ));
                }
                let meeting_types = raw
                    .meeting_types
                    .unwrap_or_default()
                    .iter()
                    .map(|t| self.meeting_type(rule, t))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Requirement::Ratio {
                    meeting_types,
                    numerator: self.number_field(rule, &numerator)?,
                    denominator: self.number_field(rule, &denominator)?,
                    min_ratio: value,
                })
            }
            _ => Err(self.fail(
                &span,
                FileProblem::AmbiguousRequirement { rule: rule_name() },
            )),
        }
    }

    fn meeting_type(&self, rule: &str, value: &Spanned<String>) -> Result<String, RulesError> {
        let choices = self
            .meeting
            .field(MEETING_TYPE_FIELD)
            .map(|f| f.choices.clone())
            .unwrap_or_default();
        let wanted = value.get_ref().trim();
        if choices.iter().any(|c| c == wanted) {
            return Ok(wanted.to_string());
        }
        Err(self.fail(
            &value.span(),
            FileProblem::UnknownMeetingType {
                rule: rule.to_string(),
                value: value.get_ref().clone(),
                nearest: crate::org::nearest(wanted, choices.iter().map(String::as_str)),
                choices,
            },
        ))
    }

    fn number_field(&self, rule: &str, key: &Spanned<String>) -> Result<NumberField, RulesError> {
        let numeric = |t: FieldType| matches!(t, FieldType::Integer | FieldType::Decimal);
        match self.meeting.field(key.get_ref().trim()) {
            Some(f) if numeric(f.field_type) => Ok(NumberField {
                key: f.key.clone(),
                label: f.label.clone(),
            }),
            _ => Err(self.fail(
                &key.span(),
                FileProblem::UnknownNumberField {
                    rule: rule.to_string(),
                    key: key.get_ref().clone(),
                    choices: self
                        .meeting
                        .fields
                        .iter()
                        .filter(|f| numeric(f.field_type))
                        .map(|f| format!("{}（{}）", f.key, f.label))
                        .collect(),
                },
            )),
        }
    }

    fn positive(
        &self,
        rule: &str,
        n: &Spanned<i64>,
        what: &'static str,
    ) -> Result<u32, RulesError> {
        match u32::try_from(*n.get_ref()) {
            Ok(v) if v > 0 => Ok(v),
            _ => Err(self.fail(
                &n.span(),
                FileProblem::NotPositive {
                    rule: rule.to_string(),
                    what,
                    value: *n.get_ref(),
                },
            )),
        }
    }

    fn fail(&self, span: &Range<usize>, problem: FileProblem) -> RulesError {
        RulesError::File {
            line: line_of(self.text, span.start),
            problem,
        }
    }
}

/// A TOML error as a refusal at its line, its common messages in Chinese.
fn syntax_error(text: &str, e: &toml::de::Error) -> RulesError {
    let line = e.span().map_or(1, |s| line_of(text, s.start));
    let message = e.message().trim();
    let quoted = |m: &str| {
        m.split('`')
            .nth(1)
            .map(str::to_string)
            .unwrap_or_else(|| m.to_string())
    };
    let problem = if message.starts_with("missing field") {
        FileProblem::MissingKey(quoted(message))
    } else if message.starts_with("unknown field") {
        FileProblem::UnknownKey(quoted(message))
    } else {
        FileProblem::Syntax(message.to_string())
    };
    RulesError::File { line, problem }
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Lowercase ASCII letters, digits and single underscores, starting with a letter.
fn is_snake_case(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.contains("__")
        && !id.ends_with('_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_parse() {
        let rules = Rules::from_toml(DEFAULT_RULES).unwrap();
        assert_eq!(rules.rules.len(), 11);
        let coverage = rules.get("visit_coverage").unwrap();
        assert_eq!(coverage.requirement, Requirement::PairedVisits);
        assert_eq!(coverage.period, Period::Quarter);
    }

    #[test]
    fn a_park_file_overlays_the_defaults() {
        let defaults = Rules::default_rules();
        // Replaced in place, turned off, left alone, and one of the park's own added at the end.
        let text = "[[rule]]\nid = \"party_lecture_quarterly\"\ntitle = \"党课未按月开展\"\n\
                    period = \"month\"\napplies_to = { unit_type = \"党支部\" }\n\
                    requires = { meeting_type = \"党课\" }\n\n\
                    [[rule]]\nid = \"theme_day_monthly\"\nenabled = false\n\n\
                    [[rule]]\nid = \"seminar_yearly\"\ntitle = \"未开展专题研讨\"\n\
                    period = \"year\"\napplies_to = { unit_type = \"党工委\" }\n\
                    requires = { meeting_type = \"专题研讨\" }\n";
        let rules = defaults
            .overlay(text, &Catalogue::default_catalogue())
            .unwrap();
        let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
        let mut expected: Vec<&str> = defaults
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| *id != "theme_day_monthly")
            .collect();
        expected.push("seminar_yearly");
        assert_eq!(ids, expected);
        let lecture = rules.get("party_lecture_quarterly").unwrap();
        assert_eq!(lecture.period, Period::Month);
        assert_eq!(lecture.title, "党课未按月开展");
        // A full copy of the defaults changes nothing; an empty file neither.
        let catalogue = Catalogue::default_catalogue();
        assert_eq!(
            defaults.overlay(DEFAULT_RULES, &catalogue).unwrap(),
            defaults
        );
        assert_eq!(defaults.overlay("", &catalogue).unwrap(), defaults);
    }

    #[test]
    fn an_enabled_rule_needs_its_period_and_requirement() {
        let text = "[[rule]]\nid = \"x_rule\"\ntitle = \"某规则\"\n";
        let err = Rules::from_toml(text).unwrap_err();
        assert_eq!(err.to_string(), "规则文件第 2 行：缺少“period”");
        let text = "[[rule]]\nid = \"x_rule\"\nenabled = false\n\n[[rule]]\nid = \"x_rule\"\nenabled = false\n";
        let err = Rules::from_toml(text).unwrap_err();
        assert_eq!(err.to_string(), "规则文件第 6 行：规则标识“x_rule”重复");
    }

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn ids_are_snake_case() {
        assert!(is_snake_case("study_vs_work"));
        assert!(!is_snake_case("Study"));
        assert!(!is_snake_case("a__b"));
        assert!(!is_snake_case(""));
    }
}
