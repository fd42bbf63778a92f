//! Accounts, roles, sessions and data scope.

pub mod account_pages;
pub mod admin_pages;
pub mod api;
pub mod credentials;
pub mod operator;
pub mod pages;
pub mod password;
mod queries;
pub mod role;
mod scope;
pub mod sealed;
pub mod second_factor;
pub mod service;
pub mod totp;

pub use role::{Action, Role, ALL_ROLES};
pub use scope::{Principal, Scope};
pub use service::{NewUser, User};
