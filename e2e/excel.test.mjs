// Excel round trip in the browser: an office worker exports a ledger page, uploads the file on
// the import page, sees it checked (every row already there), confirms, and reads the result.
// Run by e2e/run.sh with the other browser tests.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
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

test("an exported ledger imports back as duplicates only, after a preview and a confirmation", async () => {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 }, locale: "zh-CN", acceptDownloads: true,
  });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("input[name=login]", "office");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click("button[type=submit]")]);

  await page.goto(`${BASE}/ledger/honor?year=2024`);
  const listed = Number((await page.textContent("main")).match(/共 (\d+) 条/)[1]);
  assert.ok(listed > 0, "the demo has honours in 2024");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("text=导出 Excel"),
  ]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  const file = `${SHOTS}/export-honor-2024.xlsx`;
  await download.saveAs(file);

  await page.goto(`${BASE}/import`);
  await page.setInputFiles("input[name=file]", file);
  await page.click("text=上传并检查");
  await page.waitForSelector("text=检查通过，确认导入", { timeout: 60_000 });
  const checked = await page.textContent("main");
  assert.match(checked, new RegExp(`将导入 0 条，跳过重复 ${listed} 条`));
  assert.match(checked, /预览/);
  await page.screenshot({ path: `${SHOTS}/20-import-checked.png`, fullPage: true });

  await page.click("text=检查通过，确认导入");
  await page.waitForSelector("text=导入完成", { timeout: 60_000 });
  assert.match(await page.textContent("main"), new RegExp(`共导入 0 条，跳过重复 ${listed} 条`));
  await page.screenshot({ path: `${SHOTS}/21-import-done.png`, fullPage: true });
  await context.close();
});
