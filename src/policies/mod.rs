//! 惠企政策: the park's policy library and the policies pushed to the enterprises they fit.
//!
//! A policy carries its conditions on an enterprise's industry, scale and qualification tags
//! (资质标签, which the park defines: `org::queries::qualification_tags`): every condition must
//! hold (AND across the three), any listed value satisfies one (OR within one), and an empty one
//! holds for every enterprise. A push (推送) writes one row per enterprise with the reason it
//! matched: 普惠 to every enterprise that fits, 专属 to the ones chosen; pushing again reaches
//! only the enterprises not yet reached. An enterprise reads its own pushes (我的政策), and the
//! first time one is opened is its read receipt (who, when), which `policy_read_rate` counts.

pub mod api;
pub mod pages;
pub mod queries;
pub mod service;

/// The levels a policy is issued at.
pub const LEVELS: [&str; 4] = ["国家", "省", "市", "区"];

/// 普惠: every enterprise whose profile fits the policy's conditions.
pub const UNIVERSAL: &str = "universal";
/// 专属: the enterprises the park chose.
pub const EXCLUSIVE: &str = "exclusive";

/// The label of a push mode.
pub fn mode_label(mode: &str) -> &'static str {
    match mode {
        EXCLUSIVE => "专属",
        _ => "普惠",
    }
}

/// A policy's conditions on an enterprise profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conditions {
    pub industries: Vec<String>,
    pub scales: Vec<String>,
    pub tags: Vec<String>,
}

/// What matching reads of an enterprise.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub industry: Option<String>,
    pub scale: Option<String>,
    pub tags: Vec<String>,
}

impl Conditions {
    /// Why an enterprise with `profile` fits ("资质：专精特新；行业：制造业"), or `None` when it
    /// does not: each condition given must hold; a policy without conditions fits everyone.
    pub fn reason(&self, profile: &Profile) -> Option<String> {
        let mut parts = Vec::new();
        if !self.tags.is_empty() {
            let held: Vec<&str> = self
                .tags
                .iter()
                .filter(|t| profile.tags.contains(t))
                .map(String::as_str)
                .collect();
            if held.is_empty() {
                return None;
            }
            parts.push(format!("资质：{}", held.join("、")));
        }
        if !self.industries.is_empty() {
            let industry = profile
                .industry
                .as_deref()
                .filter(|i| self.industries.iter().any(|x| x == i))?;
            parts.push(format!("行业：{industry}"));
        }
        if !self.scales.is_empty() {
            let scale = profile
                .scale
                .as_deref()
                .filter(|s| self.scales.iter().any(|x| x == s))?;
            parts.push(format!("规模：{scale}"));
        }
        if parts.is_empty() {
            Some("普惠：面向园区全部企业".to_string())
        } else {
            Some(parts.join("；"))
        }
    }
}

/// The reason stored with a 专属 push: chosen by the park, and what of the conditions it meets.
pub fn exclusive_reason(conditions: &Conditions, profile: &Profile) -> String {
    match conditions.reason(profile) {
        Some(r) if !r.starts_with("普惠") => format!("专属：园区指定推送；{r}"),
        _ => "专属：园区指定推送".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(industry: &str, scale: &str, tags: &[&str]) -> Profile {
        Profile {
            industry: Some(industry.to_string()),
            scale: Some(scale.to_string()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn every_condition_must_hold_and_any_value_within_one() {
        let c = Conditions {
            industries: list(&["制造业", "信息技术"]),
            scales: Vec::new(),
            tags: list(&["专精特新", "高新技术企业"]),
        };
        assert_eq!(
            c.reason(&profile("制造业", "规上", &["专精特新"]))
                .as_deref(),
            Some("资质：专精特新；行业：制造业")
        );
        assert_eq!(
            c.reason(&profile("信息技术", "小微", &["高新技术企业", "专精特新"]))
                .as_deref(),
            Some("资质：专精特新、高新技术企业；行业：信息技术")
        );
        assert_eq!(c.reason(&profile("制造业", "规上", &["规上企业"])), None);
        assert_eq!(c.reason(&profile("商贸", "规上", &["专精特新"])), None);
        let untold = Profile {
            tags: list(&["专精特新"]),
            ..Profile::default()
        };
        assert_eq!(c.reason(&untold), None);
    }

    #[test]
    fn a_policy_without_conditions_fits_everyone() {
        let c = Conditions::default();
        assert_eq!(
            c.reason(&Profile::default()).as_deref(),
            Some("普惠：面向园区全部企业")
        );
        assert_eq!(
            exclusive_reason(&c, &Profile::default()),
            "专属：园区指定推送"
        );
        let scaled = Conditions {
            scales: list(&["规上"]),
            ..Conditions::default()
        };
        assert_eq!(
            exclusive_reason(&scaled, &profile("制造业", "规上", &[])),
            "专属：园区指定推送；规模：规上"
        );
    }
}
