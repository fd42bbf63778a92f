-- An account the 系统管理员 creates holds the role asked for but none of its rights until the
-- 安全管理员 assigns it (三员 separation). Accounts that exist keep what they have.
ALTER TABLE users ADD COLUMN role_granted BOOLEAN NOT NULL DEFAULT TRUE;
