//! The park's organisation: the park itself, its unit tree (党工委 down to 党小组, departments and
//! work groups), people with their posts over time, and enterprises with their paired leaders.

pub mod api;
pub mod ids;
pub mod pages;
pub mod park;
pub mod queries;
pub mod sealed;
pub mod service;

pub use queries::{Enterprise, Park, Person, Position, Unit};

/// The unit types of the tree, in order from the top.
pub const UNIT_TYPES: [&str; 7] = [
    "党工委",
    "党委",
    "党总支",
    "党支部",
    "党小组",
    "部门",
    "工作组",
];

/// The qualification tags (资质标签) a new park starts with; the park edits its own list.
pub const DEFAULT_TAGS: [&str; 5] = [
    "高新技术企业",
    "专精特新",
    "科技型中小企业",
    "规上企业",
    "瞪羚企业",
];

/// Splits a typed list ("专精特新，高新技术企业、规上企业") into its items: commas (half- or
/// full-width), 、 and semicolons separate them; blanks and repeats are dropped, order kept.
pub fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split([',', '，', '、', ';', '；', '\n']) {
        let item = crate::ledger::value::normalize_text(item);
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The items of a stored comma-separated list (`split_list` joined by `,`).
pub fn stored_list(text: &str) -> Vec<String> {
    split_list(text)
}

/// The first of `names` that is not one of the park's `defined` tags, as the refusal names it.
pub fn undefined_tag<'a>(names: &'a [String], defined: &[String]) -> Option<&'a str> {
    names
        .iter()
        .find(|n| !defined.contains(n))
        .map(String::as_str)
}

/// The refusal of a tag the park has not defined, naming it and the tags it has.
pub fn undefined_tag_message(tag: &str, defined: &[String]) -> String {
    if defined.is_empty() {
        format!("“{tag}”不是本园区定义的资质标签：本园区尚未定义资质标签")
    } else {
        format!(
            "“{tag}”不是本园区定义的资质标签；可选：{}",
            defined.join("、")
        )
    }
}

/// Finds the name in `candidates` closest to `name`, for "did you mean" messages. An
/// abbreviation ("新川生物党支部") finds the full name that holds its characters in order
/// ("新川生物科技有限公司党支部"), one of the same unit type first (a 党支部, not the 党小组 below
/// it), the shortest such; otherwise the most similar name. Ties go to the name that sorts
/// first, so the same typing gets the same answer on the page and in the marked workbook.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let suffix = UNIT_TYPES.iter().find(|t| name.ends_with(*t));
    let score = |c: &str| {
        let abbreviates = is_subsequence(name, c);
        let same_type = suffix.is_some_and(|t| c.ends_with(t));
        let similar = strsim::normalized_levenshtein(name, c);
        (
            abbreviates,
            same_type,
            similar,
            std::cmp::Reverse(c.chars().count()),
        )
    };
    candidates
        .into_iter()
        .map(|c| (score(c), c))
        .filter(|(s, _)| s.0 || s.2 > 0.0)
        .max_by(|(a, an), (b, bn)| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then(a.2.total_cmp(&b.2))
                .then(a.3.cmp(&b.3))
                .then(bn.cmp(an))
        })
        .map(|(_, c)| c.to_string())
}

/// True when every character of `short` appears in `long`, in order.
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    !short.is_empty() && short.chars().all(|c| rest.any(|l| l == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_list_splits_on_every_separator() {
        assert_eq!(
            split_list(" 专精特新，高新技术企业、规上企业, 专精特新;;"),
            ["专精特新", "高新技术企业", "规上企业"]
        );
        assert!(split_list(" ，、").is_empty());
        let defined = split_list("专精特新,规上企业");
        assert_eq!(
            undefined_tag(&split_list("规上企业,独角兽"), &defined),
            Some("独角兽")
        );
        assert_eq!(undefined_tag(&split_list("规上企业"), &defined), None);
    }

    #[test]
    fn nearest_picks_the_closest_name() {
        let names = ["第一党支部", "第二党支部", "机关党支部"];
        assert_eq!(nearest("第一支部", names).as_deref(), Some("第一党支部"));
        assert_eq!(nearest("abc", []), None);
    }

    #[test]
    fn an_abbreviation_finds_the_full_name_of_the_same_unit_type() {
        let names = [
            "新川生物科技有限公司党支部第一党小组",
            "新川生物科技有限公司党支部",
            "新川机械党支部",
        ];
        for order in [names, [names[2], names[1], names[0]]] {
            assert_eq!(
                nearest("新川生物党支部", order).as_deref(),
                Some("新川生物科技有限公司党支部")
            );
        }
        assert_eq!(
            nearest("新川生物第一党小组", names).as_deref(),
            Some("新川生物科技有限公司党支部第一党小组")
        );
    }

    #[test]
    fn ties_go_to_the_same_name_whatever_the_order() {
        let a = ["甲一党支部", "甲二党支部"];
        let b = ["甲二党支部", "甲一党支部"];
        assert_eq!(nearest("甲三党支部", a), nearest("甲三党支部", b));
    }
}
