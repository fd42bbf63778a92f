//! The application state handed to every handler.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::db::Db;

/// Where "now" comes from: the system clock in production, a fixed instant in tests.
#[derive(Clone)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            #[expect(
                clippy::disallowed_methods,
                reason = "the one place the web reads the clock"
            )]
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// Listing totals, valid while the park's data version holds.
    pub counts: Arc<crate::ledger::service::CountCache>,
    /// Workbooks uploaded on the import page, checked and waiting for confirmation.
    pub uploads: Arc<crate::excel::uploads::Uploads>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
            clock: Clock::System,
            counts: Arc::default(),
            uploads: Arc::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
