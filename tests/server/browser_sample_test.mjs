// The page on the sample (data/sample, 46,750 households, 144 grids) in headless Chromium (playwright-core, as
// browser_test.mjs) at 1920x1080, where the views are crowded enough to go wrong:
//   planner: the opening view draws every gap building of the headline kind, clustered into a bounded number of
//            marks (at most 80 for thousands of buildings); zoomed to 17 every one is its own dot.
//   wall:    at least 15 of the 25 community names (placed first) and 20 grid names of at least 22 px, none overlapping another, the
//            title, the totals or the legend.
//   officer of 港湾社区第1网格 (457 households): the legends and the key-group marks.
// Screenshots sample-planner.png, sample-wall.png and sample-officer.png go to $GRIDATLAS_SCREENSHOTS. Exit 77
// (ctest: skipped) with the reason when node_modules, the built page or chromium are missing.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const env = process.env;
const CHROMIUM = env.GRIDATLAS_CHROMIUM || '/usr/bin/chromium';
const BIN = env.GRIDATLAS_BIN;
const SOURCE = env.GRIDATLAS_SOURCE_DIR;
const WEB = env.GRIDATLAS_WEB_DIR;
const MODULES = env.GRIDATLAS_NODE_MODULES;
const SHOTS = env.GRIDATLAS_SCREENSHOTS || path.join(os.tmpdir(), 'gridatlas-screenshots');
const PASSWORD = 'Browser-Test-Password-1';
const OFFICER_GRID = '999001001002001';
const skip = (reason) => { console.log('skipped: ' + reason); process.exit(77); };

if (!BIN || !fs.existsSync(BIN)) skip('the gridatlas binary is not built (GRIDATLAS_BIN)');
if (!SOURCE) skip('GRIDATLAS_SOURCE_DIR is not set');
if (!MODULES || !fs.existsSync(path.join(MODULES, 'playwright-core'))) skip('playwright-core is not installed');
if (!WEB || !fs.existsSync(path.join(WEB, 'leaflet/leaflet.js'))) skip('the web page is not built (target gridatlas_web)');
if (!fs.existsSync(CHROMIUM)) skip('chromium is not installed at ' + CHROMIUM);
const { chromium } = createRequire(path.join(MODULES, 'noop.js'))('playwright-core');

let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else failed++; console.log((ok ? '  ok   ' : '  FAIL ') + what); };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridatlas-sample-'));
fs.mkdirSync(SHOTS, { recursive: true });
const users = path.join(tmp, 'users.json');
for (const [name, role, grids] of [['officer', 'officer', OFFICER_GRID], ['planner', 'planner', ''], ['wall', 'wall', '']]) {
  const args = ['user', 'add', users, name, '--role', role];
  if (grids) args.push('--grids', grids);
  const r = spawnSync(BIN, args, { input: PASSWORD + '\n', encoding: 'utf8' });
  if (r.status !== 0) { console.log(r.stdout, r.stderr); process.exit(1); }
}

const serverLog = [];
const server = spawn(BIN, ['serve', path.join(SOURCE, 'data/sample/project.toml'), '--users', users, '--port', '0', '--web', WEB],
  { stdio: ['ignore', 'pipe', 'pipe'] });
server.stderr.on('data', (d) => serverLog.push(d.toString()));
const base = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => { server.kill('SIGKILL'); reject(new Error('the server did not start in 240 s')); }, 240000);
  server.stdout.on('data', (d) => {
    out += d.toString();
    const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  server.on('exit', (code) => reject(new Error('the server exited with ' + code + ': ' + out + serverLog.join(''))));
});

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gridatlas-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true, viewport: { width: 1920, height: 1080 }, locale: 'zh-CN',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
context.setDefaultTimeout(30000);
const page = context.pages()[0] || await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
const everything = () => page.evaluate(() => document.documentElement.outerHTML + '\n' + document.body.innerText);
const entries = (id) => page.evaluate((id) => {
  const l = document.getElementById(id);
  return l ? [...l.querySelectorAll('.legend-entry')].map((e) => e.dataset.entry + '=' + e.textContent.trim()) : null;
}, id);

async function login(name) {
  await page.goto(base + '/');
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await page.fill('#login-name', name);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
}

const rect = (e) => { const r = e.getBoundingClientRect(); return { l: r.left, r: r.right, t: r.top, b: r.bottom }; };
const apart = (a, b) => a.r <= b.l || b.r <= a.l || a.b <= b.t || b.b <= a.t;

try {
  console.log('planner');
  await login('planner');
  await page.locator('#coverage-stats').waitFor();
  const headlineShare = await page.locator('#coverage-stats .stat .v').first().innerText();
  await page.waitForFunction(() => document.getElementById('map').dataset.gapMarks !== undefined);
  const opening = await page.evaluate(async () => {
    const m = document.getElementById('map');
    const p = await (await fetch('/api/project')).json();
    const api = await (await fetch('/api/gaps?kind=' + encodeURIComponent(p.headline_kind))).json();
    return { marks: Number(m.dataset.gapMarks), buildings: Number(m.dataset.gapBuildings), api: api.features.length };
  });
  check(opening.api > 1000, 'the sample has thousands of gap buildings (' + opening.api + ')');
  check(opening.buildings === opening.api, 'every one is drawn in the opening view (' + opening.buildings + ')');
  check(opening.marks <= 80, 'as at most 80 marks (' + opening.marks + ')');
  await page.screenshot({ path: path.join(SHOTS, 'sample-planner.png') });
  await page.locator('.gap-cluster').first().click();
  await page.waitForFunction(() => Number(document.getElementById('map').dataset.gapMarks) > 0);
  await page.waitForTimeout(500);
  const zoomed = await page.evaluate(() => Number(document.getElementById('map').dataset.gapBuildings));
  check(zoomed === opening.api, 'clicking a cluster zooms in and still draws every gap building');
  check(errors.length === 0, 'no script errors' + (errors.length ? ': ' + errors.join(' | ') : ''));

  console.log('wall');
  await page.evaluate(async () => { await fetch('/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }); });
  await login('wall');
  await page.locator('#wall-legend').waitFor();
  await page.waitForFunction(() => /已标 \d+/.test(document.getElementById('wall-legend').innerText));
  const wall = await page.evaluate(() => {
    const r = (e) => { const b = e.getBoundingClientRect(); return { l: b.left, r: b.right, t: b.top, b: b.bottom }; };
    return {
      labels: [...document.querySelectorAll('.wall-label span')].map((e) => ({ top: !!e.closest('.wall-label-top'), text: e.textContent, px: parseFloat(getComputedStyle(e).fontSize), r: r(e) })),
      fixed: [...document.querySelectorAll('#wall-title, #wall-stats .stat, #wall-legend')].map(r),
      legend: document.getElementById('wall-legend').innerText,
    };
  });
  const n = wall.labels.filter((l) => !l.top).length, c = wall.labels.filter((l) => l.top).length;
  check(n >= 20, 'the wall names at least 20 grids (' + n + ')');
  check(c >= 15, 'and at least 15 of the 25 communities (' + c + ')');
  check(wall.legend.includes('网格名称（已标 ' + n + ' / 144') && wall.legend.includes('社区名称（已标 ' + c + ' / 25'),
    'the legend says how many of the 144 grids and 25 communities are named');
  check(wall.labels.every((l) => l.px >= 22), 'every name is at least 22 px');
  check(wall.labels.every((a, i) => wall.labels.every((b, j) => i === j || apart(a.r, b.r))), 'no two names overlap');
  check(wall.labels.every((a) => wall.fixed.every((f) => apart(a.r, f))), 'no name lies on the title, the totals or the legend');
  const wallCoverage = await page.locator('#wall-stats .stat').last().innerText();
  check(wallCoverage.includes(headlineShare), 'the wall\'s coverage is the planner\'s ' + headlineShare + ' (' + wallCoverage.replace(/\s+/g, ' ') + ')');
  await page.screenshot({ path: path.join(SHOTS, 'sample-wall.png') });

  console.log('officer');
  await page.evaluate(async () => { await fetch('/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }); });
  await login('officer');
  await page.locator('#officer-legend').waitFor();
  await page.locator('#central-list li').first().waitFor();
  const officer = await page.evaluate(() => ({
    legend: [...document.querySelectorAll('#officer-legend .legend-entry')].map((e) => e.dataset.entry),
    status: document.querySelectorAll('#status-legend .legend-entry').length,
    bands: document.querySelectorAll('#base-legend .legend-entry').length,
    marks: [...document.querySelectorAll('.key-group')].map((e) => Number(e.textContent)),
  }));
  check(officer.legend.includes('key-groups') && officer.status === 5 && officer.bands === 6, 'the officer sees the three legends (' + JSON.stringify(officer) + ')');
  check(officer.marks.length > 0 && officer.marks.every((x) => x >= 1), 'key-group marks with their counts (' + officer.marks.length + ' buildings)');
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  check(!['独居老人', '残疾', '低保'].some((w) => html.includes(w)), 'no key group\'s words in the page');
  await page.screenshot({ path: path.join(SHOTS, 'sample-officer.png') });
  check(errors.length === 0, 'no script errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  failed++;
  console.log('  FAIL ' + (e && e.stack ? e.stack : e));
} finally {
  await context.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve(code === null ? signal : code)));
  server.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15000))]);
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
