use std::collections::HashMap;

use serde_json::{json, Map, Value as Json};

use super::*;
use crate::ledger::catalogue::{Catalogue, FieldDef, FieldType};
use crate::ledger::value::parse;

fn meeting() -> KindDef {
    Catalogue::default_catalogue()
        .kind("meeting")
        .cloned()
        .expect("the built-in catalogue has meetings")
}

fn field(kind: &KindDef, key: &str) -> FieldDef {
    kind.field(key).cloned().expect("field exists")
}

/// Branch 10 with its 党小组 11; 20 is another branch.
fn roster() -> Roster {
    let member = |id, name: &str, unit_id| Member {
        id,
        name: name.to_owned(),
        unit_id,
    };
    Roster::new(
        vec![
            member(1, "张三", 10),
            member(2, "李四", 11),
            member(3, "王五", 11),
            member(4, "赵六", 20),
        ],
        HashMap::from([(11, 10), (10, 1), (20, 1)]),
    )
}

fn fields(pairs: &[(&str, Json)]) -> Map<String, Json> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

#[test]
fn names_split_on_every_separator_people_use_and_are_stored_joined() {
    let kind = meeting();
    let parsed = parse(
        &field(&kind, "attendees"),
        Raw::Text(" 张三，李四,王五;赵六；钱七\n孙八 "),
    );
    assert_eq!(
        parsed,
        Ok(Some(Value::Text(
            "张三、李四、王五、赵六、钱七、孙八".into()
        )))
    );
    assert_eq!(
        parse(&field(&kind, "attendees"), Raw::Text("张三、李四、张三")),
        Err(ValueError::RepeatedName {
            name: "张三".into()
        })
    );
}

#[test]
fn absences_need_a_reason_from_the_fields_choices() {
    let kind = meeting();
    let absent = field(&kind, "absentees");
    assert_eq!(
        parse(&absent, Raw::Text("张三(病假)、李四（公出）")),
        Ok(Some(Value::Text("张三（病假）、李四（公出）".into())))
    );
    assert!(matches!(
        parse(&absent, Raw::Text("张三")),
        Err(ValueError::MissingReason { .. })
    ));
    assert!(matches!(
        parse(&absent, Raw::Text("张三（出差）")),
        Err(ValueError::NotAReason { .. })
    ));
    assert_eq!(
        absences("张三（病假）、李四(事假)"),
        vec![
            ("张三".to_owned(), "病假".to_owned()),
            ("李四".to_owned(), "事假".to_owned())
        ]
    );
}

#[test]
fn the_roster_of_a_unit_takes_in_its_sub_units_only() {
    let r = roster();
    let names = |unit| -> Vec<&str> { r.of_unit(unit).iter().map(|m| m.name.as_str()).collect() };
    assert_eq!(names(10), ["张三", "李四", "王五"]);
    assert_eq!(names(11), ["李四", "王五"]);
    assert_eq!(names(1), ["张三", "李四", "王五", "赵六"]);
}

#[test]
fn counts_are_computed_from_the_names_over_typed_ones() {
    let kind = meeting();
    let mut f = fields(&[
        ("org_unit", json!("第一支部")),
        ("attendees", json!("张三、李四")),
        ("absentees", json!("王五（病假）")),
        ("recorder", json!("李四")),
        ("expected", json!(9)),
        ("attended", json!(9)),
    ]);
    assert_eq!(check(&kind, &mut f, Some(10), &roster()), vec![]);
    assert_eq!(f["expected"], json!(3));
    assert_eq!(f["attended"], json!(2));

    let mut typed = fields(&[("expected", json!(9)), ("attended", json!(8))]);
    assert_eq!(check(&kind, &mut typed, Some(10), &roster()), vec![]);
    assert_eq!(
        typed["attended"],
        json!(8),
        "history without names keeps its counts"
    );
}

#[test]
fn each_bad_list_is_refused_at_its_field() {
    let kind = meeting();
    let refused = |pairs: &[(&str, Json)]| -> Vec<(String, String)> {
        let mut f = fields(pairs);
        let errors = check(&kind, &mut f, Some(11), &roster());
        assert!(!f.contains_key("expected"), "nothing counted when refused");
        errors.into_iter().map(|e| (e.field, e.message)).collect()
    };
    let unknown = refused(&[
        ("org_unit", json!("第一党小组")),
        ("attendees", json!("李四、张三、赵六")),
    ]);
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].0, "attendees");
    assert!(unknown[0].1.contains("张三、赵六"), "{unknown:?}");

    let both = refused(&[
        ("attendees", json!("李四")),
        ("absentees", json!("李四（事假）")),
    ]);
    assert_eq!(both[0].0, "absentees");
    assert!(both[0].1.contains("同时列在"), "{both:?}");

    let recorder = refused(&[("attendees", json!("李四")), ("recorder", json!("王五"))]);
    assert_eq!(recorder[0].0, "recorder");
    assert!(recorder[0].1.contains("不在参会人员中"), "{recorder:?}");
}

#[test]
fn a_kind_without_attendance_or_an_attendance_naming_wrong_fields() {
    let mut kind = meeting();
    kind.attendance
        .as_mut()
        .expect("meetings record attendance")
        .present = "name".into();
    assert!(matches!(
        Catalogue { kinds: vec![kind] }.validate(),
        Err(crate::ledger::catalogue::CatalogueError::BadAttendance { .. })
    ));
    assert_eq!(FieldType::People.as_str(), "people");
}
