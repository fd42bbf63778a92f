//! 会议签到 and 参会登记: a meeting's attendance picked from its unit's roster by the secretary,
//! and members signing in on their phones through a short-lived signed QR code. The record's
//! 参会人员 and 缺席人员 (ledger fields) stay the truth about who attended; this area adds the
//! pages, the sign-in times and the wrong-try counts (`meeting_signins`, `meeting_signin_tries`),
//! and the 会议记录 a meeting prints as (`minutes.rs`).

pub mod minutes;
pub mod pages;
pub mod queries;
pub mod service;
pub mod token;
