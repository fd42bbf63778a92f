//! The demo's recognition and facilities: honours from above, designations (示范支部, 党员先锋岗,
//! 文明单位, 党建品牌) and the park's facilities (党群服务中心, 党建文化广场, 红色骑行道, 党员活动室).
//!
//! The park's milestones (the service centre, the plaza, the cycling road, the model branches, the
//! civilised units and the one revoked title) happen once, in the first pass; scale repetitions
//! add only ordinary entries with other names.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::Rng;

use super::names::PARK_NAME;
use super::org::Org;
use super::records::{any_workday, workday, Draft, Year};

/// The fictional city and district above the park, who grant honours.
const CITY: &str = "云川市";
const DISTRICT: &str = "临湖区";

const PIONEER_POSTS: &[&str] = &[
    "数控车间",
    "质检中心",
    "研发中心",
    "装配车间",
    "仓储物流部",
    "安全生产岗",
    "客户服务部",
];

/// Drafts one year's honours, designations and facilities.
pub fn draft(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    honors(org, rng, y, out);
    designations(org, rng, y, out);
    facilities(org, rng, y, out);
}

fn honors(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    let branch = |rng: &mut StdRng| {
        org.unit_name(org.branches[rng.gen_range(0..org.branches.len())].unit)
            .to_string()
    };
    let member = |rng: &mut StdRng| {
        let b = &org.branches[rng.gen_range(0..org.branches.len())];
        org.person_name(b.members[rng.gen_range(0..b.size())])
            .to_string()
    };
    let enterprise = |rng: &mut StdRng| {
        org.enterprise_name(rng.gen_range(0..org.enterprises.len()))
            .to_string()
    };
    let mut list = vec![
        (
            "先进基层党组织".to_string(),
            format!("中共{CITY}委"),
            "市级",
            branch(rng),
        ),
        (
            "五星级基层党组织".to_string(),
            format!("中共{DISTRICT}委"),
            "区级",
            branch(rng),
        ),
        (
            "优秀共产党员".to_string(),
            format!("中共{CITY}委"),
            "市级",
            member(rng),
        ),
        (
            "优秀共产党员".to_string(),
            format!("中共{DISTRICT}委"),
            "区级",
            member(rng),
        ),
        (
            "优秀党务工作者".to_string(),
            format!("中共{DISTRICT}委"),
            "区级",
            member(rng),
        ),
        (
            "工人先锋号".to_string(),
            format!("{CITY}总工会"),
            "市级",
            enterprise(rng),
        ),
    ];
    if y.first_pass() {
        match y.index {
            0 => list.push((
                "五一劳动奖状".to_string(),
                "省总工会".to_string(),
                "省级",
                enterprise(rng),
            )),
            1 => list.push((
                "优化营商环境先进集体".to_string(),
                format!("{CITY}人民政府"),
                "市级",
                "园小二服务团队".to_string(),
            )),
            _ => {
                list.push((
                    "全省非公企业党建工作示范点".to_string(),
                    "省委两新工委".to_string(),
                    "省级",
                    branch(rng),
                ));
                list.push((
                    "全国模范劳动关系和谐企业".to_string(),
                    "人力资源社会保障部等".to_string(),
                    "国家级",
                    enterprise(rng),
                ));
            }
        }
    }
    for (name, grantor, level, recipient) in list {
        // Honours are announced around 七一 and at the year's end.
        let month = if rng.gen_bool(0.5) {
            6
        } else {
            rng.gen_range(11..=12)
        };
        out.push(
            Draft::new("honor", "date", workday(rng, y.year, month, 10, 27))
                .text("name", name)
                .text("grantor", grantor)
                .text("level", level)
                .text("recipient", recipient),
        );
    }
}

fn designations(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    let branch_unit = |b: usize| org.unit_name(org.branches[b].unit).to_string();
    let mut list: Vec<(&str, &str, String, Option<String>, &str)> = Vec::new();
    if y.first_pass() {
        // The model branches match the ratings of their units: branch 0 province, 1 and 2 city.
        let (model, level) = match y.index {
            0 => (0, "省级"),
            1 => (1, "市级"),
            _ => (2, "市级"),
        };
        list.push((
            "示范支部",
            level,
            format!("{level}示范党支部：{}", branch_unit(model)),
            Some(branch_unit(model)),
            "有效",
        ));
        let civilised: &[(&str, usize, &str)] = match y.index {
            0 => &[
                ("省级", 0, "有效"),
                ("区级", 12, "有效"),
                ("区级", 30, "已撤销"),
            ],
            1 => &[
                ("市级", 3, "有效"),
                ("市级", 5, "有效"),
                ("区级", 18, "有效"),
            ],
            _ => &[("市级", 8, "有效"), ("区级", 25, "有效")],
        };
        for &(level, e, status) in civilised {
            let unit = org
                .branches
                .iter()
                .find(|b| b.enterprise == Some(e))
                .map(|b| org.unit_name(b.unit).to_string());
            list.push((
                "文明单位",
                level,
                format!("{level}文明单位：{}", org.enterprise_name(e)),
                unit,
                status,
            ));
        }
        let brand = [
            "“红心园小二”党建品牌",
            "“链上党建”党建品牌",
            "“先锋青峰”党建品牌",
        ][y.index];
        list.push((
            "党建品牌",
            "园区级",
            brand.to_string(),
            Some(org.unit_name(org.committee).to_string()),
            "有效",
        ));
    }
    // Pioneer posts in the smaller enterprise branches' workshops, three a year. Each post is
    // named once: the n-th post of the demo walks through every branch and workshop pair, and
    // only after all of them have a post (far into a scale run) does a number tell them apart.
    let branches: Vec<usize> = (3..org.branches.len())
        .filter(|&b| org.branches[b].enterprise.is_some())
        .collect();
    let pairs = branches.len() * PIONEER_POSTS.len();
    for k in 0..3 {
        let n = (y.pass as usize * 3 + y.index) * 3 + k;
        let b = branches[n % branches.len()];
        let post = PIONEER_POSTS[(n / branches.len()) % PIONEER_POSTS.len()];
        let e = org.branches[b].enterprise.unwrap_or(0);
        let mut name = format!("{}{post}党员先锋岗", org.enterprises[e].short);
        if n >= pairs {
            name.push_str(&format!("（{}）", n / pairs + 1));
        }
        let level = if rng.gen_bool(0.3) {
            "区级"
        } else {
            "园区级"
        };
        list.push(("党员先锋岗", level, name, Some(branch_unit(b)), "有效"));
    }
    for (category, level, name, unit, status) in list {
        let mut d = Draft::new("designation", "date", any_workday(rng, y.year))
            .text("category", category)
            .text("level", level)
            .text("name", name)
            .text("status", status);
        if let Some(unit) = unit {
            d = d.text("unit", unit);
        }
        out.push(d);
    }
}

fn facilities(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    let facility = |on: NaiveDate, name: String, category: &str| {
        Draft::new("facility", "built_on", on)
            .text("name", name)
            .text("category", category)
            .text("status", "正常")
    };
    if y.first_pass() {
        let month = rng.gen_range(4..=9);
        let on = workday(rng, y.year, month, 5, 25);
        out.push(match y.index {
            0 => facility(on, format!("{PARK_NAME}党群服务中心"), "党群服务中心")
                .number("area", 1200),
            1 => facility(on, format!("{PARK_NAME}党建文化广场"), "党建文化广场")
                .number("area", 8300),
            _ => facility(on, "青峰红色骑行道（二期）".to_string(), "红色骑行道")
                .number("length_km", 5.2),
        });
        if y.index == 1 {
            let on = workday(rng, y.year, 10, 5, 25);
            out.push(
                facility(on, "青峰红色骑行道（一期）".to_string(), "红色骑行道")
                    .number("length_km", 4.6),
            );
        }
    }
    // Branches furnish activity rooms over the years.
    let b = rng.gen_range(0..org.branches.len());
    let name = format!("{}党员活动室", org.unit_name(org.branches[b].unit));
    let name = if y.first_pass() {
        name
    } else {
        format!("{name}（第{}批改造）", y.pass + 1)
    };
    let area = rng.gen_range(6..=20) * 10;
    out.push(facility(any_workday(rng, y.year), name, "党员活动室").number("area", area));
}
