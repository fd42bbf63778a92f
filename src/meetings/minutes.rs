//! A meeting's 会议记录 for print: every field of its kind in catalogue order (时间, 地点, 主持人,
//! 记录人, 应到/实到, 参会人员, 缺席人员 with reasons …), the long texts (议题, 会议内容) under
//! their own headings, written as a DOCX in the report's layout (`report::docx::plain_docx`) and
//! converted to PDF by LibreOffice where it is installed (`report::pdf::convert`). Pure.

use serde_json::Value as Json;

use crate::ledger::catalogue::{FieldType, KindDef};
use crate::ledger::service::RecordView;
use crate::report::docx::Plain;

/// The paragraphs of `record`'s 会议记录, and the document's title.
pub fn minutes(kind: &KindDef, record: &RecordView) -> (String, Vec<Plain>) {
    let title = format!("{}会议记录", record.title);
    let mut parts = vec![
        Plain::Title("会议记录".to_owned()),
        Plain::Body(record.title.clone()),
    ];
    let mut long = Vec::new();
    for field in &kind.fields {
        if field.key == kind.title_field {
            continue;
        }
        let text = shown(record.fields.get(&field.key));
        if field.field_type == FieldType::Longtext {
            long.push((field.label.clone(), text));
        } else {
            let text = if text.is_empty() {
                "—".to_owned()
            } else {
                text
            };
            parts.push(Plain::Body(format!("{}：{text}", field.label)));
        }
    }
    for (label, text) in long {
        parts.push(Plain::Heading(label));
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            parts.push(Plain::Body("—".to_owned()));
        }
        parts.extend(lines.into_iter().map(|l| Plain::Body(l.to_owned())));
    }
    (title, parts)
}

fn shown(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s.trim().to_owned(),
        Some(Json::Bool(true)) => "是".to_owned(),
        Some(Json::Bool(false)) => "否".to_owned(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::catalogue::Catalogue;
    use serde_json::json;

    #[test]
    fn the_minutes_hold_every_field_and_the_long_texts_under_headings() {
        let kind = Catalogue::default_catalogue()
            .kind("meeting")
            .cloned()
            .expect("meetings");
        let fields = json!({"date": "2025-06-10", "meeting_type": "支部委员会",
            "name": "六月支委会", "org_unit": "甲科技党支部", "place": "党员活动室",
            "host": "张三", "recorder": "李四", "attendees": "张三、李四",
            "absentees": "王五（病假）", "expected": 3, "attended": 2,
            "topics": "一、学习\n二、研究", "content": "会议**认为**……"});
        let record = RecordView {
            id: 1,
            kind: "meeting".into(),
            date: chrono::NaiveDate::from_ymd_opt(2025, 6, 10).expect("date"),
            unit_id: None,
            enterprise_id: None,
            title: "六月支委会".into(),
            fields: fields.as_object().cloned().expect("object"),
            version: 1,
            deleted: false,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        };
        let (title, parts) = minutes(&kind, &record);
        assert_eq!(title, "六月支委会会议记录");
        let body = |t: &str| Plain::Body(t.to_owned());
        for line in [
            "日期：2025-06-10",
            "地点：党员活动室",
            "主持人：张三",
            "记录人：李四",
            "参会人员：张三、李四",
            "缺席人员：王五（病假）",
            "应到人数：3",
            "实到人数：2",
            "党建专题：—",
        ] {
            assert!(parts.contains(&body(line)), "{line}: {parts:?}");
        }
        let topics = parts
            .iter()
            .position(|p| *p == Plain::Heading("议题".into()))
            .expect("议题 heading");
        assert_eq!(
            parts[topics + 1..topics + 3],
            [body("一、学习"), body("二、研究")]
        );
        let docx =
            crate::report::docx::plain_docx(&title, &parts, &Default::default()).expect("written");
        assert!(docx.starts_with(b"PK"), "a zip");
    }
}
