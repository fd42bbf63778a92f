// The web UI as an office worker and a branch secretary use it, in headless Chromium.
// Run by e2e/run.sh, which starts a demo server and sets TZ_BASE and TZ_PASSWORD.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";

const BASE = process.env.TZ_BASE ?? "http://127.0.0.1:18123";
const PASSWORD = process.env.TZ_PASSWORD ?? "E2e-pass-123";
const TOTP_SECRET = process.env.TZ_TOTP_SECRET ?? "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The RFC 6238 code of the demo admin duties' secret for this 30-second step.
function totpCode() {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of TOTP_SECRET) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const step = Buffer.alloc(8);
  step.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac("sha1", key).update(step).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}
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
  await Promise.all([
    page.waitForURL((u) => u.pathname === "/" || u.pathname === "/login/code"),
    page.click("button[type=submit]"),
  ]);
  // The admin duties are asked for their second factor's code.
  if (page.url().includes("/login/code")) {
    await page.fill("input[name=code]", totpCode());
    await page.click("button[type=submit]");
  }
  await page.waitForURL(`${BASE}/`);
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
  // A saved record opens with its 已保存 notice (?saved=1); the record itself is the path.
  await Promise.all([page.waitForURL(/\/records\/\d+\?saved=1$/), page.click("button.primary")]);
  assert.match(await page.textContent("body"), /已保存/);
  const recordUrl = page.url().replace(/\?.*$/, "");
  // The record's page, whatever it carries after the path (?saved=1, the list's ?back=…).
  const atRecord = new RegExp(`^${recordUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\?.*)?$`);

  const pdf = "/tmp/tz-e2e-纪要.pdf";
  writeFileSync(pdf, "%PDF-1.4\n% taizhang e2e\n");
  await page.setInputFiles("input[type=file]", pdf);
  await Promise.all([page.waitForURL(atRecord), page.click(".upload button")]);
  assert.match(await page.textContent(".attachments"), /tz-e2e-纪要\.pdf/);
  await page.screenshot({ path: `${SHOTS}/04-record.png`, fullPage: true });

  await page.goto(`${BASE}/ledger/meeting?year=2024&q=${encodeURIComponent("鹊桥")}`);
  assert.match(await page.textContent("main"), /共 1 条/);
  await page.click("text=鹊桥专题党课");
  await page.waitForURL(atRecord);

  await page.click("main a.button:text-is('修改')");
  await page.fill("input[name=name]", "鹊桥专题党课（补记）");
  await Promise.all([page.waitForURL(atRecord), page.click("button.primary")]);
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

// The loop of an enterprise request as its three parties work it: the enterprise on its phone,
// the 园小二 team at its desk, the office looking on.
test("an enterprise raises a request on its phone, the team works it, the enterprise rates it", async () => {
  const title = `夜班通勤班车 ${Date.now() % 100000}`;
  const phone = { width: 390, height: 844 };
  const fitsThePhone = async (page) =>
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390),
      `${page.url()} is wider than the phone`);

  const qiye = await signIn("qiye", phone);
  assert.match(await qiye.page.textContent("main"), /我的诉求/);
  await qiye.page.click("main a.button:text-is('提出诉求')");
  await qiye.page.waitForURL(`${BASE}/requests/new`);
  await fitsThePhone(qiye.page);
  await qiye.page.selectOption("select[name=category]", "用工");
  await qiye.page.fill("input[name=title]", title);
  await qiye.page.fill("textarea[name=description]", "夜班员工下班后没有公交，希望园区协调开通通勤班车。");
  await Promise.all([qiye.page.waitForURL(/\/requests\/\d+$/), qiye.page.click("button.primary")]);
  const url = qiye.page.url();
  assert.equal(await qiye.page.textContent("h1 small"), "已登记");
  const facts = await qiye.page.textContent("dl.facts");
  assert.match(facts, /企业服务组办理/);
  for (const due of ["首次联系", "阶段性答复", "办结时限"]) {
    assert.match(facts, new RegExp(`${due}\\d{4}-\\d{2}-\\d{2} 前`), due);
  }
  assert.match(await qiye.page.textContent(".thread"), /登记（已登记）/);
  // An enterprise works nothing: the only form is its message.
  assert.equal(await qiye.page.locator("form.step").count(), 0);
  await fitsThePhone(qiye.page);
  await qiye.page.screenshot({ path: `${SHOTS}/13-request-phone.png`, fullPage: true });

  // The team finds it in its queue, among the group's new requests, and works it step by step.
  // Its 工作台 counts what each link lists.
  const xiaoer = await signIn("xiaoer");
  await xiaoer.page.screenshot({ path: `${SHOTS}/14-home-team.png`, fullPage: true });
  for (const due of ["today", "overdue", "escalated", "visit"]) {
    const tile = xiaoer.page.locator(`.home-requests a[href='/requests?due=${due}']`);
    const n = await tile.locator(".n").textContent();
    await Promise.all([xiaoer.page.waitForURL(`${BASE}/requests?due=${due}`), tile.click()]);
    assert.equal(await xiaoer.page.textContent("h1 small"), `共 ${n} 件`, due);
    assert.equal(await xiaoer.page.locator("li.request").count(), Math.min(Number(n), 20), due);
    await xiaoer.page.goto(`${BASE}/`);
  }
  await xiaoer.page.goto(`${BASE}/requests`);
  await xiaoer.page.selectOption("select[name=group]", "企业服务组");
  await xiaoer.page.selectOption("select[name=status]", "registered");
  await Promise.all([xiaoer.page.waitForURL(/status=registered/),
    xiaoer.page.click("form.filters:has(select[name=status]) button")]);
  // The newest deadline comes last: the team pages on until it is there.
  while (await xiaoer.page.locator("a", { hasText: title }).count() === 0) {
    const next = await xiaoer.page.getAttribute(".pager a:text-is('下一页')", "href", { timeout: 2000 });
    await xiaoer.page.goto(new URL(next, xiaoer.page.url()).href);
  }
  const item = xiaoer.page.locator("li.request", { hasText: title });
  assert.match(await item.textContent(), /已登记/);
  await xiaoer.page.screenshot({ path: `${SHOTS}/15-request-queue.png`, fullPage: true });
  await Promise.all([xiaoer.page.waitForURL(url), item.locator("a").click()]);

  const take = async (party, step, status, text) => {
    const form = party.page.locator(`form[action$='/steps/${step}']`);
    if (text !== undefined) await form.locator("textarea").fill(text);
    await form.locator("button").click();
    await party.page.locator("h1 small", { hasText: status }).waitFor();
  };
  await take(xiaoer, "accept", "已受理");
  await take(xiaoer, "stage_reply", "办理中", "已联系公交公司，正在核定线路。");
  // The demo makes xiaoer the 企业服务组's 组长 (the office's 类别、时限与分组 page shows it): the
  // group's leader approves an extension, which a member could not.
  const extend = xiaoer.page.locator("form[action$='/steps/extend']");
  await extend.locator("textarea").fill("线路需经交通部门审批，申请延期。");
  await Promise.all([xiaoer.page.waitForURL(url), extend.locator("button").click()]);
  await xiaoer.page.locator("dd", { hasText: "已延期" }).waitFor();
  await take(xiaoer, "reply", "已答复", "公交公司 12 月起开通园区夜班专线，末班 23:30。");
  await take(xiaoer, "close", "已办结");
  const steps = (party) => party.page.locator(".thread li strong").allTextContents();
  assert.deepEqual(await steps(xiaoer), ["登记", "受理", "阶段性答复", "延期", "答复", "办结"]);
  const thread = await xiaoer.page.textContent(".thread");
  assert.match(thread, /阶段性答复（办理中）\s*已联系公交公司，正在核定线路。/);
  assert.match(thread, /答复（已答复）\s*公交公司 12 月起开通园区夜班专线/);
  assert.match(thread, /办结（已办结）/);
  await xiaoer.page.screenshot({ path: `${SHOTS}/16-request-closed.png`, fullPage: true });

  // The enterprise is not satisfied and says why.
  await qiye.page.goto(url);
  assert.equal(await qiye.page.textContent("h1 small"), "已办结");
  assert.match(await qiye.page.textContent(".thread"), /公交公司 12 月起开通园区夜班专线/);
  await qiye.page.selectOption("#rating-rate", "unsatisfied");
  await qiye.page.fill("#text-rate", "末班太早，夜班 24:00 才下班。");
  await Promise.all([qiye.page.waitForURL(url), qiye.page.click("form[action$='/steps/rate'] button")]);
  await qiye.page.locator("dd", { hasText: "不满意" }).waitFor();
  assert.match(await qiye.page.textContent(".thread"), /评价（已办结）\s*不满意：末班太早/);
  assert.equal(await qiye.page.locator("form.step").count(), 0, "rated once");
  assert.match(await qiye.page.textContent("dl.facts"), /回访时限\s*\d{4}-\d{2}-\d{2} 前/);
  await fitsThePhone(qiye.page);
  await qiye.page.screenshot({ path: `${SHOTS}/17-request-rated-phone.png`, fullPage: true });
  await qiye.context.close();

  // The team finds it among those awaiting their 回访, and visits.
  await xiaoer.page.goto(`${BASE}/requests?due=visit`);
  assert.ok((await xiaoer.page.textContent(".request-list")).includes(title), "awaiting its visit");
  await xiaoer.page.goto(url);
  await take(xiaoer, "visit", "已回访", "上门回访，已商请公交公司把末班推迟到 24:30。");
  await xiaoer.context.close();

  // The office sees the whole of it.
  const office = await signIn("office");
  assert.match(await office.page.textContent(".home-requests"), /今天到期/);
  await office.page.goto(url);
  assert.equal(await office.page.textContent("h1"), `${title}已回访`);
  assert.deepEqual(await steps(office), ["登记", "受理", "阶段性答复", "延期", "答复", "办结", "评价", "回访"]);
  const seen = await office.page.textContent(".thread");
  assert.match(seen, /评价（已办结）\s*不满意：末班太早/);
  assert.match(seen, /回访（已回访）\s*上门回访/);
  assert.match(await office.page.textContent("dl.facts"), /企业评价不满意/);
  await office.page.screenshot({ path: `${SHOTS}/18-request-office.png`, fullPage: true });
  await office.page.goto(`${BASE}/requests/settings`);
  const row = office.page.locator("#team tr", { hasText: "xiaoer" });
  assert.equal(await row.locator("select[name^=duty_]").inputValue(), "group_leader");
  assert.equal(await row.locator("select[name^=group_]").inputValue(), "企业服务组");
  await office.page.screenshot({ path: `${SHOTS}/18b-request-settings.png`, fullPage: true });
  await office.context.close();
});

// A branch meeting recorded from the roster; the secretary shows its QR code and a member signs
// in on a phone, without an account.
test("a secretary shows a meeting's QR code and a member signs in on a phone", async () => {
  const secretary = await signIn("secretary");
  const type = encodeURIComponent("主题党日");
  await secretary.page.goto(`${BASE}/ledger/meeting?year=2024&from=2024-12-01&f.meeting_type=${type}`);
  await secretary.page.click("table.list tbody a:text-is('查看') >> nth=0");
  await secretary.page.click("main a.button:text-is('参会人员与签到')");
  await secretary.page.waitForURL(/\/attendance$/);
  assert.match(await secretary.page.textContent("main"), /应到 \/ 实到/);
  assert.ok((await secretary.page.locator("table.list tbody tr").count()) > 1, "the roster");
  await secretary.page.screenshot({ path: `${SHOTS}/19-meeting-attendance.png`, fullPage: true });
  await secretary.page.click("main a.button:text-is('扫码签到')");
  await secretary.page.waitForURL(/\/signin$/);
  assert.equal(await secretary.page.locator(".signin-qr svg").count(), 1);
  await secretary.page.screenshot({ path: `${SHOTS}/20-meeting-qr.png`, fullPage: true });
  const link = await secretary.page.getAttribute("a:text-is('在本机打开签到页')", "href");
  await secretary.context.close();

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const page = await phone.newPage();
  await page.goto(`${BASE}${link}`);
  assert.match(await page.textContent("h1"), /会议签到/);
  assert.ok((await page.locator("select[name=person] option").count()) > 1, "names to pick");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "fits the phone");
  // The demo's phones end in a scrambled serial: 0000 is the park's first person's only (the
  // first of this branch, its secretary), so the second name listed does not end in it.
  await page.selectOption("select[name=person]", { index: 2 });
  await page.fill("input[name=last4]", "0000");
  await Promise.all([page.waitForLoadState(), page.click("button.primary")]);
  assert.match(await page.textContent(".signin"), /手机号后四位与花名册不符，还可尝试 4 次/);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "fits the phone");
  await page.screenshot({ path: `${SHOTS}/21-meeting-signin-phone.png`, fullPage: true });
  await page.selectOption("select[name=person]", { index: 1 });
  await page.fill("input[name=last4]", "0000");
  await Promise.all([page.waitForLoadState(), page.click("button.primary")]);
  assert.match(await page.textContent(".signin"), /签到成功/);
  await page.screenshot({ path: `${SHOTS}/22-meeting-signed-in-phone.png`, fullPage: true });
  await phone.close();
});

// The 工作台 of each working role at a glance: its charts (drawn as SVG on the server, each bar a
// link), its to-do and quick actions; the office's also on a phone.
test("the 工作台 shows each role the year's charts and to-do", async () => {
  const expected = { office: 5, secretary: 3, leader: 3, xiaoer: 1, qiye: 0 };
  let n = 23;
  for (const [login, atLeast] of Object.entries(expected)) {
    const who = await signIn(login);
    const charts = who.page.locator("figure.chart svg");
    const count = await charts.count();
    assert.ok(count >= atLeast, `${login}: ${count} charts, expected at least ${atLeast}`);
    if (count > 0) {
      assert.ok((await who.page.locator("figure.chart svg a").count()) > 0, `${login}: charts link to records`);
    }
    await who.page.screenshot({ path: `${SHOTS}/${n++}-home-${login}.png`, fullPage: true });
    await who.context.close();
  }
  const phone = await signIn("office", { width: 390, height: 844 });
  assert.ok((await phone.page.locator("figure.chart svg").count()) >= 5);
  assert.ok(await phone.page.evaluate(() => document.documentElement.scrollWidth <= 390), "fits the phone");
  await phone.page.screenshot({ path: `${SHOTS}/${n}-home-office-phone.png`, fullPage: true });
  await phone.context.close();
});

// 惠企政策: the office writes a policy for 专精特新 and pushes it to every enterprise that fits;
// the enterprise reads its own policies on a phone, why each came, and its reading is marked.
test("the office pushes a policy and the enterprise reads 我的政策 on its phone", async () => {
  const office = await signIn("office");
  await office.page.goto(`${BASE}/policies/new`);
  const title = `专精特新贷款贴息 ${Date.now() % 100000}`;
  await office.page.fill("input[name=title]", title);
  await office.page.selectOption("select[name=level]", "市");
  await office.page.fill("input[name=issuer]", "市工业和信息化局");
  await office.page.fill("textarea[name=summary]", "专精特新企业的技改贷款，按实际利息的一半给予贴息。");
  await office.page.fill("input[name=tags]", "专精特新");
  await Promise.all([office.page.waitForURL(/\/policies\/\d+$/), office.page.click("button.primary")]);
  await Promise.all([
    office.page.waitForURL(/\/policies\/\d+\?pushed=/),
    office.page.click("form[action$='/push'] button.primary"),
  ]);
  assert.match(await office.page.textContent("p.alert"), /已推送 \d+ 家企业/);
  assert.match(await office.page.textContent("#recipients"), /资质：专精特新/);
  await office.page.screenshot({ path: `${SHOTS}/20-policy-pushed.png`, fullPage: true });
  await office.context.close();

  const phone = { width: 390, height: 844 };
  const qiye = await signIn("qiye", phone);
  await qiye.page.goto(`${BASE}/policies`);
  assert.match(await qiye.page.textContent("h1"), /我的政策/);
  assert.match(await qiye.page.textContent("main"), /为何推送给您：/);
  assert.ok(await qiye.page.evaluate(() => document.documentElement.scrollWidth <= 390), "fits the phone");
  await qiye.page.screenshot({ path: `${SHOTS}/21-my-policies-phone.png`, fullPage: true });
  const unread = qiye.page.locator("li.policy.unread a").first();
  if (await unread.count()) {
    await Promise.all([qiye.page.waitForURL(/\/policies\/\d+$/), unread.click()]);
    assert.match(await qiye.page.textContent("dl.facts"), /已读/);
    assert.ok(await qiye.page.evaluate(() => document.documentElement.scrollWidth <= 390), "fits the phone");
    await qiye.page.screenshot({ path: `${SHOTS}/22-policy-phone.png`, fullPage: true });
  }
  await qiye.context.close();
});

// 暖企行动 on a phone: a leader opens 我的包联企业, logs a visit to a paired enterprise from its
// 记走访 (the enterprise and the visitor filled in), and turns a problem raised into a request.
test("a leader logs a visit on a phone and its problem becomes a request", async () => {
  const phone = { width: 390, height: 844 };
  const fitsThePhone = async (page) =>
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390),
      `${page.url()} is wider than the phone`);
  const { context, page } = await signIn("leader", phone);
  await page.goto(`${BASE}/visits/paired`);
  assert.match(await page.textContent("h1"), /我的包联企业/);
  await fitsThePhone(page);
  await page.screenshot({ path: `${SHOTS}/30-paired-phone.png`, fullPage: true });
  const enterprise = (await page.textContent(".paired-list li .name a")).trim();
  await Promise.all([page.waitForURL(/\/ledger\/visit\/new/), page.click(".paired-list li a.button")]);
  await fitsThePhone(page);
  assert.equal(await page.inputValue("#f-enterprise"), enterprise);
  assert.notEqual(await page.inputValue("#f-visitor"), "");
  const problem = `新厂房用电报装进度慢 ${Date.now() % 100000}`;
  await page.selectOption("#f-visit_form", "现场办公");
  await page.fill("#f-handouts", "15");
  await page.fill("#f-discussion", "企业扩产计划与用工需求");
  await page.fill("#f-problems", `1. ${problem}\n2. 急需招聘数控操作工20名`);
  await page.screenshot({ path: `${SHOTS}/31-visit-form-phone.png`, fullPage: true });
  await Promise.all([page.waitForURL(/\/records\/\d+\?saved=1$/), page.click("button.primary")]);
  await fitsThePhone(page);
  const raise = page.locator("form.raise").first();
  await raise.locator("select[name=category]").selectOption("基础设施");
  await Promise.all([page.waitForURL(/#problem-1$/), raise.locator("button").click()]);
  await fitsThePhone(page);
  await page.screenshot({ path: `${SHOTS}/32-visit-raised-phone.png`, fullPage: true });
  await Promise.all([page.waitForURL(/\/requests\/\d+$/), page.click("#problem-1 a")]);
  await fitsThePhone(page);
  assert.equal((await page.textContent("h1")).includes(problem), true);
  assert.match(await page.textContent("dl.facts"), /走访/);
  assert.match(await page.textContent("main"), /反映问题转为诉求/);
  await context.close();
});
