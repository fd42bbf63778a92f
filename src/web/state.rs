//! The application state handed to every handler.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::ui::MenuItem;
use crate::auth::Principal;
use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;

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

/// What [`MenuFn`] answers with.
pub type MenuFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<MenuItem>, AppError>> + Send + 'a>>;

/// The side menu of a signed-in user, past 工作台: declared by the composition root (`app`),
/// which knows the areas; the web only draws it.
pub type MenuFn = for<'a> fn(&'a AppState, &'a Principal) -> MenuFuture<'a>;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub menu: MenuFn,
    /// What an area keeps for the life of the server (a cache, the uploads waiting for
    /// confirmation), one value per type, made on first use: see [`AppState::part`].
    parts: Arc<Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>,
}

impl AppState {
    pub fn new(db: Db, config: Config, menu: MenuFn) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
            clock: Clock::System,
            menu,
            parts: Arc::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// This server's one value of an area's type `T`, made with `T::default()` the first time it
    /// is asked for. The area owns the type; the web holds it without knowing it.
    pub fn part<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        // A poisoned lock only means another request panicked while inserting; the map holds.
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        let entry = parts
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        match Arc::clone(entry).downcast::<T>() {
            Ok(part) => part,
            // Unreachable: the entry was inserted under T's own TypeId.
            Err(_) => Arc::new(T::default()),
        }
    }
}
