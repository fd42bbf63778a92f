//! Shared web plumbing: application state, the router that gathers every area's routes, the
//! error type every handler returns, and the principal extractor.

mod error;
mod home;
pub mod openapi;
mod principal;
mod router;
mod state;
pub mod transport;
pub mod ui;

pub(crate) use error::file_part;
pub use error::ApiError;
pub use principal::{bearer as principal_bearer, Auth};
pub use router::router;
pub use state::{AppState, Clock};
pub use transport::Transport;
