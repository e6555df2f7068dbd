// The page on the sample (data/sample, 46,750 households, 144 grids) in headless Chromium (playwright-core, as
// browser_test.mjs) at 1920x1080, where the views are crowded enough to go wrong:
//   planner: the opening view draws every gap building of the headline kind, clustered into a bounded number of
//            marks (at most 80 for thousands of buildings); zoomed to 17 every one is its own dot.
//   wall:    at least 15 of the 25 community names (placed first) and 20 grid names of at least 22 px, none overlapping another, the
//            title, the totals or the legend.
//   officer of 港湾社区第1网格 (457 households): the legends and the key-group marks.
// Screenshots sample-planner.png, sample-wall.png and sample-officer.png go to $GRIDATLAS_SCREENSHOTS. Exit 77
// (ctest: skipped) with the reason when node_modules, the built page or chromium are missing.
import fs from 'node:fs';
import path from 'node:path';
import { SOURCE, SHOTS, check, fail, finish, scratch, addUsers, startServer, openBrowser, login as loginAs, logout } from './browser_harness.mjs';

const OFFICER_GRID = '999001001002001';
const tmp = scratch('sample');
const users = path.join(tmp, 'users.json');
addUsers(users, [['officer', 'officer', OFFICER_GRID], ['planner', 'planner', ''], ['wall', 'wall', '']]);
const server = await startServer(path.join(SOURCE, 'data/sample/project.toml'), users, 240);
const { page, errors, close } = await openBrowser();
const login = (name) => loginAs(page, server.base, name);

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
  await logout(page);
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
  await logout(page);
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
  fail(e);
} finally {
  await close();
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
finish();
