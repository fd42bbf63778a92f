//! A walk of the product as its users meet it: the demo park (several pages in every list),
//! signed in as each of its accounts in turn, following the links of every page from the 工作台
//! (each URL once, a few of each shape). Every answer is checked: no 5xx, no whole ID number or
//! mobile number on any page (every role sees them masked until it asks, audited, to see one),
//! personal pages not cached. At the end every page template of the binary has been rendered.
//!
//! Its own test binary, so that the templates counted are the ones this walk rendered.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot unwrap should fail loudly"
)]

#[allow(dead_code, reason = "the shared helpers serve the main suite too")]
#[path = "it/helpers.rs"]
mod helpers;

use std::collections::{BTreeSet, HashMap, VecDeque};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use helpers::{TestApp, PASSWORD};

/// Pages of one shape (the path with its numbers taken out, and the query's keys) visited per
/// account: enough to meet each kind of page with different data, few enough to stay quick.
const PER_SHAPE: usize = 3;
/// Pages visited per account at most.
const PER_ACCOUNT: usize = 400;

struct Answer {
    status: StatusCode,
    content_type: String,
    cache_control: String,
    body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> (Answer, axum::http::HeaderMap) {
    let res = taizhang::app::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = |h: header::HeaderName| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let content_type = text(header::CONTENT_TYPE);
    let cache_control = text(header::CACHE_CONTROL);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = if content_type.starts_with("text/html") {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        String::new()
    };
    (
        Answer {
            status,
            content_type,
            cache_control,
            body,
        },
        headers,
    )
}

async fn sign_in(app: &TestApp, login: &str) -> String {
    // The admin duties' second factor: the demo's secret. `admin` signs in as a person does, the
    // code typed on the second step's page; the others send it with the password.
    app.forget_spent_code(login).await;
    let code = helpers::totp_code();
    let two_steps = login == "admin";
    let body = if two_steps {
        format!("login={login}&password={PASSWORD}&next=%2F")
    } else {
        format!("login={login}&password={PASSWORD}&next=%2F&code={code}")
    };
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (a, headers) = send(app, req).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{login}: {}", a.body);
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let cookie = set.split(';').next().unwrap().to_string();
    if two_steps {
        let location = headers[header::LOCATION].to_str().unwrap().to_string();
        assert!(location.starts_with("/login/code"), "{location}");
        let req = Request::get(location.as_str())
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let (step, _) = send(app, req).await;
        assert_eq!(step.status, StatusCode::OK);
        let token = cookie.split_once('=').unwrap().1;
        let csrf = taizhang::web::ui::csrf_token(token);
        let req = Request::post("/login/code")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("_csrf={csrf}&code={code}&next=%2F")))
            .unwrap();
        let (done, _) = send(app, req).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{login}: {}", done.body);
    }
    cookie
}

/// The links of a page (at `base`) that stay inside the product, resolved as a browser does:
/// `href`s only (forms post, and sign-out is a form); static files and other sites are left.
fn links(base: &str, html: &str) -> Vec<String> {
    let base_path = base.split('?').next().unwrap_or(base);
    let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"") {
        rest = &rest[at + 6..];
        let Some(end) = rest.find('"') else { break };
        // Attribute values as the templates escape them.
        let link = rest[..end]
            .replace("&#x2f;", "/")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        rest = &rest[end..];
        let link = link.split('#').next().unwrap_or_default();
        let resolved = if link.is_empty() || link.contains(':') || link.starts_with("//") {
            continue;
        } else if link.starts_with('/') {
            link.to_string()
        } else if link.starts_with('?') {
            format!("{base_path}{link}")
        } else {
            format!("{dir}{link}")
        };
        if !resolved.starts_with("/static/") {
            out.push(resolved);
        }
    }
    out
}

/// The path with every number replaced, and the query's keys in order: pages of one shape are
/// the same page with other data.
fn shape(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let path: String = path
        .split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                "N"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    format!("{path}?{}", keys.join("&"))
}

/// Whole ID numbers (18 characters with a valid check digit and birth date) and mobile numbers
/// (11 digits) found as separate runs of digits in the text; long hex tokens are skipped.
fn personal_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let digits = word.trim_end_matches(['X', 'x']);
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let id_number = word.len() == 18 && taizhang::org::ids::IdNumber::parse(&word).is_ok();
        let mobile = word.len() == 11
            && word.starts_with('1')
            && taizhang::org::ids::Phone::parse(&word).is_ok();
        if id_number || mobile {
            found.push(word);
        }
    }
    found
}

#[tokio::test]
async fn every_account_walks_the_demo_without_a_server_error_or_a_whole_personal_number() {
    let (app, logins) = TestApp::demo(2025).await;
    assert!(logins.len() >= 8, "{logins:?}");
    let mut problems = Vec::new();
    let mut visited_total = 0;
    let (login_page, _) = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(login_page.status, StatusCode::OK);
    for login in &logins {
        let cookie = sign_in(&app, login).await;
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut shapes: HashMap<String, usize> = HashMap::new();
        let mut queue: VecDeque<String> = VecDeque::from(["/".to_string()]);
        let mut visited = 0;
        while let Some(url) = queue.pop_front() {
            if visited >= PER_ACCOUNT {
                break;
            }
            if !seen.insert(url.clone()) {
                continue;
            }
            let n = shapes.entry(shape(&url)).or_default();
            if *n >= PER_SHAPE {
                continue;
            }
            *n += 1;
            visited += 1;
            let req = Request::get(&url)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap();
            let (a, headers) = send(&app, req).await;
            // Where LibreOffice is not installed, a PDF is the documented 503 naming what to
            // install, not a fault; where it is, the PDF must come.
            let no_office = a.status == StatusCode::SERVICE_UNAVAILABLE
                && url.contains("format=pdf")
                && !taizhang::report::pdf::available();
            if a.status.is_server_error() && !no_office {
                problems.push(format!("{login} GET {url}: {}", a.status));
                continue;
            }
            if a.status.is_redirection() {
                let to = headers.get(header::LOCATION).and_then(|v| v.to_str().ok());
                if let Some(to) = to.filter(|t| t.starts_with('/')) {
                    queue.push_front(to.to_string());
                }
                continue;
            }
            let numbers = personal_numbers(&a.body);
            if !numbers.is_empty() {
                problems.push(format!("{login} GET {url}: whole numbers {numbers:?}"));
            }
            if a.status.is_success()
                && (url.starts_with("/org") || url.starts_with("/audit"))
                && a.cache_control != "no-store"
            {
                problems.push(format!(
                    "{login} GET {url}: Cache-Control {:?}, not no-store",
                    a.cache_control
                ));
            }
            if a.content_type.starts_with("text/html") {
                for link in links(&url, &a.body) {
                    if !seen.contains(&link) {
                        queue.push_back(link);
                    }
                }
            }
        }
        assert!(
            visited >= 2,
            "{login} reached only {visited} pages: {seen:?}"
        );
        // A record that is not there is a 404 page, not a server error.
        let req = Request::get("/records/999999999")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let (a, _) = send(&app, req).await;
        assert!(
            matches!(a.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{login}: {}",
            a.status
        );
        visited_total += visited;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let rendered = taizhang::web::ui::rendered_templates();
    let missing: Vec<&str> = taizhang::web::ui::template_names()
        .into_iter()
        .filter(|t| !rendered.contains(*t))
        .collect();
    assert!(
        missing.is_empty(),
        "after {visited_total} pages, templates never rendered: {missing:?}"
    );
}

#[test]
fn the_number_check_finds_whole_numbers_and_passes_masked_ones() {
    assert_eq!(
        personal_numbers("<td>11010519491231002X</td><td>13812345678</td>"),
        ["11010519491231002X", "13812345678"]
    );
    assert!(personal_numbers("<td>110105********002X</td><td>138****5678</td>").is_empty());
    // Inside a token or a longer number they are not numbers of a person.
    assert!(personal_numbers("a13812345678b 913812345678 0x13812345678").is_empty());
    assert_eq!(
        shape("/records/12/edit?year=2024&page=2"),
        "/records/N/edit?page&year"
    );
    assert_eq!(
        links(
            "/report?year=2024",
            "<a href=\"records?metric=m&amp;year=2024\"></a><a href=\"?year=2023\"></a>\
             <a href=\"&#x2f;org\"></a><a href=\"https://x.cn/\"></a><a href=\"/static/app.css\"></a>"
        ),
        ["/records?metric=m&year=2024", "/report?year=2023", "/org"]
    );
}
