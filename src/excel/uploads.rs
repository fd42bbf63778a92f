//! Imports started from the web: a workbook is uploaded, checked in the background (a dry run),
//! shown to its uploader with every error and a preview, and imported for real only when they
//! confirm. Each upload is a [`Job`] kept in memory for a while, owned by its uploader.
//!
//! At most `RUNNING` (two) checks or imports run at once; the rest wait their turn, so a large file
//! never holds up the server for other users (the reading itself runs off the async runtime).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::RngCore;
use tokio::sync::Semaphore;

use super::import::{self, ImportOptions};
use super::{ExcelError, ImportReport};
use crate::auth::{Action, Principal};
use crate::db::Db;
use crate::error::AppError;

/// Checks and imports running at once.
const RUNNING: usize = 2;
/// Uploads kept at once, all users together: each holds its file in memory.
const MAX_JOBS: usize = 16;
/// Uploads one user keeps; an older one goes when they upload another.
const PER_USER: usize = 3;
/// How long an upload is kept after it was made.
const KEPT_FOR: Duration = Duration::from_secs(2 * 3600);

/// What an upload is doing, or what came of it.
#[derive(Clone)]
pub enum Stage {
    /// Waiting for a free slot; `import` is false for the check, true for the import.
    Queued {
        import: bool,
    },
    Running {
        import: bool,
    },
    /// The dry run finished: a report (with errors, or ready to import), or a failure message.
    Checked(Result<ImportReport, Refusal>),
    /// The import finished.
    Imported(Result<ImportReport, Refusal>),
}

/// Why a check or import gave no report to show: the file's errors, or another failure.
#[derive(Clone)]
pub enum Refusal {
    /// Errors in the file; the report lists them all.
    Invalid(Box<ImportReport>),
    /// The file could not be read at all, or the database failed: one message.
    Failed(String),
}

/// One upload.
pub struct Job {
    pub token: String,
    pub park_id: i64,
    pub user_id: i64,
    pub file_name: String,
    pub kind: Option<String>,
    created: Instant,
    /// The file, until it is imported.
    bytes: Mutex<Option<Arc<Vec<u8>>>>,
    stage: Mutex<Stage>,
    /// Rows read by the running step.
    progress: Arc<AtomicU64>,
    /// When the running step started.
    started: Mutex<Option<Instant>>,
}

impl Job {
    pub fn stage(&self) -> Stage {
        lock(&self.stage).clone()
    }

    pub fn rows_read(&self) -> u64 {
        self.progress.load(Ordering::Relaxed)
    }

    /// Seconds the running step has taken so far.
    pub fn seconds(&self) -> u64 {
        lock(&self.started).map_or(0, |t| t.elapsed().as_secs())
    }

    fn set(&self, stage: Stage) {
        *lock(&self.stage) = stage;
    }
}

/// Every upload of this server, by token.
pub struct Uploads {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    slots: Arc<Semaphore>,
}

impl Default for Uploads {
    fn default() -> Uploads {
        Uploads {
            jobs: Mutex::default(),
            slots: Arc::new(Semaphore::new(RUNNING)),
        }
    }
}

/// A poisoned lock only means another request panicked mid-update; the state is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Uploads {
    /// Takes an uploaded file and starts checking it. Returns the new job.
    pub fn start(
        &self,
        db: &Db,
        who: &Principal,
        file_name: String,
        kind: Option<String>,
        bytes: Vec<u8>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Arc<Job>, AppError> {
        who.require(Action::ImportLedgers)?;
        if bytes.is_empty() {
            return Err(AppError::BadRequest("请选择要导入的工作簿文件".into()));
        }
        if bytes.len() as u64 > super::limits::MAX_FILE_BYTES {
            return Err(AppError::BadRequest(
                ExcelError::TooLarge {
                    size: bytes.len() as u64,
                    max: super::limits::MAX_FILE_BYTES,
                }
                .to_string(),
            ));
        }
        let job = {
            let mut jobs = lock(&self.jobs);
            jobs.retain(|_, j| j.created.elapsed() < KEPT_FOR);
            let mut own: Vec<_> = jobs
                .values()
                .filter(|j| j.user_id == who.user_id && j.park_id == who.park_id)
                .map(|j| (j.created, j.token.clone()))
                .collect();
            own.sort();
            while own.len() >= PER_USER {
                let (_, token) = own.remove(0);
                jobs.remove(&token);
            }
            if jobs.len() >= MAX_JOBS {
                return Err(AppError::BadRequest(
                    "同时进行的导入太多，请稍后再试".into(),
                ));
            }
            let mut secret = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut secret);
            let job = Arc::new(Job {
                token: hex::encode(secret),
                park_id: who.park_id,
                user_id: who.user_id,
                file_name,
                kind,
                created: Instant::now(),
                bytes: Mutex::new(Some(Arc::new(bytes))),
                stage: Mutex::new(Stage::Queued { import: false }),
                progress: Arc::default(),
                started: Mutex::default(),
            });
            jobs.insert(job.token.clone(), Arc::clone(&job));
            job
        };
        self.run(db.clone(), who.clone(), Arc::clone(&job), false, now);
        Ok(job)
    }

    /// The upload `token` of this user, if it is still kept.
    pub fn get(&self, who: &Principal, token: &str) -> Result<Arc<Job>, AppError> {
        who.require(Action::ImportLedgers)?;
        let jobs = lock(&self.jobs);
        jobs.get(token)
            .filter(|j| {
                j.user_id == who.user_id
                    && j.park_id == who.park_id
                    && j.created.elapsed() < KEPT_FOR
            })
            .cloned()
            .ok_or(AppError::NotFound("导入任务（可能已过期，请重新上传）"))
    }

    /// This user's uploads, newest first.
    pub fn mine(&self, who: &Principal) -> Vec<Arc<Job>> {
        let jobs = lock(&self.jobs);
        let mut own: Vec<_> = jobs
            .values()
            .filter(|j| {
                j.user_id == who.user_id
                    && j.park_id == who.park_id
                    && j.created.elapsed() < KEPT_FOR
            })
            .cloned()
            .collect();
        own.sort_by_key(|j| std::cmp::Reverse(j.created));
        own
    }

    /// Imports a checked upload for real. Only a check that passed can be confirmed, once.
    pub fn confirm(
        &self,
        db: &Db,
        who: &Principal,
        token: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Arc<Job>, AppError> {
        let job = self.get(who, token)?;
        {
            let mut stage = lock(&job.stage);
            match &*stage {
                Stage::Checked(Ok(_)) => *stage = Stage::Queued { import: true },
                Stage::Checked(Err(_)) => {
                    return Err(AppError::BadRequest(
                        "该文件检查未通过，不能导入：请改正后重新上传".into(),
                    ))
                }
                Stage::Imported(_) => {
                    return Err(AppError::BadRequest("该文件已经导入过了".into()))
                }
                Stage::Queued { .. } | Stage::Running { .. } => {
                    return Err(AppError::BadRequest("该文件正在处理，请稍候".into()))
                }
            }
        }
        self.run(db.clone(), who.clone(), Arc::clone(&job), true, now);
        Ok(job)
    }

    /// Runs the check (`import` false) or the import of `job` in the background.
    fn run(
        &self,
        db: Db,
        who: Principal,
        job: Arc<Job>,
        import: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let slots = Arc::clone(&self.slots);
        tokio::spawn(async move {
            // The semaphore is never closed; without a permit the step still runs, unthrottled.
            let _permit = slots.acquire_owned().await.ok();
            let Some(bytes) = lock(&job.bytes).clone() else {
                job.set(Stage::Imported(Err(Refusal::Failed(
                    "上传的文件已不在，请重新上传".into(),
                ))));
                return;
            };
            job.progress.store(0, Ordering::Relaxed);
            *lock(&job.started) = Some(Instant::now());
            job.set(Stage::Running { import });
            let options = ImportOptions {
                kind: job.kind.clone(),
                dry_run: !import,
                progress: Some(Arc::clone(&job.progress)),
            };
            let bytes = Arc::unwrap_or_clone(bytes);
            let result = import::run(
                &db,
                job.park_id,
                &who.actor(),
                &job.file_name,
                bytes,
                &options,
                now,
            )
            .await;
            let result = result.map_err(|e| match e {
                ExcelError::Invalid(report) => Refusal::Invalid(report),
                other => {
                    if matches!(other, ExcelError::Db(_) | ExcelError::Internal(_)) {
                        tracing::error!(error = %other, "web import failed");
                    }
                    Refusal::Failed(other.to_string())
                }
            });
            if import {
                // Imported (or refused on the second look): the file is no longer needed.
                lock(&job.bytes).take();
                job.set(Stage::Imported(result));
            } else {
                job.set(Stage::Checked(result));
            }
        });
    }
}
