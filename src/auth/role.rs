//! Roles and what each may do. The permission matrix lives here, in one function, so that the
//! API, the web pages and the tests all ask the same question the same way.

use serde::{Deserialize, Serialize};

/// One role per account. The three admin duties of 等保2.0 are separate roles by design: the one
/// who creates accounts cannot grant rights nor read the audit log, and none of them reads ledgers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: creates, locks and unlocks accounts.
    SysAdmin,
    /// 安全管理员: assigns roles and data scope.
    SecAdmin,
    /// 审计管理员: reads and verifies the audit log.
    AuditAdmin,
    /// 党建办: keeps every ledger of the park.
    Office,
    /// 支部书记: keeps the ledgers of their own unit and the units below it.
    BranchSecretary,
    /// 领导: reads everything, records visits to paired enterprises.
    Leader,
    /// 园小二: handles enterprise problems and suggestions.
    ServiceStaff,
    /// 企业用户: their own enterprise's requests only.
    Enterprise,
    /// An account whose role the 安全管理员 has not yet granted: signs in, may do nothing.
    /// Never stored nor assigned; it is what such an account acts as.
    Pending,
}

pub const ALL_ROLES: [Role; 8] = [
    Role::SysAdmin,
    Role::SecAdmin,
    Role::AuditAdmin,
    Role::Office,
    Role::BranchSecretary,
    Role::Leader,
    Role::ServiceStaff,
    Role::Enterprise,
];

/// Ledger kinds the service team works on.
const SERVICE_KINDS: [&str; 3] = ["enterprise_problem", "suggestion", "visit"];
/// Ledger kinds an enterprise user can see and submit for their own enterprise.
const ENTERPRISE_KINDS: [&str; 2] = ["enterprise_problem", "suggestion"];

/// Something a user asks to do; the data scope (which rows) is checked separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    ReadRecords(&'a str),
    WriteRecords(&'a str),
    /// Delete or restore a record: whoever writes the kind, except an enterprise user, whose
    /// submitted requests stay on the park's books.
    DeleteRecords(&'a str),
    ReadOrg,
    WriteOrg,
    ReadKinds,
    WriteKinds,
    ManageUsers,
    AssignRoles,
    /// Choose the park's password profile (安全管理员).
    ManageSecurity,
    ReadUsers,
    ReadAudit,
    /// See the year's plans and tasks (a branch secretary: their unit's tasks only).
    ReadPlans,
    /// Create plans and tasks, decompose them, import a 工作清单.
    WritePlans,
    /// Report progress on a task of one's own unit.
    UpdateTasks,
    /// Mark a task for supervision (督办).
    SuperviseTasks,
    /// See the rule checks' findings (a branch secretary: their units only).
    ReadChecks,
    /// Mark a finding as rectified, edit the park's rules.
    WriteChecks,
    /// Render the duty report, see the records behind a figure.
    ReadReport,
    /// Edit report templates and the year's cause analysis.
    WriteReport,
    /// Import a workbook of ledgers and rosters into the park.
    ImportLedgers,
    /// Enter or correct a year of the working-day calendar (工作日历).
    ManageCalendar,
    /// See enterprise requests (an enterprise user: its own only).
    ReadRequests,
    /// Raise a request: an enterprise for itself, the office and 园小二 for an enterprise.
    RaiseRequests,
    /// Set the park's request categories with their limits, and who is in the 园小二 team's
    /// groups and leads them.
    ConfigureRequests,
    /// See the policy library (惠企政策) and whom each policy reached; an enterprise user sees
    /// the policies pushed to its own enterprise only (我的政策).
    ReadPolicies,
    /// Write policies, push them to enterprises, and define the park's qualification tags.
    WritePolicies,
    /// See the 包联 pairs and their visits (我的包联企业): a leader their own, the office every
    /// leader's.
    ReadPairings,
    /// Configure the park's robots (企业微信, 钉钉) and see the outbox of messages to them.
    ManageRobots,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SysAdmin => "sys_admin",
            Role::SecAdmin => "sec_admin",
            Role::AuditAdmin => "audit_admin",
            Role::Office => "office",
            Role::BranchSecretary => "branch_secretary",
            Role::Leader => "leader",
            Role::ServiceStaff => "service_staff",
            Role::Enterprise => "enterprise",
            Role::Pending => "pending",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES
            .into_iter()
            .find(|r| r.as_str() == s || r.label() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SysAdmin => "系统管理员",
            Role::SecAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
            Role::Office => "党建办",
            Role::BranchSecretary => "支部书记",
            Role::Leader => "领导",
            Role::ServiceStaff => "园小二",
            Role::Enterprise => "企业用户",
            Role::Pending => "待分配角色",
        }
    }

    /// True for the three admin duties of 等保 (系统管理员, 安全管理员, 审计管理员): such accounts
    /// are created, given their role and their passwords only on the server's command line, so
    /// that no admin can make, unmake or take over another.
    pub fn is_admin_duty(self) -> bool {
        matches!(self, Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin)
    }

    /// Whether the role reads any ledger at all: the 三员 and an account still waiting for its
    /// role read none, so they are refused alike for every record id.
    pub fn reads_ledgers(self) -> bool {
        !self.is_admin_duty() && self != Role::Pending
    }

    /// True for the roles whose work needs whole ID numbers and phone numbers: they see them masked
    /// like everyone, and may ask for the whole value of one person (显示完整号码), audited.
    pub fn sees_personal_data(self) -> bool {
        matches!(self, Role::Office)
    }

    /// The permission matrix.
    pub fn allows(self, action: Action<'_>) -> bool {
        use Action::*;
        use Role::*;
        match (self, action) {
            (Enterprise, DeleteRecords(_)) => false,
            (role, DeleteRecords(kind)) => role.allows(WriteRecords(kind)),
            (Office, ReadRecords(_) | WriteRecords(_) | ReadOrg | WriteOrg | ReadKinds) => true,
            (Office, WriteKinds) => true,
            (BranchSecretary, ReadRecords(_) | WriteRecords(_) | ReadOrg | ReadKinds) => true,
            (BranchSecretary, WriteOrg) => true,
            (Leader, ReadRecords(_) | ReadOrg | ReadKinds) => true,
            (Leader, WriteRecords(kind)) => kind == "visit",
            (ServiceStaff, ReadRecords(kind) | WriteRecords(kind)) => SERVICE_KINDS.contains(&kind),
            (ServiceStaff, ReadOrg | ReadKinds) => true,
            (Enterprise, ReadRecords(kind) | WriteRecords(kind)) => {
                ENTERPRISE_KINDS.contains(&kind)
            }
            (Enterprise, ReadKinds) => true,
            (Office, ReadPlans | WritePlans | UpdateTasks | SuperviseTasks) => true,
            (Office, ReadChecks | WriteChecks | ReadReport | WriteReport | ImportLedgers) => true,
            (Office, ManageCalendar | ManageRobots) => true,
            (Office | ServiceStaff | Enterprise, ReadRequests | RaiseRequests) => true,
            (Leader, ReadRequests) => true,
            (Office, ConfigureRequests) => true,
            (Office | ServiceStaff, ReadPolicies | WritePolicies) => true,
            (Leader | Enterprise, ReadPolicies) => true,
            (Office | Leader, ReadPairings) => true,
            (BranchSecretary, ReadPlans | UpdateTasks | ReadChecks) => true,
            (Leader, ReadPlans | SuperviseTasks | ReadChecks | ReadReport) => true,
            (SysAdmin, ManageUsers | ReadUsers) => true,
            (SecAdmin, AssignRoles | ManageSecurity | ReadUsers) => true,
            (AuditAdmin, ReadAudit) => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_duties_are_separate() {
        for role in [Role::SysAdmin, Role::SecAdmin, Role::AuditAdmin] {
            assert!(!role.allows(Action::ReadRecords("meeting")), "{role:?}");
        }
        assert!(Role::SysAdmin.allows(Action::ManageUsers));
        assert!(!Role::SysAdmin.allows(Action::AssignRoles));
        assert!(!Role::SysAdmin.allows(Action::ReadAudit));
        assert!(Role::SecAdmin.allows(Action::AssignRoles));
        assert!(!Role::SecAdmin.allows(Action::ManageUsers));
        assert!(Role::AuditAdmin.allows(Action::ReadAudit));
        assert!(!Role::Office.allows(Action::ReadAudit));
    }

    #[test]
    fn leaders_write_visits_only() {
        assert!(Role::Leader.allows(Action::ReadRecords("talk")));
        assert!(Role::Leader.allows(Action::WriteRecords("visit")));
        assert!(!Role::Leader.allows(Action::WriteRecords("meeting")));
    }

    #[test]
    fn policies_are_written_by_the_office_and_the_service_team() {
        for role in [Role::Office, Role::ServiceStaff] {
            assert!(role.allows(Action::WritePolicies), "{role:?}");
        }
        for role in [Role::Leader, Role::Enterprise, Role::BranchSecretary] {
            assert!(!role.allows(Action::WritePolicies), "{role:?}");
        }
        assert!(Role::Leader.allows(Action::ReadPolicies));
        assert!(!Role::BranchSecretary.allows(Action::ReadPolicies));
    }

    #[test]
    fn roles_round_trip_by_id_and_label() {
        for role in ALL_ROLES {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(Role::parse(role.label()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
