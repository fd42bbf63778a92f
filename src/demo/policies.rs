//! The demo's 惠企政策: four policies a year over the demo's three years, each pushed on its day
//! to the enterprises whose profile fits (普惠), and read by most of them within a week. The
//! enterprises' tags come from their place in the plan (`roster::demo_tags`); nothing here
//! draws from the generator, so no other figure of the demo changes.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::db::Tx;
use crate::error::AppError;
use crate::policies::queries::{self, NewPolicy, PushBatch};
use crate::policies::{Conditions, Profile, UNIVERSAL};

/// (level, issuer, title, summary, tags, scales, month and day of the push)
type Template = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    (u32, u32),
);

const TEMPLATES: [Template; 4] = [
    (
        "国家",
        "工业和信息化部",
        "关于支持专精特新中小企业高质量发展的通知",
        "对专精特新中小企业在研发投入、首台套应用和融资增信方面给予支持。",
        &["专精特新"],
        &[],
        (3, 14),
    ),
    (
        "省",
        "省科学技术厅",
        "高新技术企业和科技型中小企业培育奖励办法",
        "首次认定的高新技术企业和入库的科技型中小企业，按规定给予一次性奖励。",
        &["高新技术企业", "科技型中小企业"],
        &[],
        (5, 20),
    ),
    (
        "市",
        "市工业和信息化局",
        "规上工业企业技术改造补助实施细则",
        "规模以上工业企业实施技术改造，设备投资额达到标准的按比例给予补助。",
        &[],
        &["规上"],
        (8, 12),
    ),
    (
        "区",
        "区人力资源和社会保障局",
        "稳岗扩岗就业补贴申领指南",
        "面向园区全部企业：吸纳高校毕业生和就业困难人员就业的，按人数给予补贴。",
        &[],
        &[],
        (10, 16),
    ),
];

/// Inserts the policies of the three years up to `year`, pushes dated on or before `end`, and
/// their reading. `qiye` is the enterprise of the demo's 企业用户 (`reader`), whose reading is
/// its own; the others' is the contact's. Returns how many pushes were written.
pub async fn insert(
    tx: &mut Tx,
    park_id: i64,
    year: i32,
    end: NaiveDate,
    qiye: i64,
    reader: (i64, &str),
) -> Result<u64, AppError> {
    let profiles = queries::profiles(tx, park_id).await?;
    let mut written = 0;
    for y in year - 2..=year {
        for (j, (level, issuer, title, summary, tags, scales, (month, day))) in
            TEMPLATES.iter().enumerate()
        {
            let Some(pushed_on) = NaiveDate::from_ymd_opt(y, *month, *day) else {
                continue;
            };
            if pushed_on > end {
                continue;
            }
            let list = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
            let conditions = Conditions {
                industries: Vec::new(),
                scales: list(scales),
                tags: list(tags),
            };
            let doc_number = format!("示例〔{y}〕{}号", 10 + j);
            let title = format!("{title}（{y}年）");
            let policy = NewPolicy {
                title: &title,
                level,
                issuer,
                doc_number: &doc_number,
                issued_on: pushed_on - Duration::days(7),
                valid_until: NaiveDate::from_ymd_opt(y + 1, 12, 31),
                summary,
                full_text: "",
                industries: String::new(),
                scales: conditions.scales.join(","),
                tags: conditions.tags.join(","),
            };
            let at = noon(pushed_on);
            let id = queries::insert(tx, park_id, &policy, None, at).await?;
            let matched: Vec<(i64, String)> = profiles
                .iter()
                .filter_map(|p| {
                    let profile = Profile {
                        industry: p.industry.clone(),
                        scale: p.scale.clone(),
                        tags: crate::org::stored_list(&p.tags),
                    };
                    conditions.reason(&profile).map(|r| (p.id, r))
                })
                .collect();
            let batch = PushBatch {
                policy_id: id,
                mode: UNIVERSAL,
                pushed_on,
                pushed_at: at,
                pushed_by: None,
            };
            written += queries::insert_pushes(tx, park_id, &batch, &matched).await?;
            // Most enterprises open a push within a week; every third (by place) does not.
            for (i, (enterprise, _)) in matched.iter().enumerate() {
                let place = i + j + usize::try_from(y).unwrap_or_default();
                if place % 3 == 0 {
                    continue;
                }
                let offset = i64::try_from(place % 6 + 1).unwrap_or(1);
                let read_on = pushed_on + Duration::days(offset);
                if read_on > end {
                    continue;
                }
                let who = if *enterprise == qiye {
                    (Some(reader.0), reader.1)
                } else {
                    (None, "企业联系人")
                };
                queries::mark_read_of(tx, park_id, id, *enterprise, who, noon(read_on)).await?;
            }
        }
    }
    Ok(written)
}

/// 12:00 at the park (UTC+8) on `day`.
fn noon(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(4, 0, 0).unwrap_or_default())
}
