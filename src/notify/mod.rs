//! 通知: in-app notices for every party, and messages to the park's robots (企业微信群机器人,
//! 钉钉自定义机器人) through an outbox. A notice or an outbox message is written in the same
//! transaction as the write that causes it (a new request, a step the enterprise should know,
//! a message from the team), so it is never lost nor sent for a write that failed. The deadline
//! reminders (催办 and 逾期) come from a periodic scan ([`service::scan`]); the outbox is
//! emptied by a delivery worker ([`outbox::deliver_due`]), never by the request's write.
//!
//! This module is the pure part: the kinds of notice and of robot, the events a robot may get,
//! the bodies the two robots expect, 钉钉's signature, and the back-off between attempts.

pub mod api;
pub mod outbox;
pub mod pages;
pub mod queries;
pub mod service;

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;

/// What a notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A new request, to the 园小二 team.
    NewRequest,
    /// A step of a request the enterprise should know (受理, 退回, 答复, 办结, 延期, 重办 …).
    Progress,
    /// A message from the team in a request's thread, to the enterprise.
    Message,
    /// 催办: a deadline with less than 30% of its time left.
    NearDeadline,
    /// A deadline passed.
    Overdue,
    /// An escalation to a group or team leader.
    Escalation,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::NewRequest => "new_request",
            NoticeKind::Progress => "progress",
            NoticeKind::Message => "message",
            NoticeKind::NearDeadline => "near_deadline",
            NoticeKind::Overdue => "overdue",
            NoticeKind::Escalation => "escalation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::NewRequest => "新诉求",
            NoticeKind::Progress => "办理进展",
            NoticeKind::Message => "留言",
            NoticeKind::NearDeadline => "催办",
            NoticeKind::Overdue => "逾期",
            NoticeKind::Escalation => "督办",
        }
    }

    pub fn label_of(stored: &str) -> &'static str {
        [
            NoticeKind::NewRequest,
            NoticeKind::Progress,
            NoticeKind::Message,
            NoticeKind::NearDeadline,
            NoticeKind::Overdue,
            NoticeKind::Escalation,
        ]
        .into_iter()
        .find(|k| k.as_str() == stored)
        .map_or("通知", NoticeKind::label)
    }
}

/// The events a robot may be given, with their labels.
pub const EVENTS: [(&str, &str); 3] = [
    ("new_request", "新诉求"),
    ("near_deadline", "临近时限（催办）"),
    ("overdue", "逾期"),
];

/// The two robots the park can post to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RobotKind {
    /// 企业微信群机器人.
    Wecom,
    /// 钉钉自定义机器人 (with 加签).
    Dingtalk,
}

impl RobotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RobotKind::Wecom => "wecom",
            RobotKind::Dingtalk => "dingtalk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RobotKind::Wecom => "企业微信群机器人",
            RobotKind::Dingtalk => "钉钉自定义机器人",
        }
    }

    pub fn parse(s: &str) -> Option<RobotKind> {
        [RobotKind::Wecom, RobotKind::Dingtalk]
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }

    /// The JSON body of a markdown message, as the robot documents it.
    pub fn body(self, title: &str, text: &str) -> serde_json::Value {
        match self {
            RobotKind::Wecom => serde_json::json!({
                "msgtype": "markdown",
                "markdown": { "content": format!("**{title}**\n{text}") },
            }),
            RobotKind::Dingtalk => serde_json::json!({
                "msgtype": "markdown",
                "markdown": { "title": title, "text": format!("#### {title}\n{text}") },
            }),
        }
    }
}

/// 钉钉's 加签: HMAC-SHA256 of `timestamp + "\n" + secret` under the secret, in base64, then
/// URL-encoded, as the query `&timestamp=…&sign=…` appended to the webhook URL.
pub fn dingtalk_query(secret: &str, timestamp_ms: i64) -> String {
    let Ok(mut m) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC accepts a key of any length")
    };
    m.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let sign = base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes());
    let encoded = serde_urlencoded::to_string([("sign", sign)]).unwrap_or_default();
    format!("timestamp={timestamp_ms}&{encoded}")
}

/// The wait before attempt `n + 1` after `n` failed ones: 30 s, 1, 2, 4 … minutes, at most
/// an hour.
pub fn backoff(failed: i64) -> Duration {
    let exp = u32::try_from(failed.clamp(1, 16) - 1).unwrap_or(0);
    let secs = 30u64.saturating_mul(1u64 << exp);
    Duration::from_secs(secs.min(3600))
}

/// How many attempts a message gets before it is marked 失败 (the 党建办 may 重发 it).
pub const MAX_ATTEMPTS: i64 = 12;

/// At most this many messages a minute go to one robot (the documented limit of both).
pub const PER_MINUTE: i64 = 20;

/// How long one delivery may take before it counts as failed.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The host of a webhook URL, the one part of it a page shows (the path and query carry the
/// robot's key or token).
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    (!host.is_empty()).then(|| host.to_string())
}

/// The hosts of the public 企业微信 group robot and 钉钉 custom robot: the only ones a robot
/// may post to unless `robot_hosts` is configured.
pub const OFFICIAL_ROBOT_HOSTS: [&str; 2] = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"];

/// Whether a webhook URL may be stored and posted to: its host (as the HTTP client reads it)
/// one of `hosts`, over HTTPS; plain HTTP only to a loopback host that `hosts` lists (a
/// receiver on this machine, as in tests).
pub fn url_allowed(url: &str, hosts: &[String]) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = parsed.host_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return false;
    }
    let listed = hosts.iter().any(|h| h.eq_ignore_ascii_case(&host));
    match parsed.scheme() {
        "https" => listed,
        "http" => listed && matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]"),
        _ => false,
    }
}

/// Why a webhook URL is refused, naming the hosts allowed.
pub fn hosts_refusal(hosts: &[String]) -> String {
    format!(
        "Webhook 地址须为 https 地址，且域名为以下之一：{}（企业微信群机器人、钉钉自定义机器人）",
        hosts.join("、")
    )
}

/// An error text with the webhook URL's secret parts left out: every occurrence of the URL, its
/// query and its path replaced.
pub fn scrub(error: &str, url: &str) -> String {
    let mut out = error.to_string();
    let mut secrets = vec![url.to_string()];
    if let Some((before, query)) = url.split_once('?') {
        secrets.push(query.to_string());
        secrets.push(before.to_string());
    }
    for s in secrets.into_iter().filter(|s| s.len() > 8) {
        out = out.replace(&s, "（机器人地址）");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dingtalk_signature_follows_the_documented_recipe() {
        let q = dingtalk_query("SECabc", 1_700_000_000_000);
        let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(b"SECabc").expect("key");
        m.update(b"1700000000000\nSECabc");
        let sign = base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes());
        let want = serde_urlencoded::to_string([("timestamp", "1700000000000"), ("sign", &sign)])
            .expect("encoded");
        assert_eq!(q, want);
        assert!(!q.contains('+') && !q.contains('/'), "{q}");
    }

    #[test]
    fn back_off_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(3), Duration::from_secs(120));
        assert_eq!(backoff(12), Duration::from_secs(3600));
    }

    #[test]
    fn only_the_host_of_a_webhook_is_shown_and_plain_http_only_on_the_loopback() {
        let url = "https://oapi.dingtalk.com/robot/send?access_token=abc123";
        assert_eq!(url_host(url).as_deref(), Some("oapi.dingtalk.com"));
        let official: Vec<String> = OFFICIAL_ROBOT_HOSTS.iter().map(|h| h.to_string()).collect();
        assert!(url_allowed(url, &official));
        assert!(url_allowed(
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            &official
        ));
        // Anything else the server could be made to post to is refused: an inside host, the
        // loopback unless listed, a look-alike, credentials before the host, plain HTTP.
        for bad in [
            "https://10.0.0.5/hook",
            "https://intranet.local/robot/send?access_token=x",
            "http://127.0.0.1:9000/hook?key=1",
            "https://oapi.dingtalk.com.evil.example/robot/send",
            "https://oapi.dingtalk.com@10.0.0.5/robot/send",
            "http://oapi.dingtalk.com/robot/send?access_token=x",
            "ftp://x",
        ] {
            assert!(!url_allowed(bad, &official), "{bad}");
        }
        let tests = vec!["127.0.0.1".to_string()];
        assert!(url_allowed("http://127.0.0.1:9000/hook?key=1", &tests));
        assert!(!url_allowed("http://example.com/hook?key=1", &tests));
        let e = scrub(&format!("error sending request for url ({url})"), url);
        assert!(!e.contains("abc123"), "{e}");
    }
}
