//! Rendering a template in a child process of our own binary, under its own memory and time
//! limits.
//!
//! Minijinja's fuel counts instructions, not bytes: a string doubled forty times in a loop
//! (`{% set ns.s = ns.s ~ ns.s %}`) costs forty units of fuel and asks for a terabyte, and the
//! engine offers no hook to bound a string's size. So the binary renders templates in a child of
//! itself (`taizhang --render-worker`): the job goes in on standard input as JSON, the text comes
//! back on standard output, the child limits its own data segment (`RLIMIT_DATA`) and CPU time
//! (`RLIMIT_CPU`) before it reads the job, and the parent kills it past [`TIME_LIMIT`]. A
//! template that asks for too much ends the child with a message, never the server.
//!
//! The binary turns this on at start-up ([`isolate_in`]); without it (the library's own unit
//! tests) templates render in-process, through the same `RenderInput::render`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::error::ReportError;
use super::render::{RenderInput, MAX_OUTPUT_BYTES};

/// The first argument that makes the binary a render worker instead of the command line.
pub const WORKER_ARG: &str = "--render-worker";

/// The memory a render may use. The default report takes a few megabytes; a template past
/// this is building strings or lists without end.
pub const MEMORY_LIMIT_MB: u64 = 256;

/// How long a render may run before the child is killed (its CPU limit is the same). The fuel
/// stops an ordinary runaway loop well within this.
pub const TIME_LIMIT: Duration = Duration::from_secs(15);

/// How often the parent looks whether the child has ended.
const POLL: Duration = Duration::from_millis(2);

static WORKER: OnceLock<PathBuf> = OnceLock::new();

/// Renders every later template in a child of `exe`, the `taizhang` binary. The binary calls
/// this once at start-up; the first call wins.
pub fn isolate_in(exe: PathBuf) {
    let _ = WORKER.set(exe);
}

/// The binary templates render in, when [`isolate_in`] was called.
pub(crate) fn isolated() -> Option<&'static Path> {
    WORKER.get().map(PathBuf::as_path)
}

/// What the child writes back: the text, or the render's own error.
#[derive(Serialize, Deserialize)]
enum Outcome {
    Text(String),
    Template { line: Option<usize>, reason: String },
    TooLong,
}

/// Renders `input` in a child of `exe`, waiting at most [`TIME_LIMIT`].
pub(crate) fn render_in(exe: &Path, input: RenderInput) -> Result<String, ReportError> {
    let name = input.name().to_string();
    let job = serde_json::to_vec(&input).map_err(|e| crashed("encode", &e))?;
    let mut child = Command::new(exe)
        .arg(WORKER_ARG)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| crashed("spawn", &e))?;
    // Writing and reading on threads of their own: the parent's only wait is the deadline.
    let mut stdin = child.stdin.take().ok_or(ReportError::Crashed)?;
    let writer = std::thread::spawn(move || stdin.write_all(&job));
    let stdout = child.stdout.take().ok_or(ReportError::Crashed)?;
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        // The child stops at MAX_OUTPUT_BYTES of text; JSON escaping can at most double it.
        let cap = 2 * MAX_OUTPUT_BYTES as u64 + 4096;
        stdout.take(cap).read_to_end(&mut text).map(|_| text)
    });
    let status = wait_until(&mut child, TIME_LIMIT).map_err(|e| crashed("wait", &e))?;
    // A child that ended closed its pipes, so both threads are done or about to be.
    let _ = writer.join();
    let output = reader.join().map_err(|_| ReportError::Crashed)?;
    let Some(status) = status else {
        tracing::warn!(template = %name, "report render killed past its time limit");
        return Err(ReportError::TimedOut(TIME_LIMIT.as_secs()));
    };
    if !status.success() {
        return Err(ended_by(&name, status));
    }
    let output = output.map_err(|e| crashed("read", &e))?;
    match serde_json::from_slice(&output).map_err(|e| crashed("decode", &e))? {
        Outcome::Text(text) => Ok(text),
        Outcome::Template { line, reason } => Err(ReportError::Template { name, line, reason }),
        Outcome::TooLong => Err(ReportError::TooLong {
            name,
            limit_mb: MAX_OUTPUT_BYTES >> 20,
        }),
    }
}

/// Waits for `child` to end, at most `limit`; past it the child is killed and `None` returned.
pub(crate) fn wait_until(
    child: &mut std::process::Child,
    limit: Duration,
) -> std::io::Result<Option<ExitStatus>> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if started.elapsed() > limit {
            // The child may have ended in between; either way it is gone after this.
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(POLL.min(limit));
    }
}

/// The error for a child that did not end normally: the memory limit makes the allocator
/// abort it, the CPU limit sends SIGXCPU.
fn ended_by(name: &str, status: ExitStatus) -> ReportError {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            Some(6) => {
                tracing::warn!(template = %name, "report render stopped at its memory limit");
                return ReportError::TooMuchMemory {
                    name: name.to_string(),
                    limit_mb: MEMORY_LIMIT_MB,
                };
            }
            Some(9) | Some(24) => return ReportError::TimedOut(TIME_LIMIT.as_secs()),
            _ => {}
        }
    }
    tracing::error!(template = %name, %status, "report render worker failed");
    ReportError::Crashed
}

fn crashed(step: &str, e: &dyn std::fmt::Display) -> ReportError {
    tracing::error!(step, error = %e, "report render worker failed");
    ReportError::Crashed
}

/// The child's side: limits itself, reads one job from standard input, renders it and writes
/// the outcome to standard output.
pub fn serve_one() -> ExitCode {
    if !limit_self() {
        return ExitCode::FAILURE;
    }
    let mut job = Vec::new();
    if std::io::stdin().read_to_end(&mut job).is_err() {
        return ExitCode::FAILURE;
    }
    let Ok(input) = serde_json::from_slice::<RenderInput>(&job) else {
        return ExitCode::FAILURE;
    };
    drop(job);
    let outcome = match input.render() {
        Ok(text) => Outcome::Text(text),
        Err(ReportError::Template { line, reason, .. }) => Outcome::Template { line, reason },
        Err(ReportError::TooLong { .. }) => Outcome::TooLong,
        Err(_) => return ExitCode::FAILURE,
    };
    let Ok(bytes) = serde_json::to_vec(&outcome) else {
        return ExitCode::FAILURE;
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(&bytes).and_then(|()| out.flush()).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Lowers this process's data segment, CPU time and core file limits; false when they could not be set,
/// and the child then renders nothing.
#[cfg(unix)]
fn limit_self() -> bool {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let lower = |resource: Resource, want: u64| {
        // Never above a hard limit the process already has (raising it is not allowed).
        let want = getrlimit(resource)
            .maximum
            .map_or(want, |hard| hard.min(want));
        setrlimit(
            resource,
            Rlimit {
                current: Some(want),
                maximum: Some(want),
            },
        )
        .is_ok()
    };
    // No core file: a render stopped at its memory limit would leave hundreds of megabytes.
    lower(Resource::Core, 0)
        && lower(Resource::Data, MEMORY_LIMIT_MB << 20)
        && lower(Resource::Cpu, TIME_LIMIT.as_secs())
}

/// Elsewhere the parent's time limit is the only one.
#[cfg(not(unix))]
fn limit_self() -> bool {
    true
}
