//! The signed-in user and the rows they may see.

use crate::auth::{Action, Role};
use crate::error::AppError;

/// Who is asking, resolved once per request from the token or session.
#[derive(Clone, Debug)]
pub struct Principal {
    pub park_id: i64,
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub person_id: Option<i64>,
    pub scope: Scope,
    /// The password must be changed before anything else: someone else set it, or it is
    /// older than the park's profile allows. Only changing it (and signing out) is let through.
    pub password_change_due: bool,
    /// A 三员 account without a second factor: it enrols one (两步验证) before anything else.
    pub totp_enrolment_due: bool,
    /// The session was opened by a right password and waits for the second factor's code:
    /// only the sign-in's second step (and signing out) is let through.
    pub second_factor_due: bool,
}

/// Which records and org entries a principal may touch, beyond the role's kinds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole park.
    Park,
    /// These units (the user's own and everything below it).
    Units(Vec<i64>),
    /// One enterprise's rows.
    Enterprise(i64),
    /// Nothing: admin duties and accounts not yet given a unit or enterprise.
    Nothing,
}

impl Principal {
    /// Refuses the action when the role does not allow it.
    pub fn require(&self, action: Action<'_>) -> Result<(), AppError> {
        if self.role.allows(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(forbidden_message(action)))
        }
    }

    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor {
            user_id: Some(self.user_id),
            login: self.login.clone(),
        }
    }

    /// True when a record with this unit and enterprise is inside the principal's scope.
    pub fn covers(&self, unit_id: Option<i64>, enterprise_id: Option<i64>) -> bool {
        match &self.scope {
            Scope::Park => true,
            Scope::Units(units) => unit_id.is_some_and(|u| units.contains(&u)),
            Scope::Enterprise(e) => enterprise_id == Some(*e),
            Scope::Nothing => false,
        }
    }
}

fn forbidden_message(action: Action<'_>) -> &'static str {
    match action {
        Action::ReadRecords(_) => "您的角色不能查看此类台账",
        Action::WriteRecords(_) => "您的角色不能修改此类台账",
        Action::DeleteRecords(_) => {
            "您的角色不能删除或恢复此类台账记录；已提交的事项如需撤回，请联系园区工作人员"
        }
        Action::ReadOrg => "您的角色不能查看组织信息",
        Action::WriteOrg => "您的角色不能修改组织信息",
        Action::ReadKinds => "您的角色不能查看台账目录",
        Action::WriteKinds => "您的角色不能修改台账目录",
        Action::ManageUsers => "仅系统管理员可以管理账号",
        Action::AssignRoles => "仅安全管理员可以分配角色和数据范围",
        Action::ManageSecurity => "仅安全管理员可以设置密码策略",
        Action::ReadUsers => "仅系统管理员和安全管理员可以查看账号",
        Action::ReadAudit => "仅审计管理员可以查看审计日志",
        Action::ReadPlans => "您的角色不能查看年度计划与任务",
        Action::WritePlans => "仅党建办可以编制年度计划与任务",
        Action::UpdateTasks => "您的角色不能填报任务进展",
        Action::SuperviseTasks => "仅党建办和领导可以督办任务",
        Action::ReadChecks => "您的角色不能查看规则检查结果",
        Action::WriteChecks => "仅党建办可以修改检查规则或标记整改",
        Action::ReadReport => "您的角色不能查看述职报告",
        Action::WriteReport => "仅党建办可以修改报告模板和原因分析",
        Action::ImportLedgers => "仅党建办可以导入台账工作簿",
        Action::ManageCalendar => "仅党建办可以维护工作日历",
        Action::ReadRequests => "您的角色不能查看企业诉求",
        Action::RaiseRequests => "您的角色不能提出或登记企业诉求",
        Action::ConfigureRequests => "仅党建办可以设置诉求类别、时限与园小二分组",
        Action::ReadPolicies => "您的角色不能查看惠企政策",
        Action::WritePolicies => "仅党建办和园小二可以发布和推送惠企政策",
        Action::ReadPairings => "仅领导和党建办可以查看包联企业",
        Action::ManageRobots => "仅党建办可以配置通知机器人和查看推送记录",
    }
}
