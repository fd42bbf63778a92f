//! The layers hold: the web's plumbing imports no area (the composition root, `src/app`, is
//! the one place that knows them all), so a new area is added there and nowhere in `src/web`.

use std::path::Path;

/// The areas above the web. Of `auth`, the web uses only the identity it resolves (the
/// principal and the session check), as it uses the database.
const AREAS: [&str; 10] = [
    "app", "audit", "cli", "demo", "excel", "ledger", "org", "report", "rules", "tasks",
];
const FROM_AUTH: [&str; 2] = [
    "crate::auth::Principal",
    "crate::auth::{service, Principal}",
];

/// The lines of a source text that import an area, by line number.
fn area_imports(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let path_text = &rest[at..];
            let area = path_text["crate::".len()..]
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .next()
                .unwrap_or("");
            let allowed_auth = FROM_AUTH.iter().any(|a| path_text.starts_with(a));
            if AREAS.contains(&area) || (area == "auth" && !allowed_auth) {
                found.push((i + 1, line.to_string()));
                break;
            }
            rest = &rest[at + 7..];
        }
    }
    found
}

#[test]
fn the_web_imports_no_area() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut found = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for (no, line) in area_imports(&text) {
            found.push(format!("{}:{no}: {line}", path.display()));
        }
    }
    assert!(files >= 8, "{files}");
    assert!(
        found.is_empty(),
        "the web imports an area:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_an_import_of_an_area() {
    let text = "use crate::db::Db;\nuse crate::ledger::service;\n// crate::tasks in a comment\n\
                let p: crate::auth::Principal;\nlet x = crate::auth::pages::router();";
    let lines: Vec<usize> = area_imports(text).into_iter().map(|(no, _)| no).collect();
    assert_eq!(lines, [2, 5]);
}

/// The names of the operator's unchecked account paths a file uses, by line number.
fn operator_calls(text: &str) -> Vec<usize> {
    const UNCHECKED: [&str; 6] = [
        "operator::",
        "insert_user(",
        "prepare_user(",
        "set_password(",
        "set_locked(",
        "create_user(",
    ];
    // A whole name: `reset_password(` is not `set_password(`.
    let calls = |line: &str, name: &str| {
        line.match_indices(name)
            .any(|(at, _)| !line[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .filter(|(_, l)| UNCHECKED.iter().any(|u| calls(l, u)))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Account writes from the web and the API go through the checked services (`*_as`): the
/// operator's unchecked paths (`auth::operator`) are for the command line and the demo only.
#[test]
fn the_faces_write_accounts_only_through_the_checked_services() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    crate::route_rows::rust_files(&root, &mut files);
    let operator_side = |p: &Path| {
        let rel = p
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        rel.starts_with("cli/")
            || rel.starts_with("demo/")
            // A new park and its first 系统管理员 (`taizhang init`, the demo).
            || rel == "org/park.rs"
            || [
                "auth/operator.rs",
                "auth/service.rs",
                "auth/credentials.rs",
                "auth/queries.rs",
            ]
            .contains(&rel.as_str())
    };
    let mut found = Vec::new();
    let mut faces = 0;
    for file in files.iter().filter(|f| !operator_side(f)) {
        faces += 1;
        let text = std::fs::read_to_string(file).unwrap();
        for no in operator_calls(&text) {
            found.push(format!("{}:{no}", file.display()));
        }
    }
    assert!(faces > 50, "{faces}");
    assert!(
        found.is_empty(),
        "unchecked account paths called from:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_operator_check_sees_an_unchecked_call() {
    let text = "service::set_locked_as(&db, &p, id, true, now)\n\
                // operator::set_locked in a comment\n\
                crate::auth::operator::set_locked(&db, 1, &a, id, true, now)\n\
                async fn reset_password(\n\
                set_password(&db, 1, &a, &u, pw, by, now)";
    assert_eq!(operator_calls(text), [3, 5]);
}

/// The longest unit-test module kept inline at the end of its file; a longer one lives beside
/// it in `NAME_tests.rs`, included with `#[cfg(test)] #[path = "NAME_tests.rs"] mod tests;`.
const INLINE_TESTS_MAX: usize = 150;

/// Where one file breaks the unit-test convention, if it does.
fn test_convention_breach(path: &Path, text: &str, siblings: &[String]) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if let Some(stem) = name.strip_suffix("_tests.rs") {
        let owner = path.with_file_name(format!("{stem}.rs"));
        let included = std::fs::read_to_string(&owner)
            .is_ok_and(|t| t.contains(&format!("#[path = \"{name}\"]")));
        return (!included).then(|| format!("{name} is not included by {stem}.rs with #[path]"));
    }
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| *l == "mod tests {")?;
    let inline = lines.len() - start;
    let sibling = format!("{}_tests.rs", name.trim_end_matches(".rs"));
    if siblings.contains(&sibling) {
        return Some(format!("{name} has inline tests and {sibling} beside it"));
    }
    (inline > INLINE_TESTS_MAX).then(|| {
        format!(
            "{name}: {inline} lines of inline tests; past {INLINE_TESTS_MAX} they go to {sibling}"
        )
    })
}

#[test]
fn unit_tests_are_inline_when_short_and_beside_their_file_when_long() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    crate::route_rows::rust_files(&root, &mut files);
    let mut breaches = Vec::new();
    for path in &files {
        let siblings: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        let text = std::fs::read_to_string(path).unwrap();
        if let Some(b) = test_convention_breach(path, &text, &siblings) {
            breaches.push(b);
        }
    }
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}

#[test]
fn the_test_convention_check_sees_a_long_inline_module() {
    let long = format!(
        "fn f() {{}}\nmod tests {{\n{}}}\n",
        "    #[test]\n".repeat(200)
    );
    let breach = test_convention_breach(Path::new("src/x/long.rs"), &long, &[]);
    assert!(breach.is_some_and(|b| b.contains("long_tests.rs")));
    let short = "fn f() {}\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
    assert_eq!(
        test_convention_breach(Path::new("src/x/short.rs"), short, &[]),
        None
    );
}
