//! Ledgers (台账): kinds declared as data in a catalogue, records validated against it, stored
//! with their typed core columns, listed within the caller's scope.

pub mod api;
pub mod attachments;
pub mod attendance;
pub mod attendance_service;
pub mod bulk;
pub mod catalogue;
pub mod kind_pages;
pub mod kinds;
pub mod pages;
pub mod plausibility;
pub mod queries;
pub mod record;
pub mod service;
pub mod upgrade;
pub mod value;
