//! The demo's party affairs besides meetings and recognition: talks, discipline, documents,
//! media accounts and public-opinion incidents.
//!
//! Each year's work points and task list are issued once, in the first pass; scale repetitions
//! add only ordinary entries with other names.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::Rng;

use super::names::PARK_NAME;
use super::org::Org;
use super::records::{any_workday, one, workday, Draft, Year};

const INTEGRITY_TARGETS: &[&str] = &[
    "新任职干部",
    "项目审批岗位人员",
    "招商服务岗位人员",
    "财务岗位人员",
];

const REASONS: &[&str] = &[
    "值班期间脱岗",
    "台账资料填报不实",
    "无故缺席组织生活",
    "企业诉求办理超时未反馈",
    "工作纪律松散，多次迟到早退",
];

const PLATFORMS: &[&str] = &["抖音", "微信群", "12345热线", "微博", "本地论坛"];

const INCIDENTS: &[(&str, &str)] = &[
    (
        "网民反映园区某企业夜间施工噪音扰民",
        "会同生态环境部门现场核查，督促企业调整施工时间，舆情平息",
    ),
    (
        "短视频反映园区道路积水影响通行",
        "及时组织排水并发布情况说明，网民反响正面",
    ),
    (
        "网帖称某企业拖欠员工工资",
        "经核实为个别员工工资结算争议，已调解处理并回应",
    ),
    (
        "网民询问人才公寓申请条件引发讨论",
        "发布人才公寓申请指南，答复网民关切",
    ),
    (
        "网民投诉园区周边异味",
        "组织环保监测，排查异味来源并整改，及时回应",
    ),
];

/// Drafts one year's affairs.
pub fn draft(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    talks(org, rng, y, out);
    discipline(org, rng, y, out);
    documents(rng, y, out);
    media_accounts(org, rng, y, out);
    opinion_incidents(rng, y, out);
}

fn talks(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    let committee = org.unit_name(org.committee);
    // Every secretary talks with about a quarter of the members each year.
    for branch in &org.branches {
        let secretary = org.person_name(branch.secretary());
        let unit = org.unit_name(branch.unit);
        for _ in 0..(branch.size() / 4).max(2) {
            let member = branch.members[rng.gen_range(1..branch.size())];
            out.push(talk(
                any_workday(rng, y.year),
                "谈心谈话",
                secretary,
                org.person_name(member),
                1,
                unit,
            ));
        }
        // A leader talks with each branch secretary once a year.
        let leader = org.person_name(org.leaders[rng.gen_range(0..org.leaders.len())]);
        out.push(talk(
            any_workday(rng, y.year),
            "谈心谈话",
            leader,
            secretary,
            1,
            committee,
        ));
    }
    let head = org.person_name(org.leaders[0]);
    for &person in &org.department_heads {
        out.push(talk(
            any_workday(rng, y.year),
            "谈心谈话",
            head,
            org.person_name(person),
            1,
            committee,
        ));
    }
    // Integrity talks: a few in person, and one collective talk with the service team each year.
    let discipline_head = org.person_name(org.leaders[org.leaders.len() - 1]);
    for _ in 0..rng.gen_range(2..=4) {
        let target =
            org.person_name(org.department_heads[rng.gen_range(0..org.department_heads.len())]);
        out.push(talk(
            any_workday(rng, y.year),
            "廉政谈话",
            discipline_head,
            target,
            1,
            committee,
        ));
    }
    let month = rng.gen_range(3..=5);
    let on = workday(rng, y.year, month, 5, 25);
    let team = org.service_staff.len();
    let collective = talk(
        on,
        "廉政谈话",
        discipline_head,
        one(rng, INTEGRITY_TARGETS),
        team,
        committee,
    );
    out.push(collective.text("remark", "集体廉政谈话"));
    if rng.gen_bool(0.7) {
        let member = org.service_staff[rng.gen_range(0..org.service_staff.len())];
        let reminder = talk(
            any_workday(rng, y.year),
            "提醒谈话",
            discipline_head,
            org.person_name(member),
            1,
            committee,
        );
        out.push(reminder.text("remark", "企业诉求办理不及时"));
    }
}

fn talk(on: NaiveDate, kind: &str, talker: &str, target: &str, times: usize, unit: &str) -> Draft {
    Draft::new("talk", "date", on)
        .text("talk_type", kind)
        .text("talker", talker)
        .text("target", target)
        .number("person_times", times as f64)
        .text("org_unit", unit)
}

fn discipline(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    let count = if y.is_last() { 1 } else { rng.gen_range(1..=3) };
    for _ in 0..count {
        let branch = &org.branches[rng.gen_range(0..org.branches.len())];
        let target = org.person_name(branch.members[rng.gen_range(1..branch.size())]);
        out.push(
            Draft::new("discipline", "date", any_workday(rng, y.year))
                .text("category", "通报批评")
                .text("target", target)
                .number("person_times", 1)
                .text("reason", one(rng, REASONS)),
        );
    }
    if y.index == 1 && y.first_pass() {
        let target = org.person_name(org.service_staff[0]);
        out.push(
            Draft::new("discipline", "date", any_workday(rng, y.year))
                .text("category", "诫勉")
                .text("target", target)
                .number("person_times", 1)
                .text("reason", "企业诉求多次超时办理，造成不良影响"),
        );
    }
}

fn documents(rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    let year = y.year;
    let mut list: Vec<(NaiveDate, String, u32, &str)> = Vec::new();
    let serial = |n: u32| n + y.pass * 20;
    if y.first_pass() {
        list.push((
            workday(rng, year, 2, 10, 27),
            format!("{PARK_NAME}{year}年党建工作要点"),
            1,
            "工作要点",
        ));
        list.push((
            workday(rng, year, 3, 2, 20),
            format!("{PARK_NAME}{year}年党建工作清单"),
            2,
            "工作清单",
        ));
        let (plan, rule) = match y.index {
            0 => ("网络舆情应急处置预案", "“三会一课”制度实施细则"),
            1 => ("群体性事件应急处置预案", "党员谈心谈话制度"),
            _ => ("安全生产事故应急预案（修订）", "园小二服务团队工作规则"),
        };
        list.push((
            workday(rng, year, 4, 5, 25),
            format!("{PARK_NAME}{plan}"),
            3,
            "应急预案",
        ));
        list.push((
            workday(rng, year, 5, 5, 25),
            format!("{PARK_NAME}{rule}"),
            4,
            "制度",
        ));
    }
    list.push((
        workday(rng, year, 3, 5, 25),
        format!("关于开展{year}年“暖企行动”的通知"),
        5,
        "其他",
    ));
    let month = rng.gen_range(6..=11);
    list.push((
        workday(rng, year, month, 2, 10),
        format!("关于开展{month}月党员志愿服务活动的通知"),
        6,
        "其他",
    ));
    for (on, title, n, category) in list {
        out.push(
            Draft::new("document", "issued_on", on)
                .text("title", title)
                .text("doc_number", format!("青开党工〔{year}〕{}号", serial(n)))
                .text("category", category),
        );
    }
}

fn media_accounts(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    let office = &org.branches[org.branches.len() - 1];
    let admin = |rng: &mut StdRng| {
        org.person_name(office.members[rng.gen_range(1..office.size())])
            .to_string()
    };
    let department = |i: usize| org.unit_name(org.departments[i]).to_string();
    let mut list: Vec<(String, &str, String, &str)> = Vec::new();
    if y.first_pass() {
        match y.index {
            0 => {
                list.push(("青峰党建".to_string(), "微信公众号", department(1), "正常"));
                list.push((
                    "园区党务工作群".to_string(),
                    "微信工作群",
                    department(1),
                    "正常",
                ));
            }
            1 => {
                list.push((
                    "青峰园小二".to_string(),
                    "视频号",
                    "园小二服务团队".to_string(),
                    "正常",
                ));
                list.push((
                    "企业服务交流群".to_string(),
                    "微信工作群",
                    org.unit_name(org.service_groups[2]).to_string(),
                    "正常",
                ));
                list.push(("青峰发布".to_string(), "微博", department(0), "已注销"));
            }
            _ => list.push((
                "青峰志愿者".to_string(),
                "微信工作群",
                department(1),
                "正常",
            )),
        }
    }
    // Branch work groups, registered as branches set them up.
    let b = rng.gen_range(0..org.branches.len() - 1);
    let name = org.enterprises[org.branches[b].enterprise.unwrap_or(0)]
        .short
        .clone();
    let suffix = if y.first_pass() {
        String::new()
    } else {
        format!("（{}）", y.pass + 1)
    };
    list.push((
        format!("{name}党员学习群{suffix}"),
        "微信工作群",
        org.unit_name(org.branches[b].unit).to_string(),
        "正常",
    ));
    for (name, category, unit, status) in list {
        out.push(
            Draft::new("media_account", "registered_on", any_workday(rng, y.year))
                .text("name", name)
                .text("category", category)
                .text("supervisor_unit", unit)
                .text("administrator", admin(rng))
                .text("status", status),
        );
    }
}

fn opinion_incidents(rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    // Ordinary incidents every year, one 较大 in the middle year, never a 重大 one.
    for i in 0..rng.gen_range(2..=4) {
        let (summary, result) = INCIDENTS[rng.gen_range(0..INCIDENTS.len())];
        let level = if y.index == 1 && y.first_pass() && i == 0 {
            "较大"
        } else {
            "一般"
        };
        out.push(
            Draft::new("opinion_incident", "date", any_workday(rng, y.year))
                .text("platform", one(rng, PLATFORMS))
                .text("level", level)
                .text("summary", summary)
                .text("result", result),
        );
    }
}
