// What every browser test of the page shares: the environment ctest passes (and exit 77, ctest's "skipped", with the
// reason when node_modules, the built page or chromium are missing), the ok/FAIL tally, users added through
// `gridatlas user add`, `gridatlas serve` on a free loopback port, Debian's headless Chromium through playwright-core,
// logging in and out, and stopping it all.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const env = process.env;
export const PASSWORD = 'Browser-Test-Password-1';
export const BIN = env.GRIDATLAS_BIN;
export const SOURCE = env.GRIDATLAS_SOURCE_DIR;
export const WEB = env.GRIDATLAS_WEB_DIR;
export const SHOTS = env.GRIDATLAS_SCREENSHOTS || path.join(os.tmpdir(), 'gridatlas-screenshots');
const CHROMIUM = env.GRIDATLAS_CHROMIUM || '/usr/bin/chromium';
const MODULES = env.GRIDATLAS_NODE_MODULES;

function skip(reason) {
  console.log('skipped: ' + reason);
  process.exit(77);
}
if (!BIN || !fs.existsSync(BIN)) skip('the gridatlas binary is not built (GRIDATLAS_BIN)');
if (!SOURCE) skip('GRIDATLAS_SOURCE_DIR is not set');
if (!MODULES || !fs.existsSync(path.join(MODULES, 'playwright-core'))) skip('playwright-core is not installed (npm ci in the build did not run: is npm available?)');
if (!WEB || !fs.existsSync(path.join(WEB, 'index.html')) || !fs.existsSync(path.join(WEB, 'leaflet/leaflet.js')))
  skip('the web page is not built (target gridatlas_web)');
if (!fs.existsSync(CHROMIUM)) skip('chromium is not installed at ' + CHROMIUM + ' (apt-get install chromium)');
const { chromium } = createRequire(path.join(MODULES, 'noop.js'))('playwright-core');
fs.mkdirSync(SHOTS, { recursive: true });

// The tally: check(ok, what) prints one line; finish() prints the counts and exits 1 on any failure.
let passed = 0, failed = 0;
export function check(ok, what) {
  if (ok) passed++; else failed++;
  console.log((ok ? '  ok   ' : '  FAIL ') + what);
}
export function fail(e) { check(false, e && e.stack ? e.stack : String(e)); }
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// A scratch folder and a users file with [name, role, grids] users, all with PASSWORD.
export function scratch(tag) { return fs.mkdtempSync(path.join(os.tmpdir(), 'gridatlas-' + tag + '-')); }
export function addUsers(file, users) {
  for (const [name, role, grids] of users) {
    const args = ['user', 'add', file, name, '--role', role];
    if (grids) args.push('--grids', grids);
    const r = spawnSync(BIN, args, { input: PASSWORD + '\n', encoding: 'utf8' });
    if (r.status !== 0) { console.log(r.stdout, r.stderr); process.exit(1); }
  }
}

// `gridatlas serve project` on port 0; resolves when it prints where it listens. { base, log(), stop() -> exit code }
export async function startServer(project, users, startSeconds = 120) {
  const logged = [];
  const server = spawn(BIN, ['serve', project, '--users', users, '--port', '0', '--web', WEB], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.on('data', (d) => logged.push(d.toString()));
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve(code === null ? signal : code)));
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { server.kill('SIGKILL'); reject(new Error(`the server did not start in ${startSeconds} s: ` + out + logged.join(''))); }, startSeconds * 1000);
    server.stdout.on('data', (d) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error('the server exited with ' + code + ': ' + out + logged.join(''))); });
  });
  const stop = async () => {
    server.kill('SIGTERM');
    return await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15000))]);
  };
  return { base, log: () => logged.join(''), stop };
}

// Headless Chromium with its own profile. { context, page, errors (page errors), close() }
export async function openBrowser({ width = 1920, height = 1080, initScript } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gridatlas-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width, height }, locale: 'zh-CN',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(30000);
  if (initScript) await context.addInitScript(initScript);
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const close = async () => {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, errors, close };
}

export async function login(page, base, name, password = PASSWORD) {
  if (!(await page.locator('#login-view').isVisible())) await page.goto(base + '/');
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
}
export async function logout(page) {
  await page.evaluate(async () => { await fetch('/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }); });
}

// The whole page as text: the markup and what it shows.
export async function everything(page) {
  return await page.evaluate(() => document.documentElement.outerHTML + '\n' + document.body.innerText);
}
