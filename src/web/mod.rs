//! Shared web plumbing: application state, the router's frame and layers, the error types every
//! handler returns, the principal and page extractors. It imports no area: the composition root
//! (`crate::app`) hands it their routes, templates and menu.

pub mod chart;
mod error;
pub mod form;
pub mod openapi;
mod principal;
mod router;
mod state;
pub mod svg;
pub mod transport;
pub mod ui;

pub(crate) use error::file_part;
pub use error::{status_of, ApiError, PageError, PageResult};
pub use form::{CsrfForm, FormErrors};
pub use principal::{bearer as principal_bearer, Auth};
pub use router::assemble;
pub use state::{AppState, Clock, MenuFn, MenuFuture};
pub use transport::Transport;
