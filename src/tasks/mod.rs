//! Annual plans (工作要点, 工作清单) and their tasks, decomposed to units and followed to completion.

pub mod api;
pub mod pages;
