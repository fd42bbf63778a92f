//! The ledger catalogue (台账目录): every ledger kind declared as data.
//!
//! A kind names its Excel sheet, its fields (key, Chinese column header, type, required flag,
//! allowed values, default) and which fields date a record, title it and name its responsible unit
//! or enterprise. Forms, validation, Excel templates, import, export and metric filters all read the
//! catalogue, so a park can add a ledger without a developer. The default ships embedded
//! (`catalogue.toml`); a park's own catalogue goes through the same [`Catalogue::from_toml`], whose
//! checks turn a broken edit into a Chinese message naming the kind and field instead of a
//! half-working ledger.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ledger::value::{self, normalize_text, Raw, ValueError};

/// A validated set of ledger kinds. Obtain one from [`Catalogue::default_catalogue`] or
/// [`Catalogue::from_toml`]; both check everything [`Catalogue::validate`] checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(rename = "kind", default)]
    pub kinds: Vec<KindDef>,
}

/// One ledger kind, e.g. 会议台账.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindDef {
    /// Stable English id (`meeting`), used in URLs, the CLI and metric definitions.
    pub id: String,
    /// Short Chinese name (`会议`).
    pub name: String,
    /// Excel sheet name and page title (`会议台账`).
    pub sheet: String,
    /// Key of the required date field that places a record in a period.
    pub date_field: String,
    /// Key of the required field shown as a record's title.
    pub title_field: String,
    /// Key of the field naming the responsible unit, if the kind has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_field: Option<String>,
    /// Key of the field naming the enterprise concerned, if the kind has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_field: Option<String>,
    /// Fields in column order.
    #[serde(rename = "field", default)]
    pub fields: Vec<FieldDef>,
    /// Plausibility rules between its fields (`[[kind.plausibility]]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plausibility: Vec<Plausibility>,
    /// The fields recording who attended, for meetings (`[kind.attendance]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<Attendance>,
    /// Set when the kind takes no new records any more because another part of the product
    /// replaced it: the Chinese message that says where to record instead. Its records stay
    /// readable; nothing may create, change or restore one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
}

/// A plausibility rule of a kind: `field` compared with `other` (or with today).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plausibility {
    /// The field the rule is about; its message is shown at it.
    pub field: String,
    pub relation: Relation,
    /// The field it is compared with (not for `not_future`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    /// Whether a record breaking it is refused or only listed (data-quality page).
    #[serde(default)]
    pub level: Level,
    /// What is wrong, in words; the values are added after it.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// `field` ≤ `other`.
    NotAbove,
    /// `field` ≥ `other`.
    NotBelow,
    /// A date no later than the park's today.
    NotFuture,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The form, the API and the import refuse the record.
    #[default]
    Refuse,
    /// The record is kept and listed on the data-quality page.
    Warn,
}

/// One field of a kind, i.e. one column of its sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Stable ASCII snake_case key used in JSON and SQL.
    pub key: String,
    /// Chinese column header (`日期`).
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Allowed values of a `choice` field, in display order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// Value stored when the cell or form field is left empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    /// Decimal places kept by a `decimal` field; see [`FieldDef::scale`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// Other header spellings accepted on import (`面积` for `面积(平方米)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The roles that may set this field (role ids); empty: every role that may write the kind.
    /// A 企业用户 submits its 企业难题, the park's staff fill in 责任小组, 办理结果 and 办结日期.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_by: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Text,
    Longtext,
    Integer,
    Decimal,
    Date,
    Bool,
    Choice,
    /// Names a unit of the organisation roster (组织架构).
    Unit,
    /// Names an enterprise of the enterprise roster (企业名录).
    Enterprise,
    /// Names a person; linked to a roster entry of that name where there is one.
    Person,
    /// Names several party members of the record's unit (and its sub-units), e.g. 参会人员;
    /// stored as the names joined by `、`, each checked against the roster when entered.
    People,
    /// Names party members of the record's unit, each with a reason from the field's `choices`,
    /// e.g. 缺席人员 `张三（病假）、李四（公出）`; checked against the roster like `people`.
    Absences,
}

/// Which fields of a kind record a meeting's attendance (`[kind.attendance]`): the record
/// validation then refuses a person both present and absent and a 记录人 who was not there,
/// and computes 应到 and 实到 from the people whenever any are named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    /// A `people` field: who attended.
    pub present: String,
    /// An `absences` field: who was absent, and why.
    pub absent: String,
    /// An `integer` field set to the number of people named (present and absent).
    pub expected: String,
    /// An `integer` field set to the number present.
    pub attended: String,
    /// A `person` field who must be among those present (记录人), if the kind has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorder: Option<String>,
}

/// A default as written in the catalogue; it is checked with the field's own parser, so it can
/// never be a value a user could not have typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DefaultValue {
    Bool(bool),
    Integer(i64),
    Decimal(f64),
    Text(String),
}

/// Why a catalogue was refused. Kinds are named by id and fields as `列名（key）`, so the person
/// editing the file can find the line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogueError {
    #[error("台账目录格式错误：{0}")]
    Syntax(String),
    #[error("台账目录中没有任何台账种类")]
    NoKinds,
    #[error("台账种类标识“{kind}”不合法：只能由小写英文字母、数字和单个下划线组成，并以字母开头")]
    InvalidKindId { kind: String },
    #[error("台账种类标识“{kind}”重复")]
    DuplicateKind { kind: String },
    #[error("台账种类“{kind}”缺少{attribute}")]
    MissingKindAttribute {
        kind: String,
        attribute: &'static str,
    },
    #[error(
        "台账种类“{kind}”的工作表名“{sheet}”不合法：Excel 工作表名最多 31 个字符，且不能含有 [ ] : * ? / \\"
    )]
    InvalidSheetName { kind: String, sheet: String },
    #[error("台账种类“{kind}”与“{other}”使用了相同的工作表名“{sheet}”")]
    DuplicateSheet {
        kind: String,
        other: String,
        sheet: String,
    },
    #[error("台账种类“{kind}”的字段{field}的 set_by 中有未知角色“{role}”")]
    UnknownSetByRole {
        kind: String,
        field: String,
        role: String,
    },
    #[error("台账种类“{kind}”的合理性规则有误（字段 {field}）：{problem}")]
    BadPlausibility {
        kind: String,
        field: String,
        problem: &'static str,
    },
    #[error("台账种类“{kind}”没有定义任何字段")]
    NoFields { kind: String },
    #[error("台账种类“{kind}”的字段标识“{key}”不合法：只能由小写英文字母、数字和单个下划线组成，并以字母开头")]
    InvalidFieldKey { kind: String, key: String },
    #[error("台账种类“{kind}”的字段标识“{key}”重复")]
    DuplicateFieldKey { kind: String, key: String },
    #[error("台账种类“{kind}”的字段“{key}”缺少列名（label）")]
    MissingLabel { kind: String, key: String },
    #[error("台账种类“{kind}”的字段“{field}”的列名或别名“{header}”与其他列重复")]
    DuplicateHeader {
        kind: String,
        field: String,
        header: String,
    },
    #[error("台账种类“{kind}”的字段“{field}”是选项类型（choice），但没有列出可选值（choices）")]
    MissingChoices { kind: String, field: String },
    #[error("台账种类“{kind}”的字段“{field}”不是选项类型（choice），不能设置可选值（choices）")]
    UnexpectedChoices { kind: String, field: String },
    #[error("台账种类“{kind}”的字段“{field}”的可选值“{choice}”为空或重复")]
    InvalidChoice {
        kind: String,
        field: String,
        choice: String,
    },
    #[error("台账种类“{kind}”的字段“{field}”不是小数类型（decimal），不能设置小数位数（scale）")]
    UnexpectedScale { kind: String, field: String },
    #[error("台账种类“{kind}”的字段“{field}”的小数位数（scale）为 {scale}，最多 {max} 位")]
    InvalidScale {
        kind: String,
        field: String,
        scale: u32,
        max: u32,
    },
    #[error("台账种类“{kind}”的字段“{field}”的默认值（default）无效：{reason}")]
    InvalidDefault {
        kind: String,
        field: String,
        reason: ValueError,
    },
    #[error("台账种类“{kind}”的{pointer}指向不存在的字段“{key}”")]
    UnknownPointedField {
        kind: String,
        pointer: &'static str,
        key: String,
    },
    #[error("台账种类“{kind}”的{pointer}指向的字段“{field}”应为{expected}")]
    PointedFieldType {
        kind: String,
        pointer: &'static str,
        field: String,
        expected: &'static str,
    },
    #[error(
        "台账种类“{kind}”的参会登记（attendance）中{slot}应指向{expected}类型的字段，“{key}”不是"
    )]
    BadAttendance {
        kind: String,
        slot: &'static str,
        key: String,
        expected: &'static str,
    },
    #[error("台账种类“{kind}”的{pointer}指向的字段“{field}”必须是必填项（required = true）")]
    PointedFieldOptional {
        kind: String,
        pointer: &'static str,
        field: String,
    },
}

/// The most decimal places a `decimal` field may keep.
pub const MAX_SCALE: u32 = 6;

/// Decimal places kept when a `decimal` field does not say.
pub const DEFAULT_SCALE: u32 = 2;

impl Catalogue {
    /// The catalogue shipped with taizhang, holding every ledger kind of PRODUCT.md.
    /// The embedded default catalogue, parsed once.
    pub fn built_in() -> &'static Catalogue {
        static BUILT_IN: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        BUILT_IN.get_or_init(Catalogue::default_catalogue)
    }

    pub fn default_catalogue() -> Catalogue {
        // The embedded file is a build input, not user input; `embedded_default_parses` keeps it
        // valid, so a failure here is a defect caught before any release.
        Catalogue::from_toml(DEFAULT_CATALOGUE)
            .expect("the embedded default catalogue is valid (checked by a unit test)")
    }

    /// Parses and validates a catalogue in the format of `catalogue.toml`.
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let catalogue: Catalogue = toml::from_str(text)
            .map_err(|e| CatalogueError::Syntax(e.to_string().trim().to_owned()))?;
        catalogue.validate()?;
        Ok(catalogue)
    }

    /// Checks every rule a catalogue must keep; public so that a catalogue edited in the web UI
    /// can be checked before it is saved.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        if self.kinds.is_empty() {
            return Err(CatalogueError::NoKinds);
        }
        let mut ids: HashSet<&str> = HashSet::new();
        let mut sheets: HashMap<String, &str> = HashMap::new();
        for kind in &self.kinds {
            kind.validate()?;
            if !ids.insert(&kind.id) {
                return Err(CatalogueError::DuplicateKind {
                    kind: kind.id.clone(),
                });
            }
            if let Some(other) = sheets.insert(header_key(&kind.sheet), &kind.id) {
                return Err(CatalogueError::DuplicateSheet {
                    kind: kind.id.clone(),
                    other: other.to_owned(),
                    sheet: kind.sheet.clone(),
                });
            }
        }
        Ok(())
    }

    pub fn kind(&self, id: &str) -> Option<&KindDef> {
        self.kinds.iter().find(|kind| kind.id == id)
    }

    /// The kind whose sheet is `sheet`, forgiving stray spaces and full-width characters.
    pub fn kind_by_sheet(&self, sheet: &str) -> Option<&KindDef> {
        let wanted = header_key(sheet);
        self.kinds
            .iter()
            .find(|kind| header_key(&kind.sheet) == wanted)
    }
}

impl KindDef {
    /// The kind with the field rights and plausibility rules of the built-in kind of the same
    /// id: a park's stored copy of a built-in kind made before a field had rights gets them,
    /// field by field (same key and type), so that no older park lets an enterprise fill in what
    /// the staff alone may set; and, holding no rules of its own, the built-in rules whose
    /// fields it has with the same types.
    pub fn with_built_in_rules(mut self) -> KindDef {
        if let Some(built_in) = Catalogue::built_in().kind(&self.id) {
            if self.closed.is_none() {
                self.closed.clone_from(&built_in.closed);
            }
            if self.plausibility.is_empty() {
                let same = |key: &str| {
                    matches!((self.field(key), built_in.field(key)),
                        (Some(a), Some(b)) if a.field_type == b.field_type)
                };
                let rules: Vec<Plausibility> = built_in
                    .plausibility
                    .iter()
                    .filter(|r| same(&r.field) && r.other.as_deref().is_none_or(same))
                    .cloned()
                    .collect();
                self.plausibility = rules;
            }
            if self.attendance.is_none() {
                if let Some(a) = &built_in.attendance {
                    let same = |key: &String| {
                        matches!((self.field(key), built_in.field(key)),
                            (Some(x), Some(y)) if x.field_type == y.field_type)
                    };
                    let keys = [&a.present, &a.absent, &a.expected, &a.attended];
                    if keys.into_iter().all(same) && a.recorder.as_ref().is_none_or(same) {
                        self.attendance = Some(a.clone());
                    }
                }
            }
            for field in self.fields.iter_mut().filter(|f| f.set_by.is_empty()) {
                if let Some(b) = built_in.field(&field.key) {
                    if b.field_type == field.field_type {
                        field.set_by.clone_from(&b.set_by);
                    }
                }
            }
        }
        self
    }

    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|field| field.key == key)
    }

    /// The field a spreadsheet column header names: its label or any alias, after
    /// [`header_key`] normalization (`面积（平方米）*` finds `面积(平方米)`).
    pub fn field_by_header(&self, header: &str) -> Option<&FieldDef> {
        let wanted = header_key(header);
        if wanted.is_empty() {
            return None;
        }
        self.fields
            .iter()
            .find(|field| field.headers().any(|h| header_key(h) == wanted))
    }

    /// The field that dates a record.
    pub fn date_field_def(&self) -> Option<&FieldDef> {
        self.field(&self.date_field)
    }

    /// The field shown as a record's title.
    pub fn title_field_def(&self) -> Option<&FieldDef> {
        self.field(&self.title_field)
    }

    fn validate(&self) -> Result<(), CatalogueError> {
        let kind = || self.id.clone();
        if !is_snake_case(&self.id) {
            return Err(CatalogueError::InvalidKindId { kind: kind() });
        }
        if self.name.trim().is_empty() {
            return Err(CatalogueError::MissingKindAttribute {
                kind: kind(),
                attribute: "中文名称（name）",
            });
        }
        if self.sheet.trim().is_empty() {
            return Err(CatalogueError::MissingKindAttribute {
                kind: kind(),
                attribute: "工作表名（sheet）",
            });
        }
        if !is_valid_sheet_name(&self.sheet) {
            return Err(CatalogueError::InvalidSheetName {
                kind: kind(),
                sheet: self.sheet.clone(),
            });
        }
        if self.fields.is_empty() {
            return Err(CatalogueError::NoFields { kind: kind() });
        }

        let mut keys: HashSet<&str> = HashSet::new();
        let mut headers: HashSet<String> = HashSet::new();
        for field in &self.fields {
            field.validate(&self.id)?;
            if let Some(r) = field
                .set_by
                .iter()
                .find(|r| crate::auth::Role::parse(r).is_none())
            {
                return Err(CatalogueError::UnknownSetByRole {
                    kind: kind(),
                    field: field.describe(),
                    role: r.clone(),
                });
            }
            if !keys.insert(&field.key) {
                return Err(CatalogueError::DuplicateFieldKey {
                    kind: kind(),
                    key: field.key.clone(),
                });
            }
            for header in field.headers() {
                let normalized = header_key(header);
                if normalized.is_empty() || !headers.insert(normalized) {
                    return Err(CatalogueError::DuplicateHeader {
                        kind: kind(),
                        field: field.describe(),
                        header: header.to_owned(),
                    });
                }
            }
        }

        for rule in &self.plausibility {
            self.check_plausibility(rule)?;
        }
        self.check_pointer(Pointer::Date, Some(&self.date_field))?;
        self.check_pointer(Pointer::Title, Some(&self.title_field))?;
        self.check_pointer(Pointer::Unit, self.unit_field.as_ref())?;
        self.check_pointer(Pointer::Enterprise, self.enterprise_field.as_ref())?;
        if let Some(a) = &self.attendance {
            self.check_attendance(a)?;
        }
        Ok(())
    }

    fn check_attendance(&self, a: &Attendance) -> Result<(), CatalogueError> {
        let slots = [
            (Some(&a.present), "参会人员（present）", FieldType::People),
            (Some(&a.absent), "缺席人员（absent）", FieldType::Absences),
            (
                Some(&a.expected),
                "应到人数（expected）",
                FieldType::Integer,
            ),
            (
                Some(&a.attended),
                "实到人数（attended）",
                FieldType::Integer,
            ),
            (a.recorder.as_ref(), "记录人（recorder）", FieldType::Person),
        ];
        for (key, slot, wanted) in slots {
            let Some(key) = key else { continue };
            match self.field(key) {
                Some(f) if f.field_type == wanted => {}
                _ => {
                    return Err(CatalogueError::BadAttendance {
                        kind: self.id.clone(),
                        slot,
                        key: key.clone(),
                        expected: wanted.as_str(),
                    })
                }
            }
        }
        if self.unit_field.is_none() {
            return Err(CatalogueError::BadAttendance {
                kind: self.id.clone(),
                slot: "组织单位（unit_field）",
                key: String::new(),
                expected: "unit",
            });
        }
        Ok(())
    }

    fn check_plausibility(&self, rule: &Plausibility) -> Result<(), CatalogueError> {
        let bad = |problem| CatalogueError::BadPlausibility {
            kind: self.id.clone(),
            field: rule.field.clone(),
            problem,
        };
        let comparable =
            |t: FieldType| matches!(t, FieldType::Date | FieldType::Integer | FieldType::Decimal);
        let field = self.field(&rule.field).ok_or_else(|| bad("没有这个字段"))?;
        if !comparable(field.field_type) {
            return Err(bad("只能比较日期或数字字段"));
        }
        match (rule.relation, &rule.other) {
            (Relation::NotFuture, None) if field.field_type == FieldType::Date => Ok(()),
            (Relation::NotFuture, None) => Err(bad("not_future 只用于日期字段")),
            (Relation::NotFuture, Some(_)) => Err(bad("not_future 不需要 other")),
            (_, None) => Err(bad("缺少要比较的字段 other")),
            (_, Some(other)) => {
                let o = self.field(other).ok_or_else(|| bad("other 字段不存在"))?;
                let numeric = |t| matches!(t, FieldType::Integer | FieldType::Decimal);
                let same = o.field_type == field.field_type
                    || (numeric(o.field_type) && numeric(field.field_type));
                if same {
                    Ok(())
                } else {
                    Err(bad("比较的两个字段类型不同"))
                }
            }
        }
    }

    fn check_pointer(&self, pointer: Pointer, key: Option<&String>) -> Result<(), CatalogueError> {
        let Some(key) = key else {
            return Ok(());
        };
        let field = self
            .field(key)
            .ok_or_else(|| CatalogueError::UnknownPointedField {
                kind: self.id.clone(),
                pointer: pointer.name(),
                key: key.clone(),
            })?;
        if !pointer.accepts(field.field_type) {
            return Err(CatalogueError::PointedFieldType {
                kind: self.id.clone(),
                pointer: pointer.name(),
                field: field.describe(),
                expected: pointer.expected(),
            });
        }
        // Periods and lists rest on these two: a record without a date counts nowhere, and one
        // without a title cannot be listed as evidence.
        if pointer.must_be_required() && !field.required {
            return Err(CatalogueError::PointedFieldOptional {
                kind: self.id.clone(),
                pointer: pointer.name(),
                field: field.describe(),
            });
        }
        Ok(())
    }
}

impl FieldDef {
    /// True when `role` may set this field (see [`FieldDef::set_by`]).
    pub fn may_set(&self, role: crate::auth::Role) -> bool {
        self.set_by.is_empty() || self.set_by.iter().any(|r| r == role.as_str())
    }

    /// The header written into Excel templates: the label, with `*` when the field is required.
    pub fn header(&self) -> String {
        if self.required {
            format!("{}*", self.label)
        } else {
            self.label.clone()
        }
    }

    /// Decimal places kept by a `decimal` field.
    pub fn scale(&self) -> u32 {
        self.scale.unwrap_or(DEFAULT_SCALE).min(MAX_SCALE)
    }

    /// The label followed by the aliases: every header this field answers to.
    fn headers(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.label.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// How error messages name a field: `日期（date）`.
    fn describe(&self) -> String {
        format!("{}（{}）", self.label, self.key)
    }

    fn validate(&self, kind: &str) -> Result<(), CatalogueError> {
        if !is_snake_case(&self.key) {
            return Err(CatalogueError::InvalidFieldKey {
                kind: kind.to_owned(),
                key: self.key.clone(),
            });
        }
        if header_key(&self.label).is_empty() {
            return Err(CatalogueError::MissingLabel {
                kind: kind.to_owned(),
                key: self.key.clone(),
            });
        }
        let field = || self.describe();
        match (self.field_type, self.choices.is_empty()) {
            (FieldType::Choice | FieldType::Absences, true) => {
                return Err(CatalogueError::MissingChoices {
                    kind: kind.to_owned(),
                    field: field(),
                })
            }
            (FieldType::Choice | FieldType::Absences, false) => {
                let mut seen: HashSet<String> = HashSet::new();
                for choice in &self.choices {
                    let normalized = normalize_text(choice);
                    if normalized.is_empty() || !seen.insert(normalized) {
                        return Err(CatalogueError::InvalidChoice {
                            kind: kind.to_owned(),
                            field: field(),
                            choice: choice.clone(),
                        });
                    }
                }
            }
            (_, false) => {
                return Err(CatalogueError::UnexpectedChoices {
                    kind: kind.to_owned(),
                    field: field(),
                })
            }
            (_, true) => {}
        }
        match (self.field_type, self.scale) {
            (FieldType::Decimal, Some(scale)) if scale > MAX_SCALE => {
                return Err(CatalogueError::InvalidScale {
                    kind: kind.to_owned(),
                    field: field(),
                    scale,
                    max: MAX_SCALE,
                })
            }
            (FieldType::Decimal, _) | (_, None) => {}
            (_, Some(_)) => {
                return Err(CatalogueError::UnexpectedScale {
                    kind: kind.to_owned(),
                    field: field(),
                })
            }
        }
        if let Some(default) = &self.default {
            // An empty default would make "left empty" mean "empty" again: refuse it as well.
            match value::parse(self, default.as_raw()) {
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Err(CatalogueError::InvalidDefault {
                        kind: kind.to_owned(),
                        field: field(),
                        reason: ValueError::Required,
                    })
                }
                Err(reason) => {
                    return Err(CatalogueError::InvalidDefault {
                        kind: kind.to_owned(),
                        field: field(),
                        reason,
                    })
                }
            }
        }
        Ok(())
    }
}

impl FieldType {
    /// The name used in the catalogue file (`longtext`).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Longtext => "longtext",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Date => "date",
            FieldType::Bool => "bool",
            FieldType::Choice => "choice",
            FieldType::Unit => "unit",
            FieldType::Enterprise => "enterprise",
            FieldType::Person => "person",
            FieldType::People => "people",
            FieldType::Absences => "absences",
        }
    }

    /// Whether values of this type are words rather than numbers, dates or flags.
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            FieldType::Text
                | FieldType::Longtext
                | FieldType::Choice
                | FieldType::Unit
                | FieldType::Enterprise
                | FieldType::Person
                | FieldType::People
                | FieldType::Absences
        )
    }
}

impl DefaultValue {
    /// The default as if it had been typed, so that [`value::parse`] checks and converts it.
    pub fn as_raw(&self) -> Raw<'_> {
        match self {
            DefaultValue::Bool(b) => Raw::Bool(*b),
            // Defaults are small numbers; the conversion is exact below 2^53.
            DefaultValue::Integer(n) => Raw::Number(*n as f64),
            DefaultValue::Decimal(x) => Raw::Number(*x),
            DefaultValue::Text(text) => Raw::Text(text),
        }
    }
}

/// The form in which headers and sheet names are compared: full-width folded (`（）＊` become
/// `()*`), white space removed, and a `*` required-marker at either end dropped.
pub fn header_key(header: &str) -> String {
    normalize_text(header)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_matches('*')
        .to_owned()
}

const DEFAULT_CATALOGUE: &str = include_str!("catalogue.toml");

/// The four fields a kind points at by key, and what each must be.
#[derive(Clone, Copy)]
enum Pointer {
    Date,
    Title,
    Unit,
    Enterprise,
}

impl Pointer {
    fn name(self) -> &'static str {
        match self {
            Pointer::Date => "日期字段（date_field）",
            Pointer::Title => "标题字段（title_field）",
            Pointer::Unit => "责任单位字段（unit_field）",
            Pointer::Enterprise => "企业字段（enterprise_field）",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Pointer::Date => "日期类型（date）",
            Pointer::Title => "文字类型（text、longtext、choice、unit、enterprise 或 person）",
            Pointer::Unit => "单位类型（unit）",
            Pointer::Enterprise => "企业类型（enterprise）",
        }
    }

    fn accepts(self, field_type: FieldType) -> bool {
        match self {
            Pointer::Date => field_type == FieldType::Date,
            Pointer::Title => field_type.is_textual(),
            Pointer::Unit => field_type == FieldType::Unit,
            Pointer::Enterprise => field_type == FieldType::Enterprise,
        }
    }

    fn must_be_required(self) -> bool {
        matches!(self, Pointer::Date | Pointer::Title)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `meeting_type`, `length_km`: lower-case ASCII words joined by single underscores, starting
/// with a letter, so keys work unquoted as JSON properties, SQL identifiers and URL segments.
fn is_snake_case(key: &str) -> bool {
    key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && !key.ends_with('_')
        && !key.contains("__")
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Excel refuses sheet names longer than 31 characters or containing any of `[]:*?/\`.
fn is_valid_sheet_name(sheet: &str) -> bool {
    let sheet = sheet.trim();
    !sheet.is_empty()
        && sheet.chars().count() <= 31
        && !sheet.contains(['[', ']', ':', '*', '?', '/', '\\'])
        && !sheet.starts_with('\'')
        && !sheet.ends_with('\'')
}

#[cfg(test)]
#[path = "catalogue_tests.rs"]
mod tests;
