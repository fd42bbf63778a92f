//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default: info for taizhang, warn for the
//! rest). Personal data never goes into a log line: spans carry ids, never names or numbers.

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,taizhang=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
