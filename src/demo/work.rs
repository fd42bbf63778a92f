//! The demo's service to enterprises and the public: leaders' visits to their paired enterprises,
//! suggestions, enterprise problems handled by the 园小二 groups, letters and visits (信访), labour
//! disputes, volunteer services, and the key projects' progress.

use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;

use super::org::{date, Org, SERVICE_GROUPS};
use super::records::{any_workday, one, Draft, Year};

const SUGGESTIONS: &[&str] = &[
    "建议增开园区至高铁站的通勤公交",
    "希望加快人才公寓配套建设",
    "建议园区食堂延长供餐时间",
    "建议定期组织惠企政策宣讲会",
    "希望解决企业周边道路照明不足问题",
    "建议搭建园区企业用工共享平台",
    "希望简化项目报建审批材料",
    "建议增设新能源汽车充电桩",
    "建议举办园区企业产品供需对接会",
    "希望加强园区夜间治安巡逻",
    "建议开办职工子女暑期托管班",
    "希望提供知识产权申报辅导",
];

/// Problem categories: the group responsible, what enterprises report, and how it ends.
const PROBLEMS: &[(&str, usize, &[&str], &str)] = &[
    (
        "用工招聘",
        2,
        &[
            "急需招聘一线普工",
            "缺少数控技术工人",
            "希望对接高校引进研发人才",
        ],
        "组织专场招聘会，岗位已补齐",
    ),
    (
        "融资贷款",
        2,
        &["流动资金紧张，希望对接银行贷款", "申请科技贷款贴息"],
        "对接合作银行，贷款已发放",
    ),
    (
        "项目审批",
        1,
        &[
            "新建厂房施工许可办理进度慢",
            "扩建项目环评手续咨询",
            "消防验收材料需要指导",
        ],
        "全程代办，手续已办结",
    ),
    (
        "水电气保障",
        0,
        &[
            "新增生产线需要扩容用电",
            "厂区天然气管道接入",
            "夏季用水压力不足",
        ],
        "协调供电供气单位，已完成接入",
    ),
    (
        "物流交通",
        0,
        &["厂区门口道路破损影响货车通行", "希望在厂区附近增设公交站点"],
        "协调交通部门完成整改",
    ),
    (
        "政策兑现",
        2,
        &["高新技术企业奖补资金申报", "技改补助资金拨付进度咨询"],
        "政策资金已兑现到位",
    ),
    (
        "土地规划",
        1,
        &["二期用地规划调整", "厂区红线内管线迁改"],
        "协调自然资源部门，方案已批复",
    ),
];

const PETITIONS: &[&str] = &[
    "反映企业拖欠工资",
    "咨询征迁安置补偿政策",
    "反映厂区夜间噪音扰民",
    "反映社保缴纳问题",
    "咨询人才公寓申请条件",
    "反映道路施工影响出行",
];

const DISPUTES: &[&str] = &[
    "拖欠工资",
    "劳动合同解除",
    "工伤待遇",
    "社保缴纳",
    "加班费争议",
];

const VOLUNTEER_SERVICES: &[&str] = &[
    "学雷锋志愿服务",
    "园区环境整治",
    "惠企政策宣讲志愿服务",
    "义务植树",
    "助企招工志愿服务",
    "文明交通劝导",
    "关爱困境儿童",
    "防范电信诈骗宣传",
    "敬老院慰问",
    "无偿献血",
];

const PRODUCTS: &[(&str, f64)] = &[
    ("年产5万吨锂电池正极材料项目", 25.0),
    ("智能装备产业园一期工程", 12.5),
    ("生物医药中试基地项目", 8.6),
    ("冷链物流中心项目", 6.2),
    ("半导体封装测试项目", 18.0),
    ("高端数控机床生产线项目", 9.8),
    ("光伏组件扩产项目", 15.3),
    ("食品精深加工项目", 4.5),
];

const STAGES: [(&str, &[&str]); 5] = [
    (
        "前期准备",
        &["签订投资协议", "完成项目备案", "完成可行性研究报告编制"],
    ),
    (
        "地勘环评",
        &["开展地勘和环评工作", "完成地质勘察", "环评报告已获批复"],
    ),
    (
        "场地平整",
        &["场地平整完成过半", "完成土方工程", "完成三通一平"],
    ),
    (
        "开工建设",
        &["主体结构施工中", "主体结构封顶", "设备进场安装"],
    ),
    ("竣工投产", &["竣工验收并投产", "试生产顺利，正式投产"]),
];

/// Drafts one year's service work.
pub fn draft(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    visits(org, rng, y, out);
    suggestions(org, rng, y, out);
    problems(org, rng, y, out);
    petitions(rng, y, out);
    labor_disputes(org, rng, y, out);
    volunteer_services(rng, y, out);
}

fn visits(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    // The enterprise service group's full-time staff make one visit in five; leaders the rest.
    let staff: Vec<usize> = org
        .service_staff
        .iter()
        .copied()
        .skip(2)
        .step_by(3)
        .take(5)
        .collect();
    for e in &org.enterprises {
        for _ in 0..rng.gen_range(2..=4) {
            let by_leader = rng.gen_bool(0.8);
            let visitor = if by_leader {
                e.leader
            } else {
                staff[rng.gen_range(0..staff.len())]
            };
            let form = match rng.gen_range(0..100) {
                0..=39 => "走访慰问",
                40..=74 => "政策解读",
                75..=94 => "现场办公",
                _ => "其他",
            };
            let handouts = match form {
                "走访慰问" => rng.gen_range(20..=80),
                "政策解读" => rng.gen_range(50..=200),
                "现场办公" => rng.gen_range(0..=20),
                _ => rng.gen_range(10..=50),
            };
            let mut d = Draft::new("visit", "date", any_workday(rng, y.year))
                .text("enterprise", e.enterprise.name.clone())
                .text("visitor", org.person_name(visitor))
                .text("visit_form", form)
                .number("handouts", handouts)
                .number("problem_count", rng.gen_range(0..=3));
            if form == "政策解读" {
                d = d.text("remark", "宣传解读惠企政策，发放政策汇编");
            }
            out.push(d);
        }
    }
}

fn suggestions(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    for _ in 0..rng.gen_range(40..=55) {
        let source = match rng.gen_range(0..10) {
            0..=2 => "座谈会",
            3..=6 => "走访",
            7..=8 => "线上",
            _ => "来信来访",
        };
        // Older suggestions are settled; some of the last year's are still being handled.
        let status = match (y.is_last(), rng.gen_range(0..20)) {
            (false, 0) => "办理中",
            (false, 1..=5) => "已采纳",
            (false, _) => "已办结",
            (true, 0..=1) => "待办理",
            (true, 2..=5) => "办理中",
            (true, 6..=9) => "已采纳",
            (true, _) => "已办结",
        };
        let mut d = Draft::new("suggestion", "date", any_workday(rng, y.year))
            .text("source", source)
            .text("content", one(rng, SUGGESTIONS))
            .text("status", status);
        if rng.gen_bool(0.9) {
            d = d.text(
                "enterprise",
                org.enterprise_name(rng.gen_range(0..org.enterprises.len())),
            );
        }
        out.push(d);
    }
}

fn problems(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    // Problems still open when the demo ends: at its last year's end, or on the day it was built.
    let end_of_demo = date(y.year + 2 - y.index as i32, 12, 31).min(y.until);
    for _ in 0..rng.gen_range(40..=50) {
        let (category, group, descriptions, result) = PROBLEMS[rng.gen_range(0..PROBLEMS.len())];
        let accepted = any_workday(rng, y.year);
        let enterprise = org.enterprise_name(rng.gen_range(0..org.enterprises.len()));
        let mut d = Draft::new("enterprise_problem", "accepted_on", accepted)
            .text("enterprise", enterprise)
            .text("problem_category", category)
            .text("description", one(rng, descriptions))
            .text("team", SERVICE_GROUPS[group]);
        let done = accepted
            .checked_add_days(Days::new(rng.gen_range(3..=45)))
            .unwrap_or(accepted);
        // A few of the last year's problems are hard ones still open at the year's end.
        let open = done > end_of_demo || (y.is_last() && rng.gen_bool(0.1));
        if !open {
            let satisfaction = match rng.gen_range(0..50) {
                0..=1 => "不满意",
                2..=10 => "基本满意",
                _ => "满意",
            };
            d = d
                .text("completed_on", done.format("%Y-%m-%d").to_string())
                .text("result", result)
                .text("satisfaction", satisfaction);
        }
        out.push(d);
    }
}

fn petitions(rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    for _ in 0..rng.gen_range(6..=10) {
        let category = match rng.gen_range(0..10) {
            0..=4 => "个人来访",
            5..=6 => "来信",
            _ => "网上信访",
        };
        let result = if category == "个人来访" {
            "当场答复，来访人表示认可"
        } else {
            "已按期书面答复"
        };
        out.push(
            Draft::new("petition", "date", any_workday(rng, y.year))
                .text("category", category)
                .number("people_count", 1)
                .text("reason", one(rng, PETITIONS))
                .text("result", result),
        );
    }
    // The park's one collective visit of five or more is in the last year; the middle year's
    // came with three people, below what counts as a mass petition.
    if y.first_pass() && y.index > 0 {
        let (people, reason, result) = if y.is_last() {
            (
                12,
                "建筑工地农民工集体反映工程款拖欠",
                "协调施工总包单位结清工资，未发生越级上访",
            )
        } else {
            (
                3,
                "三名居民反映厂区货车夜间通行噪音",
                "协调企业调整运输时段，居民表示满意",
            )
        };
        out.push(
            Draft::new("petition", "date", any_workday(rng, y.year))
                .text("category", "集体来访")
                .number("people_count", people)
                .text("reason", reason)
                .text("result", result),
        );
    }
}

fn labor_disputes(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    for _ in 0..rng.gen_range(5..=8) {
        let people = if rng.gen_bool(0.8) {
            rng.gen_range(1..=3)
        } else {
            rng.gen_range(4..=15)
        };
        let result = match (y.is_last(), rng.gen_range(0..20)) {
            (true, 0..=2) => "调解中",
            (_, 3..=5) => "移交仲裁",
            _ => "调解成功",
        };
        out.push(
            Draft::new("labor_dispute", "date", any_workday(rng, y.year))
                .text(
                    "enterprise",
                    org.enterprise_name(rng.gen_range(0..org.enterprises.len())),
                )
                .number("people_involved", people)
                .text("dispute_type", one(rng, DISPUTES))
                .text("mediation_result", result),
        );
    }
}

fn volunteer_services(rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    for month in 1..=12 {
        for _ in 0..2 {
            let on = super::records::workday(rng, y.year, month, 2, 27);
            let hours = f64::from(rng.gen_range(4..=8)) / 2.0;
            out.push(
                Draft::new("volunteer_service", "date", on)
                    .text("name", one(rng, VOLUNTEER_SERVICES))
                    .number("participants", rng.gen_range(8..=60))
                    .number("hours", hours),
            );
        }
    }
}

/// Drafts the key projects of one pass: five projects starting at staggered quarters of the three
/// years, each updated every quarter from its start until it is in production or the demo ends.
pub fn draft_projects(rng: &mut StdRng, year: i32, pass: u32, out: &mut Vec<Draft>) {
    let first = year - 2;
    for (p, start_quarter) in [0u32, 2, 4, 6, 8].into_iter().enumerate() {
        let (product, investment) = if pass == 0 {
            PRODUCTS[p]
        } else {
            PRODUCTS[rng.gen_range(0..PRODUCTS.len())]
        };
        let name = if pass == 0 {
            product.to_string()
        } else {
            format!("{product}（{}期）", chinese_number(pass + 1))
        };
        let (mut stage, mut rows_in_stage) = (0, 0);
        for quarter in start_quarter..12 {
            let on = quarter_day(rng, first, quarter);
            let (stage_name, notes) = STAGES[stage];
            // A stage's notes are in the order work goes, so a later row never reads earlier.
            let note = notes[rows_in_stage.min(notes.len() - 1)];
            out.push(
                Draft::new("project", "updated_on", on)
                    .text("name", name.clone())
                    .number("investment", investment)
                    .text("stage", stage_name)
                    .text("progress", note),
            );
            if stage == STAGES.len() - 1 {
                break;
            }
            // A stage lasts one to two quarters; construction takes longer.
            let advance = if stage == 3 {
                rng.gen_bool(0.35)
            } else {
                rng.gen_bool(0.7)
            };
            if advance {
                stage += 1;
                rows_in_stage = 0;
            } else {
                rows_in_stage += 1;
            }
        }
    }
}

/// A day in the middle of the `quarter`-th quarter (0-based) counted from `first`'s January.
fn quarter_day(rng: &mut StdRng, first: i32, quarter: u32) -> NaiveDate {
    let year = first + (quarter / 4) as i32;
    let month = (quarter % 4) * 3 + rng.gen_range(1..=3);
    super::records::workday(rng, year, month, 10, 27)
}

fn chinese_number(n: u32) -> String {
    match n {
        0..=10 => super::records::chinese_ordinal(n).to_string(),
        _ => n.to_string(),
    }
}
