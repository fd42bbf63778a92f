// The web UI as an office worker and a branch secretary use it, in headless Chromium.
// Run by e2e/run.sh, which starts a demo server and sets TZ_BASE and TZ_PASSWORD.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const BASE = process.env.TZ_BASE ?? "http://127.0.0.1:18123";
const PASSWORD = process.env.TZ_PASSWORD ?? "E2e-pass-123";
const SHOTS = process.env.TZ_SHOTS ?? "../target/e2e";

let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
});

async function signIn(login, size = { width: 1366, height: 768 }) {
  const context = await browser.newContext({ viewport: size, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("input[name=login]", login);
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click("button[type=submit]")]);
  return { context, page };
}

test("an office worker records, finds, edits and traces a meeting", async () => {
  const { context, page } = await signIn("office");
  assert.match(await page.textContent("h1"), /工作台/);
  await page.screenshot({ path: `${SHOTS}/01-home.png`, fullPage: true });

  await page.goto(`${BASE}/ledger/meeting?year=2024`);
  assert.match(await page.textContent("main"), /共 \d+ 条/);
  await page.screenshot({ path: `${SHOTS}/02-meeting-list.png` });

  // The committee itself holds the meeting, so a branch secretary is outside its scope.
  await page.goto(`${BASE}/ledger/meeting/new`);
  const committee = await page.$eval("#units option", (o) => o.value);
  assert.match(committee, /党工委$/);
  await page.fill("input[name=date]", "2024-06-18");
  await page.selectOption("select[name=meeting_type]", "党课");
  await page.fill("input[name=name]", "鹊桥专题党课");
  await page.fill("input[name=org_unit]", committee);
  await page.fill("input[name=expected]", "十人");
  await page.click("button.primary");
  // A wrong value comes back at its field, with everything typed still there.
  assert.match(await page.textContent(".field.invalid .error"), /整数|数字/);
  assert.equal(await page.inputValue("input[name=name]"), "鹊桥专题党课");
  await page.screenshot({ path: `${SHOTS}/03-form-error.png`, fullPage: true });
  await page.fill("input[name=expected]", "12");
  await page.fill("input[name=attended]", "11");
  await Promise.all([page.waitForURL(/\/records\/\d+$/), page.click("button.primary")]);
  const recordUrl = page.url();

  const pdf = "/tmp/tz-e2e-纪要.pdf";
  writeFileSync(pdf, "%PDF-1.4\n% taizhang e2e\n");
  await page.setInputFiles("input[type=file]", pdf);
  await Promise.all([page.waitForURL(recordUrl), page.click(".upload button")]);
  assert.match(await page.textContent(".attachments"), /tz-e2e-纪要\.pdf/);
  await page.screenshot({ path: `${SHOTS}/04-record.png`, fullPage: true });

  await page.goto(`${BASE}/ledger/meeting?year=2024&q=${encodeURIComponent("鹊桥")}`);
  assert.match(await page.textContent("main"), /共 1 条/);
  await page.click("text=鹊桥专题党课");
  await page.waitForURL(recordUrl);

  await page.click("main a.button:text-is('修改')");
  await page.fill("input[name=name]", "鹊桥专题党课（补记）");
  await Promise.all([page.waitForURL(recordUrl), page.click("button.primary")]);
  const history = await page.textContent("section:has(h2:text('修改历史'))");
  assert.match(history, /修改/);
  assert.match(history, /鹊桥专题党课（补记）/);
  await page.screenshot({ path: `${SHOTS}/05-history.png`, fullPage: true });

  // The same record on a phone-sized screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/ledger/meeting/new`);
  await page.screenshot({ path: `${SHOTS}/06-form-phone.png`, fullPage: true });
  await context.close();

  // A record outside the secretary's scope answers as one that does not exist, so that ids
  // cannot be probed.
  const secretary = await signIn("secretary");
  const res = await secretary.page.goto(recordUrl);
  assert.equal(res.status(), 404);
  assert.match(await secretary.page.textContent("main, body"), /不存在/);
  await secretary.page.screenshot({ path: `${SHOTS}/07-secretary-404.png` });
  await secretary.context.close();
});

test("admin creates an account, secadmin assigns its role, auditor finds both in the log", async () => {
  const login = `e2e${Date.now() % 100000}`;
  const admin = await signIn("admin");
  await admin.page.goto(`${BASE}/admin/users`);
  // A wrong login comes back at its field with the name still typed.
  await admin.page.fill("#nu-login", "bad login");
  await admin.page.fill("#nu-display_name", "测试账号");
  await admin.page.selectOption("#nu-role", "leader");
  await admin.page.click("#new-user button.primary");
  assert.match(await admin.page.textContent("#new-user .field.invalid .error"), /登录名/);
  assert.equal(await admin.page.inputValue("#nu-display_name"), "测试账号");
  await admin.page.fill("#nu-login", login);
  await admin.page.click("#new-user button.primary");
  assert.match(await admin.page.textContent(".notice"), new RegExp(`已添加账号 ${login}`));
  assert.match(await admin.page.textContent("code.secret"), /^[A-Za-z0-9]{14}$/);
  await admin.page.screenshot({ path: `${SHOTS}/08-admin-users.png`, fullPage: true });
  await admin.context.close();

  const sec = await signIn("secadmin");
  await sec.page.goto(`${BASE}/admin/users`);
  const row = sec.page.locator("tr", { hasText: login });
  await row.locator("select[name=role]").selectOption("branch_secretary");
  const unit = await row.locator("select[name=unit_id] option").nth(1).getAttribute("value");
  await row.locator("select[name=unit_id]").selectOption(unit);
  await row.locator("button", { hasText: "保存角色" }).click();
  assert.match(await sec.page.textContent(".notice"), new RegExp(`已将 ${login} 的角色设为支部书记`));
  assert.match(await sec.page.locator("tr", { hasText: login }).textContent(), /支部书记/);
  await sec.page.screenshot({ path: `${SHOTS}/09-secadmin-roles.png`, fullPage: true });
  await sec.context.close();

  const auditor = await signIn("auditor");
  await auditor.page.goto(`${BASE}/audit`);
  assert.match(await auditor.page.textContent(".verdict"), /审计链完整/);
  await auditor.page.fill("#audit-search input[name=q]", login);
  await auditor.page.selectOption("#audit-search select[name=entity]", "user");
  await Promise.all([auditor.page.waitForURL(/\/audit\?/), auditor.page.click("#audit-search button")]);
  const found = await auditor.page.textContent("table.audit");
  assert.match(found, /新建/);
  assert.match(found, /分配角色/);
  await auditor.page.screenshot({ path: `${SHOTS}/10-audit.png`, fullPage: true });
  // The office's catalogue and organisation pages, for the record.
  await auditor.context.close();
  const office = await signIn("office");
  await office.page.goto(`${BASE}/admin/kinds/meeting`);
  assert.match(await office.page.textContent("h1"), /会议/);
  await office.page.screenshot({ path: `${SHOTS}/11-kind-fields.png`, fullPage: true });
  await office.page.goto(`${BASE}/org/units/new`);
  await office.page.screenshot({ path: `${SHOTS}/12-unit-form.png`, fullPage: true });
  await office.context.close();
});
