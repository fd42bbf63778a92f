//! Blank import templates: the kind's (or roster's) sheet with its headers, required columns
//! marked `*`, drop-down lists for choices, 是/否 and the park's units and enterprises (from a
//! hidden lookup sheet, since an inline list must stay under 255 characters), and a 填写说明 sheet
//! explaining every column.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, Formula, Workbook, Worksheet,
};

use super::export::{col_u16, find_kind};
use super::rosters::{self, Check};
use super::style::{self, Widths};
use super::ExcelError;
use crate::db::Db;
use crate::ledger::catalogue::{FieldDef, FieldType, KindDef};
use crate::ledger::value::{LONGTEXT_MAX_CHARS, TEXT_MAX_CHARS};
use crate::org::queries as org;

/// Data rows the drop-down lists and formats cover.
const TEMPLATE_ROWS: u32 = 10_000;
/// The hidden sheet holding the lists too long to write inline.
const LOOKUP_SHEET: &str = "名单";
const GUIDE_SHEET: &str = "填写说明";

/// True for the sheets our templates add beside the data (the guide and the hidden lookup
/// lists): a filled-in template imports without them being reported as unknown sheets.
pub(crate) fn is_own_sheet(name: &str) -> bool {
    let name = name.trim();
    name == LOOKUP_SHEET || name == GUIDE_SHEET
}
/// Excel's limit on an inline list, in UTF-16 units with the separating commas.
const INLINE_LIST_MAX: usize = 255;

const DATE_HINT: &str =
    "可写作 2024-03-05、2024/3/5、2024.3.5、2024年3月5日，或设为 Excel 日期格式";
const BOOL_HINT: &str = "填“是”或“否”（也认 Y/N、√/×）";

/// A written template.
#[derive(Debug)]
pub struct Template {
    pub bytes: Vec<u8>,
    pub sheet: String,
}

/// The template of `kind`: a ledger kind of the park (id or sheet name) or a roster (`members`,
/// `党员花名册`).
pub async fn workbook(db: &Db, park_id: i64, kind: &str) -> Result<Template, ExcelError> {
    let kinds = crate::ledger::queries::kinds(db, park_id).await?;
    let (kind, checks) = match rosters::by_name(kind) {
        Some(r) => (r.kind(), r.columns.iter().map(|c| c.check).collect()),
        None => {
            let k = find_kind(kinds, kind)?;
            if let Some(message) = &k.closed {
                return Err(ExcelError::ClosedKind(message.clone()));
            }
            let checks = vec![Check::None; k.fields.len()];
            (k, checks)
        }
    };
    let units: Vec<String> = org::units(db, park_id)
        .await?
        .into_iter()
        .map(|u| u.name)
        .collect();
    let enterprises: Vec<String> = org::enterprises(db, park_id)
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    let bytes = write(&kind, &checks, &units, &enterprises)?;
    Ok(Template {
        bytes,
        sheet: kind.sheet,
    })
}

fn write(
    kind: &KindDef,
    checks: &[Check],
    units: &[String],
    enterprises: &[String],
) -> Result<Vec<u8>, ExcelError> {
    let mut wb = Workbook::new();
    let mut lookup = Lookup::default();
    lookup.add("单位", units);
    lookup.add("企业", enterprises);
    {
        let ws = wb.add_worksheet();
        ws.set_name(&kind.sheet)?;
        entry_sheet(ws, kind, checks, &mut lookup)?;
    }
    guide_sheet(wb.add_worksheet(), kind, checks)?;
    let ws = wb.add_worksheet();
    ws.set_name(LOOKUP_SHEET)?;
    lookup.write(ws)?;
    ws.set_hidden(true);
    Ok(wb.save_to_buffer()?)
}

fn entry_sheet(
    ws: &mut Worksheet,
    kind: &KindDef,
    checks: &[Check],
    lookup: &mut Lookup,
) -> Result<(), ExcelError> {
    let header = style::header();
    let required = style::header().set_font_color(rust_xlsxwriter::Color::RGB(0xC00000));
    let mut widths = Widths::new(kind.fields.len());
    for (i, field) in kind.fields.iter().enumerate() {
        let col = col_u16(i);
        let text = field.header();
        widths.fit(i, &text);
        let look = if field.required { &required } else { &header };
        ws.write_string_with_format(0, col, &text, look)?;
        let check = checks.get(i).copied().unwrap_or(Check::None);
        match (field.field_type, check) {
            (FieldType::Date, _) => {
                widths.fit(i, "2024-03-05");
                ws.set_column_format(col, &style::date())?;
            }
            // Identifiers must never become numbers: Excel would drop digits past the 15th.
            (_, Check::IdNumber | Check::CreditCode | Check::Phone) => {
                widths.fit(i, "110105194912310021");
                ws.set_column_format(col, &Format::new().set_num_format("@"))?;
            }
            (FieldType::Longtext, _) => widths.fit(i, &"字".repeat(20)),
            _ => {}
        }
        let validation = validation(field, check, lookup)?;
        ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &validation)?;
    }
    widths.apply(ws)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The drop-down list (where the column has one) and the hint shown when a cell is selected.
fn validation(
    field: &FieldDef,
    check: Check,
    lookup: &mut Lookup,
) -> Result<DataValidation, ExcelError> {
    let list = match field.field_type {
        FieldType::Choice => Some((lookup.list(&field.label, &field.choices), true)),
        FieldType::Bool => Some((List::Inline(vec!["是".into(), "否".into()]), true)),
        // A unit or enterprise may also be new in the same workbook's roster: warn, do not stop.
        FieldType::Unit => lookup.column("单位").map(|l| (l, false)),
        FieldType::Enterprise => lookup.column("企业").map(|l| (l, false)),
        _ => None,
    };
    let mut v = match list {
        Some((List::Inline(items), strict)) => {
            strictness(DataValidation::new().allow_list_strings(&items)?, strict)
        }
        Some((List::Range(formula), strict)) => strictness(
            DataValidation::new().allow_list_formula(Formula::new(formula)),
            strict,
        ),
        None => DataValidation::new().allow_any_value(),
    };
    let (what, rule) = describe(field, check);
    let required = if field.required { "必填" } else { "选填" };
    let message: String = format!("{what}，{required}。{rule}")
        .chars()
        .take(250)
        .collect();
    let title: String = field.label.chars().take(30).collect();
    v = v.set_input_title(title)?.set_input_message(message)?;
    Ok(v)
}

fn strictness(v: DataValidation, strict: bool) -> DataValidation {
    let v = v
        .set_error_title("不是可选值")
        .unwrap_or_else(|_| DataValidation::new());
    if strict {
        v
    } else {
        v.set_error_style(DataValidationErrorStyle::Warning)
    }
}

/// A column's type in words, and what may be typed into it.
fn describe(field: &FieldDef, check: Check) -> (&'static str, String) {
    match check {
        Check::IdNumber => {
            return (
                "身份证号",
                "18 位，末位可为 X；请保持本列为“文本”格式".into(),
            )
        }
        Check::CreditCode => return ("统一社会信用代码", "18 位，请保持本列为“文本”格式".into()),
        Check::Phone => {
            return (
                "电话",
                "11 位手机号，或带区号的固定电话如 0551-12345678".into(),
            )
        }
        Check::Tags => return ("标签", "多个标签用顿号或逗号分隔，如 志愿者、网格员".into()),
        Check::None => {}
    }
    match field.field_type {
        FieldType::Text => ("文字", format!("最多 {TEXT_MAX_CHARS} 字")),
        FieldType::Longtext => ("长文字", format!("最多 {LONGTEXT_MAX_CHARS} 字，可换行")),
        FieldType::Integer => (
            "整数",
            "如 12，可带“人”“次”等量词；不要写“约”“余”“万”".into(),
        ),
        FieldType::Decimal => (
            "数字",
            format!("如 9.8，保留 {} 位小数；不要写“约”“余”“万”", field.scale()),
        ),
        FieldType::Date => ("日期", DATE_HINT.into()),
        FieldType::Bool => ("是/否", BOOL_HINT.into()),
        FieldType::Choice => ("选项", format!("可选：{}", field.choices.join("、"))),
        FieldType::Unit => ("单位名称", "须是组织架构中的单位，可从下拉列表选择".into()),
        FieldType::Enterprise => ("企业名称", "须是企业名录中的企业，可从下拉列表选择".into()),
        FieldType::Person => ("人员姓名", "与花名册中同名的人员自动关联".into()),
        FieldType::People => (
            "人员名单",
            "本单位及下属党组织花名册中的党员姓名，用顿号分隔，如 张三、李四".into(),
        ),
        FieldType::Absences => (
            "缺席名单",
            format!(
                "姓名后用括号注明原因，用顿号分隔，如 张三（病假）、李四（公出）；可选原因：{}",
                field.choices.join("、")
            ),
        ),
    }
}

fn guide_sheet(ws: &mut Worksheet, kind: &KindDef, checks: &[Check]) -> Result<(), ExcelError> {
    ws.set_name(GUIDE_SHEET)?;
    let header = style::header();
    let wrap = Format::new().set_text_wrap();
    for (col, title) in ["列名", "是否必填", "类型", "填写要求"].iter().enumerate() {
        ws.write_string_with_format(0, col_u16(col), *title, &header)?;
    }
    let mut row = 0;
    for (i, field) in kind.fields.iter().enumerate() {
        row += 1;
        let (what, rule) = describe(field, checks.get(i).copied().unwrap_or(Check::None));
        ws.write_string(row, 0, &field.label)?;
        ws.write_string(row, 1, if field.required { "必填" } else { "选填" })?;
        ws.write_string(row, 2, what)?;
        ws.write_string_with_format(row, 3, &rule, &wrap)?;
    }
    let notes = [
        format!(
            "工作表名须为“{}”，第一行为列名；列的顺序可以调整，多余的列会被忽略。",
            kind.sheet
        ),
        "列名带 * 的为必填列；列名可写作全角或半角括号，前后空格不影响。".to_owned(),
        format!("日期{DATE_HINT}。"),
        format!("是否类的列{BOOL_HINT}。"),
        "数字可带量词（如“12人”），但不要写“约100”“1.2万”等约数或数量单位。".to_owned(),
        "同一工作簿可同时放入组织架构、企业名录、党员花名册、人员名册和各类台账，一次导入。"
            .to_owned(),
        "导入时只要有一处错误就不会导入任何数据，并生成标出错误的工作簿，改正后重新导入即可。"
            .to_owned(),
        "重复导入同一文件时，与已有记录完全相同的行会被跳过。".to_owned(),
    ];
    row += 2;
    ws.write_string_with_format(row, 0, "说明", &header)?;
    for note in notes {
        row += 1;
        ws.write_string(row, 0, &note)?;
    }
    for (col, width) in [16.0, 10.0, 14.0, 70.0].into_iter().enumerate() {
        ws.set_column_width(col_u16(col), width)?;
    }
    Ok(())
}

/// A drop-down list: inline, or a range of the lookup sheet.
enum List {
    Inline(Vec<String>),
    Range(String),
}

/// The columns of the hidden lookup sheet.
#[derive(Default)]
struct Lookup {
    columns: Vec<(String, Vec<String>)>,
}

impl Lookup {
    fn add(&mut self, title: &str, items: &[String]) {
        self.columns.push((title.to_owned(), items.to_vec()));
    }

    /// The range of column `title`, if it has any item.
    fn column(&self, title: &str) -> Option<List> {
        let i = self.columns.iter().position(|(t, _)| t == title)?;
        let len = self.columns[i].1.len();
        (len > 0).then(|| List::Range(range_formula(i, len)))
    }

    /// Inline when short enough, else a new lookup column.
    fn list(&mut self, title: &str, items: &[String]) -> List {
        let inline_len: usize = items.iter().map(|s| s.encode_utf16().count() + 1).sum();
        if inline_len <= INLINE_LIST_MAX && !items.iter().any(|s| s.contains(',')) {
            return List::Inline(items.to_vec());
        }
        self.add(title, items);
        List::Range(range_formula(self.columns.len() - 1, items.len()))
    }

    fn write(&self, ws: &mut Worksheet) -> Result<(), ExcelError> {
        for (col, (title, items)) in self.columns.iter().enumerate() {
            let col = col_u16(col);
            ws.write_string(0, col, title)?;
            for (row, item) in items.iter().enumerate() {
                // Lists come from a park's units, enterprises and choices: far below Excel's rows.
                ws.write_string(u32::try_from(row + 1).unwrap_or(u32::MAX), col, item)?;
            }
        }
        Ok(())
    }
}

/// `=名单!$A$2:$A$9` for `len` items in lookup column `col`.
fn range_formula(col: usize, len: usize) -> String {
    let letters = super::cells::column_letters(u32::try_from(col).unwrap_or(0));
    format!("='{LOOKUP_SHEET}'!${letters}$2:${letters}${}", len + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_go_to_the_lookup_sheet() {
        let mut lookup = Lookup::default();
        lookup.add("单位", &[]);
        assert!(lookup.column("单位").is_none());
        let short = vec!["是".to_owned(), "否".to_owned()];
        assert!(matches!(lookup.list("x", &short), List::Inline(_)));
        let long: Vec<String> = (0..100).map(|i| format!("选项{i}")).collect();
        match lookup.list("长列表", &long) {
            List::Range(f) => assert_eq!(f, "='名单'!$B$2:$B$101"),
            List::Inline(_) => panic!("too long for inline"),
        }
    }
}
