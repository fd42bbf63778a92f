//! Whether a request reached us over HTTPS, as far as the server can know: it speaks plain HTTP
//! itself, so only a reverse proxy named in `trusted_proxies` is believed when it says
//! `X-Forwarded-Proto: https`; the same header from anyone else counts for nothing. Cookies
//! follow: behind HTTPS every cookie is `Secure` and the session's is named with the `__Host-`
//! prefix (Secure, `Path=/`, no Domain), so that no plain-HTTP page and no other host can set it.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// The session cookie's name over plain HTTP.
pub const SESSION_COOKIE: &str = "tz_session";

/// Its name behind HTTPS.
pub const SECURE_SESSION_COOKIE: &str = "__Host-tz_session";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    #[default]
    Plain,
    /// Behind a trusted proxy that received the request over HTTPS.
    Https,
}

impl Transport {
    /// The name the session cookie has (and is read under) on this transport.
    pub fn session_cookie(self) -> &'static str {
        match self {
            Transport::Plain => SESSION_COOKIE,
            Transport::Https => SECURE_SESSION_COOKIE,
        }
    }

    /// A `Set-Cookie` value: never readable by scripts, never sent by another site, and
    /// `Secure` behind HTTPS. `max_age` 0 clears the cookie; None keeps it for the session.
    pub fn cookie(self, name: &str, value: &str, path: &str, max_age: Option<u64>) -> String {
        let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
        if self == Transport::Https {
            c.push_str("; Secure");
        }
        if let Some(age) = max_age {
            c.push_str(&format!("; Max-Age={age}"));
        }
        c
    }
}

/// Works out the transport of each request and keeps it in the request's extensions; behind
/// HTTPS the answer also tells browsers to keep to HTTPS (HSTS).
pub async fn detect(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    let trusted = peer.is_some_and(|ip| st.config.trusted_proxies.contains(&ip));
    let said_https = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let transport = if trusted && said_https {
        Transport::Https
    } else {
        Transport::Plain
    };
    req.extensions_mut().insert(transport);
    let mut res = next.run(req).await;
    if transport == Transport::Https {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

impl<S: Send + Sync> FromRequestParts<S> for Transport {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Transport>()
            .copied()
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_only_behind_https() {
        assert_eq!(
            Transport::Plain.cookie("tz_year", "2025", "/", None),
            "tz_year=2025; Path=/; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            Transport::Https.cookie(SECURE_SESSION_COOKIE, "1.x", "/", Some(0)),
            "__Host-tz_session=1.x; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0"
        );
    }
}
