//! The demo park's organisation: the 党工委 with its departments and the 园小二 service team,
//! branches in enterprises (some with 党小组), the enterprise roster with paired leaders, and the
//! people: party members, volunteers and service staff.
//!
//! The organisation is planned first, as plain data passed through the same validators a form
//! uses, and written afterwards; the record generators read the plan (who belongs where, how large
//! each branch is) so that attendance, talks and visits agree with the rosters.

use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::StdRng;

use super::names::{NameBook, PARK_NAME};
use super::roster::{add_person, add_position, add_unit, plan_branch, plan_enterprises};
use crate::db::{DbError, Tx};
use crate::error::AppError;
use crate::org::queries::{self, Enterprise, Person, Position, Unit};

/// Members (正式 and 预备) of the branches in enterprises, largest first: sizes vary so that some
/// branches must hold a monthly 支委会 (≥ 7 正式党员) and the two smallest need not.
const BRANCH_SIZES: [usize; 10] = [52, 44, 36, 31, 27, 22, 16, 10, 7, 5];

/// Members of the park administration's own branch (机关党支部).
const OFFICE_BRANCH_SIZE: usize = 38;

/// Members of the 党工委: the six leaders and the head of 党群工作部.
pub const COMMITTEE_SIZE: usize = 7;

/// Members of the theory study group (中心组): the committee and the department heads.
pub const STUDY_GROUP_SIZE: usize = 12;

const DEPARTMENTS: [&str; 6] = [
    "党政办公室",
    "党群工作部",
    "经济发展部",
    "招商服务部",
    "规划建设部",
    "安全环保部",
];

/// The service team's groups, named as the 企业难题台账's 责任小组 values.
pub const SERVICE_GROUPS: [&str; 3] = ["综合协调组", "项目审批组", "企业服务组"];

const LEADER_TITLES: [&str; 6] = [
    "党工委书记",
    "党工委副书记、管委会主任",
    "党工委副书记",
    "党工委委员、管委会副主任",
    "党工委委员、管委会副主任",
    "党工委委员、纪工委书记",
];

const FULL_TIME_STAFF: usize = 15;
const PART_TIME_STAFF: usize = 8;
const OTHER_VOLUNTEERS: usize = 20;

/// The planned organisation. References between entries are indices into these vectors; the
/// database ids are known only once [`insert`] has written them.
pub struct Org {
    pub units: Vec<PlannedUnit>,
    pub enterprises: Vec<PlannedEnterprise>,
    pub people: Vec<PlannedPerson>,
    pub positions: Vec<PlannedPosition>,
    /// The 党工委 (unit index).
    pub committee: usize,
    pub departments: Vec<usize>,
    /// Every 党支部; the administration's own branch is the last.
    pub branches: Vec<Branch>,
    pub service_groups: Vec<usize>,
    /// The six leaders (person indices), the 党工委书记 first and the 纪工委书记 last.
    pub leaders: Vec<usize>,
    pub department_heads: Vec<usize>,
    /// Staff of the service team (person indices), full-time first.
    pub service_staff: Vec<usize>,
}

pub struct PlannedUnit {
    pub unit: Unit,
    pub parent: Option<usize>,
    pub enterprise: Option<usize>,
}

pub struct PlannedEnterprise {
    pub enterprise: Enterprise,
    /// Plain name without 有限公司, for 党小组 names and prose.
    pub short: String,
    pub leader: usize,
}

pub struct PlannedPerson {
    pub person: Person,
    pub unit: usize,
}

pub struct PlannedPosition {
    pub person: usize,
    pub unit: usize,
    pub title: String,
    pub staff_type: Option<&'static str>,
    pub start_on: NaiveDate,
}

pub struct Branch {
    pub unit: usize,
    pub enterprise: Option<usize>,
    /// Every member, 正式 first; the first is the secretary.
    pub members: Vec<usize>,
    /// Members of the branch committee; zero when the branch has too few 正式党员 for one.
    pub committee_size: usize,
    pub groups: Vec<Group>,
}

pub struct Group {
    pub unit: usize,
    pub size: usize,
}

/// Database ids of what [`insert`] wrote, by plan index.
pub struct Ids {
    pub units: Vec<i64>,
    pub enterprises: Vec<i64>,
    pub people: Vec<i64>,
}

impl Branch {
    pub fn secretary(&self) -> usize {
        self.members[0]
    }

    pub fn size(&self) -> usize {
        self.members.len()
    }
}

/// The party members by plan index, for the attendance the demo's recent meetings name.
pub fn member_roster(o: &Org) -> crate::ledger::attendance::Roster {
    let members = o
        .people
        .iter()
        .enumerate()
        .filter(|(_, p)| p.person.is_member)
        .map(|(i, p)| crate::ledger::attendance::Member {
            id: i as i64,
            name: p.person.name.clone(),
            unit_id: p.unit as i64,
        })
        .collect();
    let parents = o
        .units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| Some((i as i64, u.parent? as i64)))
        .collect();
    crate::ledger::attendance::Roster::new(members, parents)
}

impl Org {
    pub fn unit_name(&self, unit: usize) -> &str {
        &self.units[unit].unit.name
    }

    pub fn person_name(&self, person: usize) -> &str {
        &self.people[person].person.name
    }

    pub fn enterprise_name(&self, enterprise: usize) -> &str {
        &self.enterprises[enterprise].enterprise.name
    }
}

/// Plans the organisation. `year` is the last year of the demo; appointments date from before
/// its first year.
pub fn plan(rng: &mut StdRng, year: i32) -> Result<Org, AppError> {
    let mut book = NameBook::default();
    let mut o = Org {
        units: Vec::new(),
        enterprises: Vec::new(),
        people: Vec::new(),
        positions: Vec::new(),
        committee: 0,
        departments: Vec::new(),
        branches: Vec::new(),
        service_groups: Vec::new(),
        leaders: Vec::new(),
        department_heads: Vec::new(),
        service_staff: Vec::new(),
    };
    let since = date(year - 3, 1, 1);

    let committee = add_unit(
        &mut o,
        format!("{PARK_NAME}党工委"),
        "党工委",
        None,
        None,
        None,
        false,
    )?;
    o.committee = committee;
    for name in DEPARTMENTS {
        let unit = add_unit(
            &mut o,
            name.to_string(),
            "部门",
            Some(committee),
            None,
            None,
            false,
        )?;
        o.departments.push(unit);
    }
    let team = add_unit(
        &mut o,
        "园小二服务团队".to_string(),
        "工作组",
        Some(committee),
        None,
        None,
        true,
    )?;
    for name in SERVICE_GROUPS {
        let unit = add_unit(
            &mut o,
            name.to_string(),
            "工作组",
            Some(team),
            None,
            None,
            false,
        )?;
        o.service_groups.push(unit);
    }

    plan_enterprises(&mut o, rng, &mut book)?;

    // Branches in the largest enterprises; the first three carry a city or province rating.
    for (i, size) in BRANCH_SIZES.into_iter().enumerate() {
        let enterprise = i;
        let level = match i {
            0 => Some("省级"),
            1 | 2 => Some("市级"),
            _ => None,
        };
        let name = format!("{}党支部", o.enterprises[enterprise].enterprise.name);
        let unit = add_unit(
            &mut o,
            name,
            "党支部",
            Some(committee),
            Some(enterprise),
            level,
            false,
        )?;
        let short = o.enterprises[enterprise].short.clone();
        let branch = plan_branch(
            &mut o,
            rng,
            &mut book,
            unit,
            Some(enterprise),
            size,
            &short,
            year,
        )?;
        o.branches.push(branch);
    }
    let office = add_unit(
        &mut o,
        format!("{PARK_NAME}机关党支部"),
        "党支部",
        Some(committee),
        None,
        None,
        false,
    )?;
    let office_branch = plan_branch(
        &mut o,
        rng,
        &mut book,
        office,
        None,
        OFFICE_BRANCH_SIZE,
        "机关",
        year,
    )?;

    // The leaders, department heads and part-time service staff are members of the
    // administration's branch, drawn from after its committee and group heads so that nobody
    // holds two of those posts.
    let pool = &office_branch.members[office_branch.committee_size + office_branch.groups.len()..];
    o.leaders = pool[..LEADER_TITLES.len()].to_vec();
    o.department_heads =
        pool[LEADER_TITLES.len()..LEADER_TITLES.len() + DEPARTMENTS.len()].to_vec();
    let part_time: Vec<usize> = pool[pool.len() - PART_TIME_STAFF..].to_vec();
    o.branches.push(office_branch);
    for (&person, title) in o.leaders.clone().iter().zip(LEADER_TITLES) {
        add_position(&mut o, person, committee, title, None, since);
    }
    for (&person, &unit) in o
        .department_heads
        .clone()
        .iter()
        .zip(&o.departments.clone())
    {
        add_position(&mut o, person, unit, "部长", None, since);
    }
    // The head of 党群工作部 (the second department) is the seventh committee member.
    let party_work_head = o.department_heads[1];
    add_position(
        &mut o,
        party_work_head,
        committee,
        "党工委委员",
        None,
        since,
    );

    for e in 0..o.enterprises.len() {
        let leader = o.leaders[e % o.leaders.len()];
        let planned = &mut o.enterprises[e];
        planned.leader = leader;
        planned.enterprise.leader_name = Some(o.people[leader].person.name.clone());
    }

    // Service staff: full-time staff employed by the team, part-time staff seconded from the
    // administration, spread over the three groups.
    for i in 0..FULL_TIME_STAFF {
        let unit = o.service_groups[i % SERVICE_GROUPS.len()];
        let person = add_person(&mut o, rng, &mut book, unit, None, "", year)?;
        let title = if i < SERVICE_GROUPS.len() {
            "组长"
        } else {
            "服务专员"
        };
        add_position(&mut o, person, unit, title, Some("专职"), since);
        o.service_staff.push(person);
    }
    for (i, person) in part_time.into_iter().enumerate() {
        let unit = o.service_groups[i % SERVICE_GROUPS.len()];
        add_position(&mut o, person, unit, "兼职服务专员", Some("兼职"), since);
        o.service_staff.push(person);
    }
    let volunteers_home = o.departments[1];
    for _ in 0..OTHER_VOLUNTEERS {
        add_person(
            &mut o,
            rng,
            &mut book,
            volunteers_home,
            None,
            "志愿者",
            year,
        )?;
    }
    Ok(o)
}

/// Writes the planned organisation inside `tx` and returns the ids it was given.
pub async fn insert(
    tx: &mut Tx,
    park_id: i64,
    o: &Org,
    now: DateTime<Utc>,
) -> Result<Ids, DbError> {
    let mut ids = Ids {
        units: Vec::new(),
        enterprises: Vec::new(),
        people: Vec::new(),
    };
    for e in &o.enterprises {
        ids.enterprises
            .push(queries::insert_enterprise(tx, park_id, &e.enterprise, now).await?);
    }
    for u in &o.units {
        // Units are planned parents first, so a parent's id is always known here.
        let unit = Unit {
            parent_id: u.parent.map(|p| ids.units[p]),
            enterprise_id: u.enterprise.map(|e| ids.enterprises[e]),
            ..u.unit.clone()
        };
        ids.units
            .push(queries::insert_unit(tx, park_id, &unit, now).await?);
    }
    for p in &o.people {
        let person = Person {
            unit_id: Some(ids.units[p.unit]),
            ..p.person.clone()
        };
        ids.people
            .push(queries::insert_person(tx, park_id, &person, now).await?);
    }
    for p in &o.positions {
        let position = Position {
            id: 0,
            person_id: ids.people[p.person],
            unit_id: ids.units[p.unit],
            title: p.title.clone(),
            staff_type: p.staff_type.map(str::to_string),
            start_on: Some(p.start_on),
            end_on: None,
        };
        queries::insert_position(tx, park_id, &position).await?;
    }
    // The paired leader is a person, written after the enterprises that name them.
    for (e, &id) in o.enterprises.iter().zip(&ids.enterprises) {
        let enterprise = Enterprise {
            id,
            leader_person_id: Some(ids.people[e.leader]),
            ..e.enterprise.clone()
        };
        queries::update_enterprise(tx, park_id, &enterprise).await?;
    }
    Ok(ids)
}

/// A calendar date the generators know to exist (days never exceed 28).
pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}
