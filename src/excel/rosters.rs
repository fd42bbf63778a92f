//! The four rosters (名册) a workbook may carry, declared as data like the ledger kinds: sheet name,
//! columns, types, required flags and allowed values. Each is turned into a [`KindDef`] so that
//! header matching, value parsing and templates run through the same code as the ledgers; those
//! `KindDef`s are never installed in a park's catalogue.

use crate::ledger::catalogue::{FieldDef, FieldType, KindDef};
use crate::org::service::{MEMBER_TYPES, SCALES, STAFF_TYPES};
use crate::org::UNIT_TYPES;

/// The rosters in the order they are imported: each refers only to those before it.
pub static ROSTERS: [RosterDef; 4] = [ENTERPRISES, UNITS, MEMBERS, STAFF];

/// Which roster a sheet is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Roster {
    Enterprises,
    Units,
    Members,
    Staff,
}

/// One roster: its sheet and columns.
#[derive(Debug)]
pub struct RosterDef {
    pub roster: Roster,
    /// Stable English id, accepted by `--kind`.
    pub id: &'static str,
    pub sheet: &'static str,
    pub columns: &'static [Column],
}

/// One column of a roster.
#[derive(Debug)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    pub field_type: FieldType,
    pub required: bool,
    pub choices: &'static [&'static str],
    pub aliases: &'static [&'static str],
    /// A check beyond the field type: an identifier with a check character, or a tag list.
    pub check: Check,
}

/// Checks of identifiers (`org::ids`) applied after the text has been read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    None,
    CreditCode,
    IdNumber,
    Phone,
    /// Several words separated by commas or `、`.
    Tags,
}

const fn col(key: &'static str, label: &'static str, field_type: FieldType) -> Column {
    Column {
        key,
        label,
        field_type,
        required: false,
        choices: &[],
        aliases: &[],
        check: Check::None,
    }
}

const fn required(c: Column) -> Column {
    Column {
        required: true,
        ..c
    }
}

const fn choice(
    key: &'static str,
    label: &'static str,
    choices: &'static [&'static str],
) -> Column {
    Column {
        choices,
        ..col(key, label, FieldType::Choice)
    }
}

const fn checked(c: Column, check: Check, aliases: &'static [&'static str]) -> Column {
    Column {
        check,
        aliases,
        ..c
    }
}

const fn aka(c: Column, aliases: &'static [&'static str]) -> Column {
    Column { aliases, ..c }
}

pub const GENDERS: [&str; 2] = ["男", "女"];

const ENTERPRISES: RosterDef = RosterDef {
    roster: Roster::Enterprises,
    id: "enterprises",
    sheet: "企业名录",
    columns: &[
        required(aka(col("name", "企业名称", FieldType::Text), &["企业"])),
        checked(
            col("credit_code", "统一社会信用代码", FieldType::Text),
            Check::CreditCode,
            &["信用代码", "社会信用代码"],
        ),
        choice("scale", "规模", &SCALES),
        col("industry", "行业", FieldType::Text),
        col("address", "地址", FieldType::Text),
        col("contact", "联系人", FieldType::Text),
        checked(
            col("contact_phone", "联系电话", FieldType::Text),
            Check::Phone,
            &["电话"],
        ),
        aka(col("leader", "包联领导", FieldType::Person), &["包联"]),
    ],
};

const UNITS: RosterDef = RosterDef {
    roster: Roster::Units,
    id: "units",
    sheet: "组织架构",
    columns: &[
        required(aka(
            col("name", "名称", FieldType::Text),
            &["单位名称", "组织名称"],
        )),
        required(choice("unit_type", "类型", &UNIT_TYPES)),
        aka(
            col("parent", "上级", FieldType::Unit),
            &["上级单位", "上级组织"],
        ),
        col("enterprise", "所在企业", FieldType::Enterprise),
    ],
};

const MEMBERS: RosterDef = RosterDef {
    roster: Roster::Members,
    id: "members",
    sheet: "党员花名册",
    columns: &[
        required(col("name", "姓名", FieldType::Text)),
        choice("gender", "性别", &GENDERS),
        checked(
            col("id_number", "身份证号", FieldType::Text),
            Check::IdNumber,
            &["身份证号码", "公民身份号码"],
        ),
        checked(
            col("phone", "手机号", FieldType::Text),
            Check::Phone,
            &["手机号码", "手机", "联系电话"],
        ),
        required(aka(
            col("unit", "所在支部", FieldType::Unit),
            &["所在党支部", "党支部", "所在党组织"],
        )),
        choice("member_type", "党员类型", &MEMBER_TYPES),
        aka(col("joined_on", "入党日期", FieldType::Date), &["入党时间"]),
        col("title", "职务", FieldType::Text),
    ],
};

const STAFF: RosterDef = RosterDef {
    roster: Roster::Staff,
    id: "staff",
    sheet: "人员名册",
    columns: &[
        required(col("name", "姓名", FieldType::Text)),
        required(aka(col("unit", "所在单位", FieldType::Unit), &["单位"])),
        choice("staff_type", "人员类型", &STAFF_TYPES),
        checked(col("tags", "标签", FieldType::Text), Check::Tags, &[]),
        col("title", "职务", FieldType::Text),
    ],
};

impl RosterDef {
    /// The roster as a kind, for header matching, parsing and templates. It has no date field;
    /// `date_field` is left empty and the kind is never validated as a ledger.
    pub fn kind(&self) -> KindDef {
        KindDef {
            id: self.id.to_owned(),
            name: self.sheet.to_owned(),
            sheet: self.sheet.to_owned(),
            date_field: String::new(),
            title_field: "name".to_owned(),
            unit_field: None,
            enterprise_field: None,
            fields: self.columns.iter().map(Column::field).collect(),
            plausibility: Vec::new(),
            attendance: None,
            closed: None,
        }
    }

    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }
}

impl Column {
    pub fn field(&self) -> FieldDef {
        FieldDef {
            key: self.key.to_owned(),
            label: self.label.to_owned(),
            field_type: self.field_type,
            required: self.required,
            choices: self.choices.iter().map(|c| (*c).to_owned()).collect(),
            default: None,
            scale: None,
            aliases: self.aliases.iter().map(|a| (*a).to_owned()).collect(),
            set_by: Vec::new(),
        }
    }
}

/// The roster whose sheet is `sheet`, forgiving stray spaces and full-width characters.
pub fn by_sheet(sheet: &str) -> Option<&'static RosterDef> {
    let wanted = crate::ledger::catalogue::header_key(sheet);
    ROSTERS
        .iter()
        .find(|r| crate::ledger::catalogue::header_key(r.sheet) == wanted)
}

/// The roster named by id (`members`) or by sheet (`党员花名册`).
pub fn by_name(name: &str) -> Option<&'static RosterDef> {
    ROSTERS
        .iter()
        .find(|r| r.id == name)
        .or_else(|| by_sheet(name))
}

/// Splits a tag cell: `志愿者、网格员,党员示范岗` gives three tags.
pub fn split_tags(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ';', '；', '/'])
        .map(crate::ledger::value::normalize_text)
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosters_match_headers_like_kinds() {
        let members = by_name("members").unwrap().kind();
        assert_eq!(
            members
                .field_by_header("身份证号码")
                .map(|f| f.key.as_str()),
            Some("id_number")
        );
        assert_eq!(
            members
                .field_by_header(" 所在支部＊")
                .map(|f| f.key.as_str()),
            Some("unit")
        );
        assert_eq!(by_sheet(" 组织架构 ").map(|r| r.id), Some("units"));
        assert!(by_sheet("会议台账").is_none());
        // Headers must be unique within each roster, as in a catalogue kind.
        for roster in &ROSTERS {
            let kind = roster.kind();
            let mut seen = std::collections::HashSet::new();
            for f in &kind.fields {
                for h in std::iter::once(&f.label).chain(&f.aliases) {
                    assert!(seen.insert(crate::ledger::catalogue::header_key(h)), "{h}");
                }
            }
        }
    }

    #[test]
    fn tags_split_on_the_usual_separators() {
        assert_eq!(
            split_tags(" 志愿者、网格员,，党员示范岗 "),
            vec!["志愿者", "网格员", "党员示范岗"]
        );
        assert!(split_tags(" 、 ").is_empty());
    }
}
