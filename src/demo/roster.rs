//! Planning the demo's rosters: the enterprise roster, each branch with its members, committee
//! and 党小组, and the people and posts, every entry passed through the validator its form uses.

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;

use super::names::{self, pick, NameBook, INDUSTRIES};
use super::org::{
    date, Branch, Group, Org, PlannedEnterprise, PlannedPerson, PlannedPosition, PlannedUnit,
};
use crate::error::AppError;
use crate::org::service::{self as org, EnterpriseInput, PersonInput, UnitInput};

const ENTERPRISES: usize = 60;

/// Plans the enterprise roster: the ten largest first (the branches sit in them), then a mix of
/// sizes, each with a valid credit code and a contact; paired leaders are assigned later.
pub fn plan_enterprises(
    o: &mut Org,
    rng: &mut StdRng,
    book: &mut NameBook,
) -> Result<(), AppError> {
    for i in 0..ENTERPRISES {
        let (industry, words) = INDUSTRIES[rng.gen_range(0..INDUSTRIES.len())];
        let word = pick(rng, words);
        let trade = book.trade_name(rng);
        // The branches sit in the first ten, the largest; after them a mix of sizes.
        let scale = match i {
            0..=21 => "规上",
            22..=43 => "规下",
            _ => "小微",
        };
        let form = if i < 6 {
            "股份有限公司"
        } else {
            "有限公司"
        };
        let male = rng.gen_bool(0.7);
        let contact = book.person(rng, male);
        let serial = 9000 + i;
        let input = EnterpriseInput {
            name: format!("{trade}{word}{form}"),
            credit_code: Some(names::credit_code(rng, i)),
            scale: Some(scale.to_string()),
            industry: Some(industry.to_string()),
            address: Some(names::address(rng)),
            contact: Some(contact),
            contact_phone: Some(names::mobile(rng, serial)),
            leader_name: None,
            leader_person_id: None,
            tags: Some(demo_tags(i, scale)),
        };
        let enterprise = org::validate_enterprise(input, 0)?;
        // 恒远精密机械有限公司 is 恒远精密机械 in prose; 科技 and 管理 add nothing there.
        let short = format!(
            "{trade}{}",
            word.trim_end_matches("科技").trim_end_matches("管理")
        );
        o.enterprises.push(PlannedEnterprise {
            enterprise,
            short,
            leader: 0,
        });
    }
    Ok(())
}

/// The qualification tags of the demo's `i`-th enterprise, from its place and scale alone (no
/// draw from the generator, so every other figure of the demo stays as it was).
fn demo_tags(i: usize, scale: &str) -> Vec<String> {
    let mut tags = Vec::new();
    if scale == "规上" && i % 3 == 0 {
        tags.push("高新技术企业");
    }
    if i % 4 == 1 {
        tags.push("专精特新");
    }
    if scale != "规上" && i % 5 == 2 {
        tags.push("科技型中小企业");
    }
    if scale == "规上" {
        tags.push("规上企业");
    }
    tags.into_iter().map(str::to_string).collect()
}

#[expect(
    clippy::too_many_arguments,
    reason = "a plan step reads best with its inputs named"
)]
/// Plans a branch of `size` members: its people, its committee when it has enough 正式党员 for
/// one, and 党小组 in the larger branches.
pub fn plan_branch(
    o: &mut Org,
    rng: &mut StdRng,
    book: &mut NameBook,
    unit: usize,
    enterprise: Option<usize>,
    size: usize,
    short: &str,
    year: i32,
) -> Result<Branch, AppError> {
    // Roughly one probationary member in twelve, as admissions are spread over the years.
    let probationary = (size + 5) / 12;
    let regular = size - probationary;
    let mut members = Vec::with_capacity(size);
    for i in 0..size {
        let member_type = if i < regular {
            "正式党员"
        } else {
            "预备党员"
        };
        let tags = if rng.gen_bool(0.3) { "志愿者" } else { "" };
        members.push(add_person(
            o,
            rng,
            book,
            unit,
            Some(member_type),
            tags,
            year,
        )?);
    }
    let since = date(year - 3, 1, 1);
    let committee_size = match regular {
        0..=6 => 0,
        7..=29 => 3,
        _ => 5,
    };
    const COMMITTEE_TITLES: [&str; 5] = ["书记", "组织委员", "宣传委员", "纪检委员", "青年委员"];
    for (i, &person) in members.iter().enumerate().take(committee_size.max(1)) {
        add_position(o, person, unit, COMMITTEE_TITLES[i], None, since);
    }
    let group_count = match size {
        0..=24 => 0,
        25..=39 => 2,
        _ => 3,
    };
    let mut groups = Vec::new();
    for g in 0..group_count {
        let ordinal = ["第一", "第二", "第三"][g];
        let name = format!("{short}{ordinal}党小组");
        let group = add_unit(o, name, "党小组", Some(unit), enterprise, None, false)?;
        // Members are split evenly; each group's head is the first member in its share.
        let share = size / group_count + usize::from(g < size % group_count);
        let head = members[committee_size + g];
        add_position(o, head, group, "党小组组长", None, since);
        groups.push(Group {
            unit: group,
            size: share,
        });
    }
    Ok(Branch {
        unit,
        enterprise,
        members,
        committee_size,
        groups,
    })
}

/// Adds a unit below `parent` (plan indices), checked as the unit form checks it.
pub fn add_unit(
    o: &mut Org,
    name: String,
    unit_type: &str,
    parent: Option<usize>,
    enterprise: Option<usize>,
    level: Option<&str>,
    is_service_team: bool,
) -> Result<usize, AppError> {
    let input = UnitInput {
        name,
        unit_type: unit_type.to_string(),
        parent_id: None,
        enterprise_id: None,
        level: level.map(str::to_string),
        is_service_team,
    };
    let unit = org::validate_unit(input, 0)?;
    o.units.push(PlannedUnit {
        unit,
        parent,
        enterprise,
    });
    Ok(o.units.len() - 1)
}

/// Adds a person to `unit`: a party member when `member_type` is given, with an ID number that
/// matches their birth date and gender, a mobile number, and the given tag.
pub fn add_person(
    o: &mut Org,
    rng: &mut StdRng,
    book: &mut NameBook,
    unit: usize,
    member_type: Option<&str>,
    tags: &str,
    year: i32,
) -> Result<usize, AppError> {
    let male = rng.gen_bool(if member_type.is_some() { 0.68 } else { 0.5 });
    let name = book.person(rng, male);
    let probationary = member_type == Some("预备党员");
    // Probationary members are young and joined in the last year (their year of probation has
    // not ended); full members joined before the demo's first year.
    let birth_year = if probationary {
        rng.gen_range(year - 32..=year - 23)
    } else {
        rng.gen_range(year - 58..=year - 24)
    };
    let birth = date(birth_year, rng.gen_range(1..=12), rng.gen_range(1..=28));
    let joined_on = member_type.map(|_| {
        if probationary {
            date(year, rng.gen_range(1..=10), rng.gen_range(1..=28))
        } else {
            let earliest = (birth.year() + 20).min(year - 3);
            date(
                rng.gen_range(earliest..=year - 3),
                rng.gen_range(1..=12),
                rng.gen_range(1..=28),
            )
        }
    });
    let serial = o.people.len();
    let input = PersonInput {
        name,
        gender: Some(if male { "男" } else { "女" }.to_string()),
        id_number: Some(names::id_number(rng, birth, male)),
        phone: Some(names::mobile(rng, serial)),
        unit_id: None,
        is_member: member_type.is_some(),
        member_type: member_type.map(str::to_string),
        joined_on,
        tags: if tags.is_empty() {
            Vec::new()
        } else {
            vec![tags.to_string()]
        },
    };
    let person = org::validate_person(input, 0)?;
    o.people.push(PlannedPerson { person, unit });
    Ok(o.people.len() - 1)
}

/// Adds a post held by `person` in `unit` since `start_on`.
pub fn add_position(
    o: &mut Org,
    person: usize,
    unit: usize,
    title: &str,
    staff_type: Option<&'static str>,
    start_on: NaiveDate,
) {
    o.positions.push(PlannedPosition {
        person,
        unit,
        title: title.to_string(),
        staff_type,
        start_on,
    });
}
