//! The `taizhang` binary: parses the command line and hands over to the library.

use clap::Parser;

/// Exit status of a command whose reader went away (128 + SIGPIPE), as shell tools end.
const BROKEN_PIPE: u8 = 141;

fn main() -> std::process::ExitCode {
    // A render worker (`report::worker`) is this binary started by itself: single-threaded,
    // silent, and before anything else so its limits hold for all it does.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == taizhang::report::worker::WORKER_ARG)
    {
        return taizhang::report::worker::serve_one();
    }
    taizhang::telemetry::init();
    quiet_on_broken_pipe();
    let cli = taizhang::cli::Cli::parse();
    match std::env::current_exe() {
        Ok(exe) => taizhang::report::worker::isolate_in(exe),
        Err(e) => tracing::warn!(error = %e, "templates render in-process: no path to this binary"),
    }
    match taizhang::cli::run_to_end(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => std::process::ExitCode::from(BROKEN_PIPE),
        Err(e) => {
            eprintln!("错误：{e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Output piped into a program that stops reading (`taizhang demo | head`) ends the process
/// quietly, as Unix tools do, instead of with the panic `println!` raises on a closed pipe.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(i32::from(BROKEN_PIPE));
        }
        default(info);
    }));
}
