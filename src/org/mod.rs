//! The park's organisation: the park itself, its unit tree (党工委 down to 党小组, departments and
//! work groups), people with their posts over time, and enterprises with their paired leaders.

pub mod api;
pub mod ids;
pub mod pages;
pub mod park;
pub mod queries;
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

/// Finds the name in `candidates` closest to `name`, for "did you mean" messages.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_levenshtein(name, c), c))
        .filter(|(score, _)| *score > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_picks_the_closest_name() {
        let names = ["第一党支部", "第二党支部", "机关党支部"];
        assert_eq!(nearest("第一支部", names).as_deref(), Some("第一党支部"));
        assert_eq!(nearest("abc", []), None);
    }
}
