//! 包联 and visits (暖企行动): each leader's paired enterprises (企业名录's 包联领导), the visits
//! (走访台账 records) made to them, whether a visit's 走访人 is the enterprise's paired leader
//! ("非包联企业" when not), and the problems a visit raised (one a line of 反映问题), each of
//! which becomes an enterprise request from the record's page
//! (`requests::service::raise_from_visit`). The 包联 coverage rule (`visit_coverage`) lives with
//! the other rule checks (`rules`) and reads the same rows (`queries`).
//!
//! An account acts for a person through `users.person_id` (the demo ties each working account to
//! its roster entry; accounts made on the web or the command line have none until linked): a
//! leader's paired enterprises are those whose `leader_person_id` is that person, or, where the
//! roster link is missing, whose `leader_name` is that person's name.

pub mod api;
pub mod pages;
pub mod queries;
pub mod service;

use serde_json::Value as Json;

/// The ledger kind of a visit, and the fields this area reads.
pub const VISIT_KIND: &str = "visit";
pub const VISITOR_FIELD: &str = "visitor";
pub const PROBLEMS_FIELD: &str = "problems";

/// The mark of a visit whose 走访人 does not include the enterprise's paired leader.
pub const UNPAIRED_MARK: &str = "非包联企业";

/// A request's title made from a problem line: at most this many characters of it.
const TITLE_CHARS: usize = 40;

/// The names a 走访人 value holds: people are written one after another, separated by 、, commas,
/// semicolons, slashes or spaces.
pub fn visitor_names(visitor: &str) -> Vec<&str> {
    visitor
        .split(['、', ',', '，', ';', '；', '/', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect()
}

/// Whether a visit by `visitor` is one by the enterprise's paired leader (`leader`): false when
/// the enterprise has no 包联领导 or the leader is not among the visitors.
pub fn is_paired(visitor: &str, leader: Option<&str>) -> bool {
    match leader.map(str::trim).filter(|l| !l.is_empty()) {
        Some(leader) => visitor_names(visitor).contains(&leader),
        None => false,
    }
}

/// The problems a visit raised, one a line of its 反映问题, blank lines left out and a leading
/// list mark (`1.`, `2、`, `（3）`, `-`, `•`) taken off.
pub fn problem_lines(value: Option<&Json>) -> Vec<String> {
    let Some(Json::String(text)) = value else {
        return Vec::new();
    };
    text.lines()
        .map(strip_list_mark)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn strip_list_mark(line: &str) -> &str {
    let line = line.trim();
    let bullet = line.trim_start_matches(['-', '•', '·', '*']);
    if bullet.len() != line.len() {
        return bullet.trim();
    }
    let inner = line
        .strip_prefix(['(', '（'])
        .map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
        .and_then(|rest| rest.strip_prefix([')', '）']));
    if let Some(rest) = inner.filter(|r| r.len() + 2 < line.len()) {
        return rest.trim();
    }
    let digits = line.trim_start_matches(|c: char| c.is_ascii_digit());
    if digits.len() != line.len() {
        if let Some(rest) = digits.strip_prefix(['.', '、', '．', ')', '）']) {
            return rest.trim();
        }
    }
    line
}

/// A request's title for a problem line: the line, cut at `TITLE_CHARS` characters with "…".
pub fn request_title(line: &str) -> String {
    if line.chars().count() <= TITLE_CHARS {
        line.to_string()
    } else {
        let cut: String = line.chars().take(TITLE_CHARS).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_visit_is_paired_when_its_leader_is_among_the_visitors() {
        assert!(is_paired("张三", Some("张三")));
        assert!(is_paired("李四、张三", Some("张三")));
        assert!(is_paired("李四，张三 王五", Some(" 张三 ")));
        assert!(!is_paired("张三丰", Some("张三")));
        assert!(!is_paired("李四", Some("张三")));
        assert!(!is_paired("张三", None));
        assert!(!is_paired("张三", Some("")));
    }

    #[test]
    fn problems_are_the_lines_without_their_list_marks() {
        let text = json!("1. 用电报装慢\n\n2、招工难\n（3）融资贵\n- 道路积水\n2024年停车难\n  ");
        assert_eq!(
            problem_lines(Some(&text)),
            ["用电报装慢", "招工难", "融资贵", "道路积水", "2024年停车难"]
        );
        assert!(problem_lines(None).is_empty());
        assert!(problem_lines(Some(&Json::Null)).is_empty());
    }

    #[test]
    fn a_long_problem_is_cut_for_the_title() {
        assert_eq!(request_title("招工难"), "招工难");
        let long = "很".repeat(50);
        let title = request_title(&long);
        assert_eq!(title.chars().count(), TITLE_CHARS + 1);
        assert!(title.ends_with('…'));
    }
}
