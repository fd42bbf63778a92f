//! `/api/v1/audit`: the audit log and its verification, for the 审计管理员 only.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{AuditFilter, Verdict};
use crate::auth::Action;
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list))
        .route("/audit/verify", get(verify))
}

async fn list(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(f): Query<AuditFilter>,
) -> Result<Json<Value>, ApiError> {
    let (items, total) = super::search(&st.db, &p, &f, st.now()).await?;
    let items: Vec<super::Entry> = items.into_iter().map(super::Entry::masked).collect();
    Ok(Json(json!({ "items": items, "total": total })))
}

async fn verify(State(st): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    p.require(Action::ReadAudit)?;
    Ok(Json(match super::verify(&st.db, p.park_id).await? {
        Verdict::Intact { entries } => json!({"intact": true, "entries": entries}),
        Verdict::Broken { seq, reason } => json!({"intact": false, "seq": seq, "reason": reason}),
    }))
}
