//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default: info for taizhang, warn for the
//! rest). The filter is a list of `target=level` directives and a bare default level, such as
//! `warn,taizhang=info,sqlx::query=debug`; a value that does not read as one keeps the default.
//! Personal data never goes into a log line: spans carry ids, never names or numbers.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const DEFAULT: &str = "warn,taizhang=info";

pub fn init() {
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter(std::env::var("RUST_LOG").ok().as_deref()))
        .try_init();
}

/// The filter `RUST_LOG` asks for, or the default when it is unset or unreadable.
fn filter(asked: Option<&str>) -> Targets {
    asked
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| DEFAULT.parse().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::*;

    #[test]
    fn the_filter_reads_targets_and_keeps_the_default_otherwise() {
        let default = filter(None);
        assert!(default.would_enable("taizhang::web", &Level::INFO));
        assert!(!default.would_enable("taizhang::web", &Level::DEBUG));
        assert!(default.would_enable("sqlx::query", &Level::WARN));
        assert!(!default.would_enable("sqlx::query", &Level::INFO));
        let asked = filter(Some("warn,sqlx::query=debug"));
        assert!(asked.would_enable("sqlx::query", &Level::DEBUG));
        assert!(!asked.would_enable("taizhang::web", &Level::INFO));
        let unreadable = filter(Some("taizhang=loud"));
        assert!(unreadable.would_enable("taizhang::web", &Level::INFO));
        assert!(!unreadable.would_enable("taizhang::web", &Level::DEBUG));
    }
}
