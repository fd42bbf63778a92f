//! Typed configuration: defaults, then `taizhang.toml`, then `TAIZHANG_*` variables, then flags.
//! Passed explicitly to whoever needs it; never a global.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::report::{DocxFonts, FontChoice};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://taizhang.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub addr: String,
    /// An API token or web session unused this long is no longer accepted.
    pub session_idle: Duration,
    /// Nor one older than this, used or not (12 hours unless configured).
    pub session_lifetime: Duration,
    /// Failed logins in a row that lock an account, and for how long.
    pub lockout_after: u32,
    pub lockout_for: Duration,
    pub max_upload_bytes: usize,
    /// The park's time zone: which day "today" is (`crate::calendar`).
    pub timezone: chrono::FixedOffset,
    /// The fonts the DOCX report names (`[report.fonts]`).
    pub report_fonts: DocxFonts,
    /// The reverse proxies whose `X-Forwarded-Proto` is believed: behind one that says
    /// `https`, cookies are `Secure` and the session's carries the `__Host-` prefix.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The audit key's file, outside the database (`audit.key` in the data folder unless set).
    pub audit_key_file: Option<PathBuf>,
    /// The key file of personal data (SM4 data keys and the blind index key), outside the
    /// database (`data.key` in the data folder unless set).
    pub data_key_file: Option<PathBuf>,
    /// Backups `serve` takes by itself (`[backup]`), if any.
    pub backup: Option<BackupSchedule>,
    /// The hosts a robot's webhook may point at (`robot_hosts`): the public 企业微信 and 钉钉
    /// robot hosts unless configured, so that a saved robot cannot make the server post to a
    /// host inside the network.
    pub robot_hosts: Vec<String>,
}

/// `[backup]`: a backup into `dir` every `every`, the newest `keep` kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &crate::db::redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("addr", &self.addr)
            .field("session_idle", &self.session_idle)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: DEFAULT_DATABASE_URL.to_string(),
            data_dir: PathBuf::from("data"),
            addr: DEFAULT_ADDR.to_string(),
            session_idle: Duration::from_secs(30 * 60),
            session_lifetime: Duration::from_secs(12 * 3600),
            lockout_after: 5,
            lockout_for: Duration::from_secs(15 * 60),
            max_upload_bytes: 20 * 1024 * 1024,
            timezone: crate::calendar::beijing(),
            report_fonts: DocxFonts::default(),
            trusted_proxies: Vec::new(),
            audit_key_file: None,
            data_key_file: None,
            backup: None,
            robot_hosts: crate::notify::OFFICIAL_ROBOT_HOSTS
                .iter()
                .map(|h| h.to_string())
                .collect(),
        }
    }
}

/// The keys `taizhang.toml` may hold; every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    addr: Option<String>,
    session_idle_minutes: Option<u64>,
    session_lifetime_hours: Option<u64>,
    lockout_after: Option<u32>,
    lockout_minutes: Option<u64>,
    max_upload_mb: Option<usize>,
    /// The park's time zone (`Asia/Shanghai`, `+08:00`): which day "today" is.
    timezone: Option<String>,
    /// Addresses of the reverse proxies (`["127.0.0.1"]`) whose `X-Forwarded-Proto` counts.
    trusted_proxies: Option<Vec<String>>,
    audit_key_file: Option<PathBuf>,
    data_key_file: Option<PathBuf>,
    backup: Option<BackupFile>,
    report: Option<ReportFile>,
    /// Hosts robots may post to, in place of the public 企业微信 and 钉钉 ones (a private
    /// deployment of either, say).
    robot_hosts: Option<Vec<String>>,
}

/// `[backup]` of `taizhang.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupFile {
    dir: PathBuf,
    every_hours: Option<u64>,
    keep: Option<usize>,
}

/// `[report]` of `taizhang.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportFile {
    fonts: Option<FontsFile>,
}

/// `[report.fonts]`: each font of the DOCX report and the fonts to use where it is missing, best
/// first, e.g. `body = "方正仿宋_GBK"`, `body_fallback = ["仿宋", "Noto Serif CJK SC"]` (one
/// name alone is a list of one).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FontsFile {
    title: Option<String>,
    title_fallback: Option<Fallbacks>,
    body: Option<String>,
    body_fallback: Option<Fallbacks>,
    heading1: Option<String>,
    heading1_fallback: Option<Fallbacks>,
    heading2: Option<String>,
    heading2_fallback: Option<Fallbacks>,
    page_number: Option<String>,
    page_number_fallback: Option<Fallbacks>,
    latin: Option<String>,
}

/// A `KEY_fallback` value: one font name or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Fallbacks {
    One(String),
    Many(Vec<String>),
}

impl FontsFile {
    fn apply(self, fonts: &mut DocxFonts) -> anyhow::Result<()> {
        fn set(target: &mut String, value: Option<String>, key: &str) -> anyhow::Result<()> {
            if let Some(v) = value {
                let v = v.trim();
                if v.is_empty() {
                    anyhow::bail!("配置项 report.fonts.{key} 不能为空");
                }
                *target = v.to_string();
            }
            Ok(())
        }
        fn set_list(
            target: &mut Vec<String>,
            value: Option<Fallbacks>,
            key: &str,
        ) -> anyhow::Result<()> {
            let names = match value {
                None => return Ok(()),
                Some(Fallbacks::One(name)) => vec![name],
                Some(Fallbacks::Many(names)) => names,
            };
            let names: Vec<String> = names.iter().map(|n| n.trim().to_string()).collect();
            if names.is_empty() || names.iter().any(String::is_empty) {
                anyhow::bail!("配置项 report.fonts.{key} 不能为空，也不能含空的字体名");
            }
            *target = names;
            Ok(())
        }
        let pairs: [(&mut FontChoice, Option<String>, Option<Fallbacks>, &str); 5] = [
            (&mut fonts.title, self.title, self.title_fallback, "title"),
            (&mut fonts.body, self.body, self.body_fallback, "body"),
            (
                &mut fonts.heading1,
                self.heading1,
                self.heading1_fallback,
                "heading1",
            ),
            (
                &mut fonts.heading2,
                self.heading2,
                self.heading2_fallback,
                "heading2",
            ),
            (
                &mut fonts.page_number,
                self.page_number,
                self.page_number_fallback,
                "page_number",
            ),
        ];
        for (font, name, fallback, key) in pairs {
            set(&mut font.name, name, key)?;
            set_list(&mut font.fallbacks, fallback, &format!("{key}_fallback"))?;
        }
        set(&mut fonts.latin, self.latin, "latin")
    }
}

impl Config {
    /// Where the audit key is kept.
    pub fn audit_key_path(&self) -> PathBuf {
        self.audit_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit.key"))
    }

    /// Where the personal data keys are kept.
    pub fn data_key_path(&self) -> PathBuf {
        self.data_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("data.key"))
    }

    /// Builds the configuration from the optional file, the environment, and the flags given
    /// (`database_url` and `addr` from the command line take precedence over everything).
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        database_url: Option<String>,
    ) -> anyhow::Result<Config> {
        let mut cfg = Config::default();
        let path = file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| "taizhang.toml".into());
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}：{e}", path.display()))?;
            let f: FileConfig = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("配置文件 {} 有误：{e}", path.display()))?;
            cfg.apply_file(f)
                .map_err(|e| anyhow::anyhow!("配置文件 {} 有误：{e}", path.display()))?;
        } else if file.is_some() {
            anyhow::bail!("找不到配置文件 {}", path.display());
        }
        if let Some(v) = env("TAIZHANG_DATABASE_URL") {
            cfg.database_url = v;
        }
        if let Some(v) = env("TAIZHANG_DATA_DIR") {
            cfg.data_dir = v.into();
        }
        if let Some(v) = env("TAIZHANG_ADDR") {
            cfg.addr = v;
        }
        if let Some(v) = env("TAIZHANG_SESSION_IDLE_MINUTES") {
            let minutes: u64 = v.parse().map_err(|_| {
                anyhow::anyhow!("TAIZHANG_SESSION_IDLE_MINUTES 应为整数分钟数：{v}")
            })?;
            cfg.session_idle = Duration::from_secs(minutes * 60);
        }
        if let Some(v) = env("TAIZHANG_TIMEZONE") {
            cfg.timezone = crate::calendar::parse_zone(&v)
                .map_err(|e| anyhow::anyhow!("TAIZHANG_TIMEZONE：{e}"))?;
        }
        if let Some(v) = env("TAIZHANG_AUDIT_KEY_FILE") {
            cfg.audit_key_file = Some(v.into());
        }
        if let Some(v) = env("TAIZHANG_DATA_KEY_FILE") {
            cfg.data_key_file = Some(v.into());
        }
        if let Some(v) = env("TAIZHANG_TRUSTED_PROXIES") {
            cfg.trusted_proxies = parse_proxies(v.split(','))
                .map_err(|e| anyhow::anyhow!("TAIZHANG_TRUSTED_PROXIES：{e}"))?;
        }
        if let Some(v) = database_url {
            cfg.database_url = v;
        }
        crate::calendar::set_zone(cfg.timezone).map_err(|e| anyhow::anyhow!(e))?;
        Ok(cfg)
    }

    fn apply_file(&mut self, f: FileConfig) -> anyhow::Result<()> {
        if let Some(v) = f.database_url {
            self.database_url = v;
        }
        if let Some(v) = f.data_dir {
            self.data_dir = v;
        }
        if let Some(v) = f.addr {
            self.addr = v;
        }
        if let Some(v) = f.session_idle_minutes {
            self.session_idle = Duration::from_secs(v * 60);
        }
        if let Some(v) = f.session_lifetime_hours {
            self.session_lifetime = Duration::from_secs(v * 3600);
        }
        if let Some(v) = f.lockout_after {
            self.lockout_after = v;
        }
        if let Some(v) = f.lockout_minutes {
            self.lockout_for = Duration::from_secs(v * 60);
        }
        if let Some(v) = f.max_upload_mb {
            self.max_upload_bytes = v * 1024 * 1024;
        }
        if let Some(v) = f.timezone {
            self.timezone = crate::calendar::parse_zone(&v).map_err(|e| anyhow::anyhow!(e))?;
        }
        if let Some(v) = f.audit_key_file {
            self.audit_key_file = Some(v);
        }
        if let Some(v) = f.data_key_file {
            self.data_key_file = Some(v);
        }
        if let Some(b) = f.backup {
            let hours = b.every_hours.unwrap_or(24);
            let keep = b.keep.unwrap_or(7);
            if hours == 0 || keep == 0 {
                anyhow::bail!("[backup] 的 every_hours 和 keep 都应大于 0");
            }
            self.backup = Some(BackupSchedule {
                dir: b.dir,
                every: Duration::from_secs(hours * 3600),
                keep,
            });
        }
        if let Some(v) = f.robot_hosts {
            let hosts: Vec<String> = v
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect();
            if hosts.is_empty() {
                anyhow::bail!("robot_hosts 至少要列出一个机器人域名");
            }
            self.robot_hosts = hosts;
        }
        if let Some(v) = f.trusted_proxies {
            self.trusted_proxies =
                parse_proxies(v.iter().map(String::as_str)).map_err(|e| anyhow::anyhow!(e))?;
        }
        if let Some(fonts) = f.report.and_then(|r| r.fonts) {
            fonts.apply(&mut self.report_fonts)?;
        }
        Ok(())
    }
}

/// Proxy addresses as typed (blanks skipped), each an IP address.
fn parse_proxies<'a>(
    items: impl Iterator<Item = &'a str>,
) -> Result<Vec<std::net::IpAddr>, String> {
    items
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| format!("trusted_proxies 中的“{s}”不是 IP 地址"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_are_scheduled_from_the_file_and_zero_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taizhang.toml");
        std::fs::write(&file, "[backup]\ndir = \"backups\"\nevery_hours = 6\n").unwrap();
        let cfg = Config::load(Some(&file), |_| None, None).unwrap();
        assert_eq!(
            cfg.backup,
            Some(BackupSchedule {
                dir: "backups".into(),
                every: Duration::from_secs(6 * 3600),
                keep: 7
            })
        );
        std::fs::write(&file, "[backup]\ndir = \"b\"\nkeep = 0\n").unwrap();
        let e = Config::load(Some(&file), |_| None, None).unwrap_err();
        assert!(e.to_string().contains("大于 0"), "{e}");
    }

    #[test]
    fn trusted_proxies_are_addresses_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taizhang.toml");
        std::fs::write(&file, "trusted_proxies = [\"127.0.0.1\", \"::1\"]\n").unwrap();
        let cfg = Config::load(Some(&file), |_| None, None).unwrap();
        assert_eq!(cfg.trusted_proxies.len(), 2);
        let env = |k: &str| (k == "TAIZHANG_TRUSTED_PROXIES").then(|| "10.0.0.2, ".to_string());
        let cfg = Config::load(Some(&file), env, None).unwrap();
        assert_eq!(
            cfg.trusted_proxies,
            ["10.0.0.2".parse::<std::net::IpAddr>().unwrap()]
        );
        std::fs::write(&file, "trusted_proxies = [\"nginx\"]\n").unwrap();
        let e = Config::load(Some(&file), |_| None, None).unwrap_err();
        assert!(e.to_string().contains("“nginx”不是 IP 地址"), "{e}");
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taizhang.toml");
        std::fs::write(&file, "database_url = \"sqlite://from-file.db\"\naddr = \"0.0.0.0:9\"\nsession_idle_minutes = 5\n").unwrap();
        let env = |k: &str| (k == "TAIZHANG_ADDR").then(|| "127.0.0.1:7".to_string());
        let cfg = Config::load(Some(&file), env, None).unwrap();
        assert_eq!(cfg.database_url, "sqlite://from-file.db");
        assert_eq!(cfg.addr, "127.0.0.1:7");
        assert_eq!(cfg.session_idle, Duration::from_secs(300));
        let cfg = Config::load(Some(&file), env, Some("sqlite://flag.db".into())).unwrap();
        assert_eq!(cfg.database_url, "sqlite://flag.db");
    }

    #[test]
    fn unknown_keys_and_missing_named_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taizhang.toml");
        std::fs::write(&file, "databse_url = \"x\"\n").unwrap();
        assert!(Config::load(Some(&file), |_| None, None).is_err());
        assert!(Config::load(Some(&dir.path().join("none.toml")), |_| None, None).is_err());
    }

    #[test]
    fn report_fonts_are_set_from_the_file_and_default_to_the_official_names() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taizhang.toml");
        assert_eq!(Config::default().report_fonts.body.name, "仿宋_GB2312");
        std::fs::write(
            &file,
            "report.fonts.body = \"方正仿宋_GBK\"\nreport.fonts.title_fallback = \"华文中宋\"\n",
        )
        .unwrap();
        let cfg = Config::load(Some(&file), |_| None, None).unwrap();
        assert_eq!(cfg.report_fonts.body.name, "方正仿宋_GBK");
        assert_eq!(cfg.report_fonts.body.fallbacks[0], "仿宋");
        assert_eq!(cfg.report_fonts.title.name, "方正小标宋简体");
        assert_eq!(cfg.report_fonts.title.fallbacks, ["华文中宋"]);
        std::fs::write(
            &file,
            "[report.fonts]\nheading2_fallback = [\"楷体\", \"AR PL UKai CN\"]\n",
        )
        .unwrap();
        let cfg = Config::load(Some(&file), |_| None, None).unwrap();
        assert_eq!(
            cfg.report_fonts.heading2.fallbacks,
            ["楷体", "AR PL UKai CN"]
        );
        std::fs::write(&file, "[report.fonts]\nbody_fallback = [\"仿宋\", \"\"]\n").unwrap();
        let err = Config::load(Some(&file), |_| None, None).unwrap_err();
        assert!(
            err.to_string()
                .contains("report.fonts.body_fallback 不能为空"),
            "{err}"
        );
        std::fs::write(&file, "[report.fonts]\nbody = \" \"\n").unwrap();
        let err = Config::load(Some(&file), |_| None, None).unwrap_err();
        assert!(
            err.to_string().contains("report.fonts.body 不能为空"),
            "{err}"
        );
        std::fs::write(&file, "[report.fonts]\nbodyy = \"甲\"\n").unwrap();
        assert!(Config::load(Some(&file), |_| None, None).is_err());
    }

    #[test]
    fn debug_hides_the_password() {
        let cfg = Config {
            database_url: "postgres://u:pw@h/db".into(),
            ..Config::default()
        };
        assert!(!format!("{cfg:?}").contains("pw@"));
    }
}
