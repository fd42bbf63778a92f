//! The demo's meetings (会议台账), the largest ledger: every branch's 三会一课 and 主题党日, its
//! yearly 组织生活会 and 民主评议党员, and the 党工委's own meetings and study sessions.
//! Attendance follows the rosters: a branch meeting expects every member of the branch, a
//! 支委会 its committee, a 党小组会 its group. The branch meetings of the last three months
//! are recorded from the roster (参会人员, 缺席人员 with reasons, 主持人, 记录人), the names
//! chosen to give the very counts drawn, and without drawing: the figures stay those of a demo
//! with typed counts only.

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;

use super::org::{Branch, Org, COMMITTEE_SIZE, STUDY_GROUP_SIZE};
use super::records::{attended, chinese_ordinal, one, workday, Cell, Draft, Quirks, Year};
use crate::ledger::attendance::{join_absences, join_people};

const CONGRESS_TOPICS: &[&str] = &[
    "传达学习上级党组织会议精神",
    "讨论接收预备党员",
    "讨论预备党员按期转正",
    "通报支部季度工作情况",
    "部署党员承诺践诺工作",
    "学习新修订的党内法规",
    "确定入党积极分子",
    "听取党员思想汇报",
];

const COMMITTEE_TOPICS: &[&str] = &[
    "研究本月主题党日安排",
    "研究党员发展计划",
    "研究党费收缴使用情况",
    "分析党员思想动态",
    "研究困难党员帮扶",
    "研究党员积分管理",
    "研究支部品牌创建",
    "研究生产攻坚中的党员任务",
    "研究党员教育培训计划",
];

const LECTURE_TOPICS: &[&str] = &[
    "学习贯彻党的二十大精神",
    "以高质量党建引领企业高质量发展",
    "弘扬伟大建党精神",
    "加强党性修养 争做合格党员",
    "学习《中国共产党章程》",
    "严守纪律规矩 筑牢廉洁防线",
    "传承红色基因 赓续精神血脉",
    "党员如何在岗位上发挥先锋模范作用",
];

/// 主题党日 activities by month, as parks schedule them around the calendar.
const THEME_DAYS: [&[&str]; 12] = [
    &["新春走访慰问困难党员", "重温入党誓词 开启新年新征程"],
    &["复工复产党员先锋行", "学习贯彻全会精神"],
    &["学雷锋志愿服务", "义务植树"],
    &["清明祭英烈", "红色教育基地参观学习"],
    &["劳动节岗位建功", "青年党员交流座谈"],
    &["安全生产月党员示范岗", "重温入党誓词迎七一"],
    &["庆祝建党节 党员过政治生日", "表彰优秀共产党员"],
    &["八一拥军慰问", "高温一线慰问"],
    &["企业安全生产检查", "党员进社区志愿服务"],
    &["国庆爱国主义教育", "重阳敬老志愿服务"],
    &["宪法宣传进企业", "消防安全宣传"],
    &["宪法宣传日集中学习", "年终党员评议准备"],
];

const GROUP_TOPICS: &[&str] = &[
    "学习党章党规",
    "交流岗位履职体会",
    "学习上级文件精神",
    "开展批评与自我批评",
    "学习先进典型事迹",
    "讨论本组党员承诺事项",
];

const LIFE_TOPICS: &[&str] = &[
    "以案促改专题组织生活会",
    "主题教育专题组织生活会",
    "党纪学习教育专题组织生活会",
];

const STUDY_TOPICS: &[&str] = &[
    "学习习近平新时代中国特色社会主义思想",
    "学习党的二十大报告",
    "学习习近平总书记关于党的建设的重要思想",
    "学习习近平总书记关于优化营商环境的重要论述",
    "学习《中国共产党纪律处分条例》",
    "学习习近平总书记关于安全生产的重要论述",
    "学习中央经济工作会议精神",
    "学习习近平总书记关于新质生产力的重要论述",
    "学习《中国共产党支部工作条例（试行）》",
];

const PARTY_AGENDA: &[&str] = &[
    "研究部署年度党建工作要点",
    "研究基层党组织建设工作",
    "研究党风廉政建设工作",
    "研究意识形态工作",
    "研究非公企业党建工作",
    "听取各支部书记抓党建述职",
];

const SEMINAR_TOPICS: &[&str] = &[
    "以党建引领优化营商环境",
    "推进产业链党建工作",
    "新就业群体党建工作路径",
    "提升基层党组织组织力",
    "党建与业务深度融合",
    "园区安全生产责任落实",
];

const FORUMS: &[&str] = &[
    "企业家座谈会",
    "新就业群体代表座谈会",
    "青年人才座谈会",
    "重点企业党建工作座谈会",
];

const TRAININGS: &[&str] = &["党务干部培训班", "入党积极分子培训班", "发展对象培训班"];

/// Drafts one year's meetings.
pub fn draft(org: &Org, quirks: &Quirks, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    for b in 0..org.branches.len() {
        branch_meetings(org, quirks, rng, y, b, out);
    }
    committee_meetings(org, rng, y, out);
}

fn branch_meetings(
    org: &Org,
    quirks: &Quirks,
    rng: &mut StdRng,
    y: Year,
    b: usize,
    out: &mut Vec<Draft>,
) {
    let branch = &org.branches[b];
    let unit = org.unit_name(branch.unit);
    let low = quirks.low_participation == b;
    let size = branch.size();
    let secretary = org.person_name(branch.secretary());
    let year = y.year;
    for quarter in 1..=4u32 {
        let first = (quarter - 1) * 3 + 1;
        let month = first + rng.gen_range(0..3);
        let topic = one(rng, CONGRESS_TOPICS);
        let name = format!("第{}季度党员大会：{topic}", chinese_ordinal(quarter));
        let on = workday(rng, year, month, 5, 25);
        let congress = meeting(rng, on, "支部党员大会", name, unit, size, low);
        out.push(roll(congress, org, branch, size, &y, on));
        if quirks.missed_lecture == (b, year, quarter) {
            continue;
        }
        let month = first + rng.gen_range(0..3);
        let name = format!("党课：{}", one(rng, LECTURE_TOPICS));
        let on = workday(rng, year, month, 5, 25);
        let lecture = meeting(rng, on, "党课", name, unit, size, low);
        let lecture = roll(lecture, org, branch, size, &y, on);
        out.push(lecture.text("remark", format!("主讲人：{secretary}")));
    }
    for month in 1..=12u32 {
        let activity = one(rng, THEME_DAYS[month as usize - 1]);
        let name = format!("{month}月主题党日：{activity}");
        let on = workday(rng, year, month, 8, 22);
        let theme = meeting(rng, on, "主题党日", name, unit, size, low);
        out.push(roll(theme, org, branch, size, &y, on));
        if branch.committee_size > 0 && !quirks.skips_committee(b, year, month) {
            let name = format!("{month}月支委会：{}", one(rng, COMMITTEE_TOPICS));
            let on = workday(rng, year, month, 2, 12);
            let committee = meeting(
                rng,
                on,
                "支部委员会",
                name,
                unit,
                branch.committee_size,
                false,
            );
            out.push(roll(committee, org, branch, branch.committee_size, &y, on));
        }
        for group in &branch.groups {
            let name = format!("{month}月党小组会：{}", one(rng, GROUP_TOPICS));
            let on = workday(rng, year, month, 10, 27);
            out.push(meeting(
                rng,
                on,
                "党小组会",
                name,
                org.unit_name(group.unit),
                group.size,
                low,
            ));
        }
    }
    // The yearly review of the year before is held early in the year, the member review with it.
    let (life, review) = if y.first_pass() {
        (
            format!("{}年度组织生活会", year - 1),
            format!("{}年度民主评议党员", year - 1),
        )
    } else {
        (
            one(rng, LIFE_TOPICS).to_string(),
            format!("{}年民主评议党员（补充评议）", year),
        )
    };
    let month = rng.gen_range(1..=2);
    let on = workday(rng, year, month, 5, 20);
    let days = rng.gen_range(0..=3);
    let life = meeting(rng, on, "组织生活会", life, unit, size, low);
    out.push(roll(life, org, branch, size, &y, on));
    let review_on = on.checked_add_days(chrono::Days::new(days)).unwrap_or(on);
    let review = meeting(rng, review_on, "民主评议党员", review, unit, size, low);
    out.push(roll(review, org, branch, size, &y, review_on));
}

/// How far back from the demo's last day its branch meetings are recorded from the roster.
const ROLL_DAYS: u64 = 92;

/// Reasons of absence, given in turn.
const REASONS: [&str; 4] = ["公出", "病假", "事假", "其他"];

/// A recent branch meeting recorded from the roster: of its first `expected` members (the
/// committee comes first), as many attend as the draft counted, the others are absent; the
/// secretary hosts and the next present member keeps the minutes. Older meetings and those of
/// earlier years keep their typed counts, as imported history does.
fn roll(d: Draft, org: &Org, branch: &Branch, expected: usize, y: &Year, on: NaiveDate) -> Draft {
    let last = y
        .until
        .min(NaiveDate::from_ymd_opt(y.year, 12, 31).unwrap_or(y.until));
    let since = last
        .checked_sub_days(chrono::Days::new(ROLL_DAYS))
        .unwrap_or(last);
    let came = d.cells.iter().find_map(|(k, c)| match (k, c) {
        (&"attended", Cell::Number(n)) => Some(*n as usize),
        _ => None,
    });
    let (Some(came), true) = (
        came,
        y.is_last() && y.first_pass() && on > since && on <= last,
    ) else {
        return d;
    };
    let invited = &branch.members[..expected.min(branch.members.len())];
    if invited.len() < expected || came == 0 || came > expected {
        return d;
    }
    let name = |p: &usize| org.person_name(*p).to_owned();
    let present: Vec<String> = invited[..came].iter().map(name).collect();
    let absent: Vec<(String, &str)> = invited[came..]
        .iter()
        .enumerate()
        .map(|(i, p)| (name(p), REASONS[(i + on.day() as usize) % REASONS.len()]))
        .collect();
    let recorder = present.get(1).unwrap_or(&present[0]).clone();
    let mut d = d
        .text("place", "党员活动室")
        .text("host", org.person_name(branch.secretary()))
        .text("recorder", recorder)
        .text("attendees", join_people(&present));
    if !absent.is_empty() {
        d = d.text("absentees", join_absences(&absent));
    }
    d
}

fn committee_meetings(org: &Org, rng: &mut StdRng, y: Year, out: &mut Vec<Draft>) {
    let committee = org.unit_name(org.committee);
    let office_branch = org.unit_name(org.branches[org.branches.len() - 1].unit);
    let year = y.year;
    // Study weighs more each year: the first year falls short of half a reading per agenda
    // item ("重工作、轻学习"), the later ones do not.
    let readings = match y.index {
        0 => (1, 3),
        1 => (2, 4),
        _ => (2, 5),
    };
    let numbered_from = y.pass * 24;
    for month in 1..=12u32 {
        for half in 0..2u32 {
            let n = numbered_from + (month - 1) * 2 + half + 1;
            let on = if half == 0 {
                workday(rng, year, month, 3, 13)
            } else {
                workday(rng, year, month, 16, 27)
            };
            let party_topic = n % 3 == 1;
            let name = format!("党工委{year}年第{n}次会议");
            let mut d = meeting(
                rng,
                on,
                "党工委会议",
                name,
                committee,
                COMMITTEE_SIZE,
                false,
            )
            .text("is_party_topic", if party_topic { "是" } else { "否" })
            .number("topic_count", rng.gen_range(3..=8))
            .number("reading_count", rng.gen_range(readings.0..=readings.1));
            if party_topic {
                d = d.text("remark", format!("党建专题：{}", one(rng, PARTY_AGENDA)));
            }
            out.push(d);
            let name = format!("第一议题：{}", one(rng, STUDY_TOPICS));
            let first = meeting(
                rng,
                on,
                "第一议题学习",
                name,
                committee,
                COMMITTEE_SIZE,
                false,
            );
            out.push(first.number("reading_count", rng.gen_range(1..=2)));
        }
        let n = y.pass * 12 + month;
        let name = format!(
            "理论学习中心组{year}年第{n}次集体学习：{}",
            one(rng, STUDY_TOPICS)
        );
        let on = workday(rng, year, month, 8, 26);
        let study = meeting(
            rng,
            on,
            "中心组学习",
            name,
            committee,
            STUDY_GROUP_SIZE,
            false,
        );
        out.push(study.number("reading_count", rng.gen_range(2..=4)));
        if month % 2 == 0 {
            let name = format!("专题研讨：{}", one(rng, SEMINAR_TOPICS));
            let unit = if month % 4 == 0 {
                committee
            } else {
                office_branch
            };
            let on = workday(rng, year, month, 10, 27);
            let seminar = meeting(rng, on, "专题研讨", name, unit, STUDY_GROUP_SIZE + 3, false);
            out.push(seminar.number("reading_count", rng.gen_range(1..=3)));
        }
        if month % 3 == 0 {
            let unit = org.unit_name(org.departments[2]);
            let on = workday(rng, year, month, 5, 25);
            let expected = rng.gen_range(18..=30);
            let name = one(rng, FORUMS);
            out.push(meeting(rng, on, "座谈会", name, unit, expected, false));
        }
        if month == 5 || month == 10 {
            let unit = org.unit_name(org.departments[1]);
            let on = workday(rng, year, month, 5, 25);
            let expected = rng.gen_range(30..=60);
            let name = one(rng, TRAININGS);
            out.push(meeting(rng, on, "其他", name, unit, expected, false));
        }
    }
}

/// A meeting with its attendance.
fn meeting(
    rng: &mut StdRng,
    on: chrono::NaiveDate,
    meeting_type: &str,
    name: impl Into<String>,
    unit: &str,
    expected: usize,
    low: bool,
) -> Draft {
    let came = attended(rng, expected, low);
    Draft::new("meeting", "date", on)
        .text("meeting_type", meeting_type)
        .text("name", name)
        .text("org_unit", unit)
        .number("expected", expected as f64)
        .number("attended", came as f64)
}
