//! Delivering the outbox: [`deliver_due`] posts each message whose time has come to its robot
//! (企业微信: the markdown body; 钉钉: the markdown body to the URL signed with `timestamp` and
//! `sign`), at most [`PER_MINUTE`] a minute per robot (a message over the
//! limit waits for the next pass), and records every attempt: success is HTTP 200 with
//! `errcode` 0; anything else is retried after a growing back-off, and after
//! [`MAX_ATTEMPTS`] marked 失败 for the 党建办 to 重发. Only the host of a
//! robot's URL is ever written down: an error's text has the URL taken out.
//!
//! [`spawn`] starts the server's two periodic tasks: the deadline scan every minute and the
//! delivery every ten seconds. Neither runs inside a request: a receiver that is down or slow
//! delays its messages, never a write.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::queries::{self, Attempt, DueMessage};
use super::{RobotKind, MAX_ATTEMPTS, PER_MINUTE, TIMEOUT};
use crate::db::Db;
use crate::error::AppError;

/// Messages over a robot's limit one pass counts as waiting at most (the rest wait as well).
const BATCH: i64 = 200;

/// The HTTP client of the delivery: rustls with the bundled web roots (nothing fetched at run
/// time), a short timeout, no redirects (a webhook answers where it is asked).
pub fn client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
    /// Due but held back by a robot's limit of messages a minute.
    pub waiting: usize,
}

/// Posts every message due at `now`, oldest first, within each robot's limit a minute.
pub async fn deliver_due(
    db: &Db,
    now: DateTime<Utc>,
    client: &reqwest::Client,
    hosts: &[String],
) -> Result<Delivered, AppError> {
    let mut done = Delivered::default();
    for park in crate::org::queries::parks(db).await? {
        // Robot by robot, so that one robot's backlog never holds back another's messages.
        for robot in queries::due_robots(db, park.id, now).await? {
            let since = now - chrono::Duration::seconds(60);
            let recent = queries::attempts_since(db, park.id, robot, since).await?;
            let room = (PER_MINUTE - recent).max(0);
            let due = queries::due(db, park.id, robot, now, room + BATCH).await?;
            for (i, m) in due.iter().enumerate() {
                if i64::try_from(i).unwrap_or(i64::MAX) >= room {
                    done.waiting += 1;
                    continue;
                }
                match send(db, park.id, m, now, (client, hosts)).await? {
                    Some(true) => done.sent += 1,
                    Some(false) => done.failed += 1,
                    None => {}
                }
            }
        }
    }
    Ok(done)
}

/// Claims message `m`, posts it and records the attempt; whether it was delivered, or none
/// when another worker had claimed it.
async fn send(
    db: &Db,
    park_id: i64,
    m: &DueMessage,
    now: DateTime<Utc>,
    (client, hosts): (&reqwest::Client, &[String]),
) -> Result<Option<bool>, AppError> {
    // Held past the attempt's longest time, so another worker leaves it be.
    let lease = now + chrono::Duration::seconds(60);
    if !queries::claim(db, park_id, m.id, m.next_at, lease).await? {
        return Ok(None);
    }
    let (ok, http_status, error) = attempt(m, now, client, hosts).await;
    let failed = m.attempts + 1;
    let (status, next_at) = if ok {
        ("sent", now)
    } else if failed >= MAX_ATTEMPTS {
        ("failed", now)
    } else {
        let wait = chrono::Duration::from_std(super::backoff(failed))
            .unwrap_or_else(|_| chrono::Duration::minutes(1));
        ("retrying", now + wait)
    };
    let a = Attempt {
        at: now,
        ok,
        http_status,
        error: &error,
    };
    let mut tx = db.begin().await?;
    queries::attempted(&mut tx, park_id, m, &a, status, next_at).await?;
    tx.commit().await?;
    if !ok {
        tracing::warn!(
            park = park_id,
            message = m.id,
            robot = m.robot_id,
            http_status,
            %error,
            "机器人推送失败"
        );
    }
    Ok(Some(ok))
}

/// One POST of a message: whether it succeeded, the HTTP status, and the error without the
/// URL.
async fn attempt(
    m: &DueMessage,
    now: DateTime<Utc>,
    client: &reqwest::Client,
    hosts: &[String],
) -> (bool, Option<i64>, String) {
    let Some(kind) = RobotKind::parse(&m.kind) else {
        return (false, None, "未知的机器人类型".into());
    };
    let Ok(url) = crate::crypto::open("webhook_url", &m.url_sealed) else {
        return (false, None, "无法解密机器人地址（密钥缺失）".into());
    };
    // Checked again at each post: a robot saved before the allowed hosts changed.
    if !super::url_allowed(&url, hosts) {
        return (false, None, super::hosts_refusal(hosts));
    }
    let target = match (kind, m.secret_sealed.as_deref()) {
        (RobotKind::Dingtalk, Some(sealed)) => {
            let Ok(secret) = crate::crypto::open("webhook_secret", sealed) else {
                return (false, None, "无法解密加签密钥（密钥缺失）".into());
            };
            let sep = if url.contains('?') { '&' } else { '?' };
            format!(
                "{url}{sep}{}",
                super::dingtalk_query(&secret, now.timestamp_millis())
            )
        }
        _ => url.clone(),
    };
    let body = kind.body(&m.title, &m.body);
    let res = match client.post(&target).json(&body).send().await {
        Ok(res) => res,
        Err(e) => {
            let what = if e.is_timeout() {
                format!("超时：{} 秒内未答复", TIMEOUT.as_secs())
            } else if e.is_connect() {
                "无法连接机器人服务器".to_string()
            } else {
                format!("发送失败：{}", e.without_url())
            };
            return (false, None, super::scrub(&what, &url));
        }
    };
    let status = i64::from(res.status().as_u16());
    let text = match res.text().await {
        Ok(t) => t,
        Err(e) => {
            let what = format!("读取答复失败：{}", e.without_url());
            return (false, Some(status), super::scrub(&what, &url));
        }
    };
    if status != 200 {
        return (false, Some(status), format!("HTTP {status}"));
    }
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    match answer.get("errcode").and_then(serde_json::Value::as_i64) {
        Some(0) => (true, Some(status), String::new()),
        code => {
            let msg: String = answer
                .get("errmsg")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            let code = code.map_or("无".to_string(), |c| c.to_string());
            (
                false,
                Some(status),
                super::scrub(&format!("errcode {code}：{msg}"), &url),
            )
        }
    }
}

/// Starts the deadline scan (every minute) and the delivery (every ten seconds) on the
/// runtime, with `now` read from `clock` at each pass. Their failures are logged and the next
/// pass tries again.
pub fn spawn(db: Db, clock: fn() -> DateTime<Utc>, hosts: Vec<String>) -> anyhow::Result<()> {
    let http = client(TIMEOUT)?;
    let scan_db = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = super::service::scan(&scan_db, clock()).await {
                tracing::warn!(error = %e, "催办扫描失败");
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&db, clock(), &http, &hosts).await {
                tracing::warn!(error = %e, "机器人推送失败");
            }
        }
    });
    Ok(())
}
