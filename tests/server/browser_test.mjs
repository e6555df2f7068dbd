// The page in a real browser: Debian's headless Chromium driven by playwright-core (from web/package.json's
// devDependencies, installed into the build by npm ci). Starts `gridatlas serve` on the tiny fixture on a free
// loopback port, then:
//   officer: logs in, sees their grid's outline and buildings (and not the other grid's), finds the central household,
//            clicks a building on the map and sees its units and households with names and phones; another grid's
//            households answer 403; the session cookie is HttpOnly and SameSite=Strict; no personal value of another
//            grid is anywhere in the page.
//   planner: switches service kinds and sees the coverage and the gaps, and no household.
//   wall:    the overview full-screen with no controls, grid names of at least 22 px that never overlap.
// Every view: its legend is on the map with its entries, in the printed maps' words (1920x1080, as a wall screen).
// Screenshots go to $GRIDATLAS_SCREENSHOTS (officer.png, planner.png, wall.png). Exit 77 (ctest: skipped) with the
// reason when node_modules, the built page or chromium are missing.
import fs from 'node:fs';
import path from 'node:path';
import { SOURCE, SHOTS, PASSWORD, check, fail, finish, scratch, addUsers, startServer, openBrowser, login as loginAs, everything as pageText } from './browser_harness.mjs';

const PROJECT = process.env.GRIDATLAS_PROJECT || path.join(SOURCE, 'tests/server/fixtures/project.toml');
const OFFICER_GRID = process.env.GRIDATLAS_OFFICER_GRID || '110101001001';
const tmp = scratch('browser');
const users = path.join(tmp, 'users.json');
addUsers(users, [['west', 'officer', OFFICER_GRID], ['planner', 'planner', ''], ['wall', 'wall', '']]);
const server = await startServer(PROJECT, users);
const base = server.base;
console.log('server at ' + base);

const { context, page, errors: consoleErrors, close } = await openBrowser();
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
const failedUrls = [];
page.on('response', (r) => { if (r.status() >= 400) failedUrls.push(r.status() + ' ' + new URL(r.url()).pathname); });
const login = (name) => loginAs(page, base, name);
const ownNames = ['秘名甲QZX', '秘名乙QZX', '秘名丙QZX', '秘名己QZX'];
const otherNames = ['秘名戊QZX', '秘名癸QZX', '秘名丁QZX', '秘名壬QZX', '秘名庚QZX', '秘名辛QZX'];

// The legend `id` is on the map with exactly these entries (data-entry keys), each with a swatch and words.
async function legendHas(id, keys, what) {
  const found = await page.evaluate((id) => {
    const l = document.getElementById(id);
    if (!l || !l.closest('.leaflet-control-container')) return null;
    return [...l.querySelectorAll('.legend-entry')].map((e) => ({ key: e.dataset.entry, swatch: !!e.querySelector('i'), words: e.textContent.trim() }));
  }, id);
  check(found !== null && JSON.stringify(found.map((e) => e.key)) === JSON.stringify(keys) && found.every((e) => e.swatch && e.words.length > 1),
    what + ' (' + id + ': ' + (found ? found.map((e) => e.key + '=' + e.words).join(', ') : 'missing') + ')');
}
// The fixture's kinds have a 5-minute threshold: one band up to it, then beyond (render/style_palette.cpp Bands::legend).
const BANDS = ['le5', 'beyond', 'unknown', 'nonres'];

const everything = () => pageText(page);

try {
  // --- officer --------------------------------------------------------------------------------------------------
  console.log('officer');
  await page.goto(base + '/');
  await page.fill('#login-name', 'west');
  await page.fill('#login-password', 'wrong-password');
  await page.click('#login-submit');
  await page.locator('#login-error', { hasText: '用户名或密码错误' }).waitFor();
  check(true, 'a wrong password says 用户名或密码错误');

  await login('west');
  await page.locator('path.building-B1').waitFor({ state: 'visible' });
  check(await page.locator('path.building-B3').count() === 1, 'the grid\'s buildings B1 and B3 are on the map');
  check(await page.locator('path.building-B2').count() === 0, 'the other grid\'s building B2 is not');
  check(await page.locator('path.grid-' + OFFICER_GRID).count() === 1, 'the grid\'s boundary is on the map');
  check(await page.locator('path.grid-110101001002').count() === 0, 'the other grid\'s boundary is not');
  check((await page.locator('#user-info').innerText()).includes('网格员'), 'the top bar says 网格员');
  await page.locator('#central-list li').first().waitFor();
  const central = await page.locator('#central').innerText();
  check(central.includes('党员中心户') && central.includes('秘名甲QZX') && central.includes('H01'), 'the central household H01 (秘名甲QZX) is listed');
  check(await page.locator('.leaflet-tile-loaded').count() > 0, 'map tiles loaded');
  check(await page.evaluate(() => [...document.querySelectorAll('#map img.leaflet-tile')].every((t) => !/@2x/.test(t.src) && t.style.width === '256px')),
    'the officer\'s map shows 256 px tiles');

  // Click inside the footprint away from its centre, where the central household's marker sits.
  const b1 = await page.locator('path.building-B1').boundingBox();
  await page.mouse.click(b1.x + Math.min(6, b1.width / 4), b1.y + Math.min(6, b1.height / 4));
  await page.locator('#building tr.household').first().waitFor();
  const building = await page.locator('#building').innerText();
  check(building.includes('楼栋 B1'), 'clicking B1 opens its panel');
  check(building.includes('1单元') && building.includes('2单元'), 'its units are shown');
  check(building.includes('秘名甲QZX') && building.includes('13900007701'), 'households with name and phone are shown');
  check(building.includes('秘名丙QZX') && building.includes('中心户'), 'the second unit and the central household mark are shown');
  check(await page.locator('#building tr.household').count() === 3, 'B1 has three households');
  check(await page.locator('path.building-B1.building-selected').count() === 1, 'B1 is highlighted');

  let html = await everything();
  check(otherNames.every((n) => !html.includes(n)), 'no other grid\'s or unplaced household\'s name is anywhere in the page');
  check(!html.includes('13900007704') && !html.includes('13900007705') && !html.includes('13900007710'), 'no other grid\'s phone is anywhere in the page');

  const probe = await page.evaluate(async () => {
    const r = await fetch('/api/grids/110101001002/households');
    const b = await fetch('/api/buildings/B2');
    return { status: r.status, body: await r.text(), building: b.status, cookie: document.cookie };
  });
  check(probe.status === 403 && !probe.body.includes('QZX'), 'the other grid\'s households answer 403 with nothing of them');
  check(probe.building === 403, 'the other grid\'s building answers 403');
  check(!probe.cookie.includes('gridatlas_session'), 'scripts cannot read the session cookie');
  const cookies = await context.cookies(base);
  const session = cookies.find((c) => c.name === 'gridatlas_session');
  check(session && session.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');

  await page.fill('#search-input', 'B');
  await page.press('#search-input', 'Enter');
  await page.locator('#search-results li').first().waitFor();
  const found = await page.locator('#search-results').innerText();
  check(found.includes('B1') && found.includes('B3') && !found.includes('B2'), 'search finds the grid\'s buildings only');
  await page.fill('#search-input', '');
  await page.press('#search-input', 'Enter');

  await legendHas('officer-legend', ['grid', 'building', 'building-central', 'central'], 'the officer legend names the grid, buildings and central households');
  await legendHas('base-legend', BANDS, 'the officer sees the tiles\' walking-minute bands');
  check((await page.locator('#base-legend').innerText()).includes('≤ 5 分钟') && (await page.locator('#base-legend').innerText()).includes('> 5 分钟（超出步行圈）'), 'the bands use the printed maps\' words');
  check(await page.locator('#officer-legend .bld').evaluate((e) => getComputedStyle(e).backgroundColor) !== 'rgb(215, 48, 39)',
    'the officer\'s buildings are not drawn in the tiles\' > 15 min red');
  await page.screenshot({ path: path.join(SHOTS, 'officer.png') });
  check(fs.statSync(path.join(SHOTS, 'officer.png')).size > 10000, 'officer screenshot taken');

  // --- planner --------------------------------------------------------------------------------------------------
  console.log('planner');
  await page.click('#logout');                       // ends the session and reloads the page
  await page.waitForURL(base + '/');
  await page.locator('#login-view').waitFor({ state: 'visible' });
  check((await page.evaluate(async () => (await fetch('/api/me')).status)) === 401, 'after logout the session is gone on the server');
  await login('planner');
  await page.locator('#coverage-stats').waitFor();
  check((await page.locator('#summary h2').innerText()).includes('党群服务中心'), 'the headline kind is shown first');
  const headlineShare = await page.locator('#coverage-stats .stat .v').first().innerText();
  check(await page.locator('#coverage-table tbody tr').count() === 2, 'both grids are in the coverage table');
  check(await page.locator('path.coverage').count() === 2, 'the grids are coloured by coverage');
  await page.selectOption('#kind-select', 'health');
  await page.locator('#summary h2', { hasText: '卫生医疗' }).waitFor();
  const summary = await page.locator('#summary').innerText();
  check(summary.includes('住户覆盖率') && summary.includes('缺口楼栋'), 'switching kinds shows coverage and gaps of 卫生医疗');
  html = await everything();
  check(![...ownNames, ...otherNames].some((n) => html.includes(n)) && !html.includes('139000077'), 'the planner sees no name or phone');
  const planner = await page.evaluate(async () => (await fetch('/api/grids/110101001001/households')).status);
  check(planner === 403, 'the planner\'s households request answers 403');
  await legendHas('planner-legend', ['c3', 'c2', 'c1', 'c0', 'gap', 'gap-cluster', 'facility'], 'the planner legend names coverage, gaps and facilities');
  check((await page.locator('#planner-legend').innerText()).includes('缺口：超过 5 分钟的住宅楼'), 'the gap entry follows the kind\'s threshold');
  await legendHas('base-legend', BANDS, 'the planner sees the tiles\' walking-minute bands');
  const swatches = await page.evaluate(() => {
    const colour = (sel) => [...document.querySelectorAll(sel)].map((e) => getComputedStyle(e).backgroundColor);
    return { coverage: colour('#planner-legend i.c0, #planner-legend i.c1, #planner-legend i.c2, #planner-legend i.c3'), bands: colour('#base-legend i.band') };
  });
  check(swatches.coverage.length === 4 && swatches.coverage.every((c) => !swatches.bands.includes(c)),
    'no coverage colour is one of the walking bands\' (' + swatches.coverage.join(' ') + ')');
  const gapsDrawn = await page.evaluate(async () => {
    const m = document.getElementById('map');
    const api = await (await fetch('/api/gaps?kind=health')).json();
    return { marks: Number(m.dataset.gapMarks), buildings: Number(m.dataset.gapBuildings), api: api.features.length };
  });
  check(gapsDrawn.buildings === gapsDrawn.api && gapsDrawn.api > 0 && gapsDrawn.marks >= 1 && gapsDrawn.marks <= gapsDrawn.api,
    'every gap building of 卫生医疗 is drawn, as ' + gapsDrawn.marks + ' marks (' + gapsDrawn.buildings + ' of ' + gapsDrawn.api + ')');
  await page.screenshot({ path: path.join(SHOTS, 'planner.png') });

  // --- wall -----------------------------------------------------------------------------------------------------
  console.log('wall');
  await page.evaluate(async () => { await fetch('/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }); });
  await login('wall');
  await page.locator('#wall-view').waitFor({ state: 'visible' });
  await page.locator('#wall-stats .stat').first().waitFor();
  check(await page.locator('#app-view').isHidden(), 'the wall shows no top bar or panel');
  check(await page.locator('.leaflet-control-zoom').count() === 0 && await page.locator('.leaflet-control-attribution').count() === 0,
    'the wall map has no controls');
  check(await page.locator('#wall-view button:visible, #wall-view input:visible, #wall-view select:visible').count() === 0, 'nothing to press on the wall');
  const box = await page.locator('#wall-map').boundingBox();
  check(box && box.width === 1920 && box.height === 1080, 'the wall map fills the screen');
  check((await page.locator('#wall-stats').innerText()).includes('户数'), 'the wall shows the totals');
  // Both grids (4 and 3 households) are below the server's k and withhold their counts; the community (7) does not,
  // so the wall's coverage is the whole project's, the planner's figure, with nothing left out.
  const wallCoverage = await page.locator('#wall-stats .stat').last().innerText();
  check(wallCoverage.includes(headlineShare) && !wallCoverage.includes('不含'), 'the wall\'s coverage is the planner\'s ' + headlineShare + ' (' + wallCoverage.replace(/\s+/g, ' ') + ')');
  html = await everything();
  check(![...ownNames, ...otherNames].some((n) => html.includes(n)), 'the wall shows no name');
  await legendHas('wall-legend', [...BANDS, 'top', 'top-name', 'grid', 'grid-name'], 'the wall legend names the bands and the grid boundary');
  const legendPx = await page.locator('#wall-legend').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  check(legendPx >= 20, 'the wall legend is readable from 2–3 m (' + legendPx + ' px)');
  const labels = await page.evaluate(() => [...document.querySelectorAll('.wall-label-fine span')].map((e) => {
    const r = e.getBoundingClientRect();
    return { text: e.textContent, px: parseFloat(getComputedStyle(e).fontSize), r: { l: r.left, r: r.right, t: r.top, b: r.bottom } };
  }));
  check(labels.map((l) => l.text).sort().join() === '东网格,西网格', 'the wall names both grids (' + labels.map((l) => l.text).join(', ') + ')');
  check(labels.every((l) => l.px >= 22), 'the wall\'s grid names are at least 22 px');
  const apart = (a, b) => a.r <= b.l || b.r <= a.l || a.b <= b.t || b.b <= a.t;
  check(labels.every((a, i) => labels.every((b, j) => i === j || apart(a.r, b.r))), 'no two grid names overlap');
  check((await page.locator('#wall-legend').innerText()).includes('网格名称（已标 2 / 2）'), 'the wall legend says how many grids are named');
  const top = await page.locator('.wall-label-top span').allTextContents();
  check(JSON.stringify(top) === '["东华门社区"]', 'the wall names the community too (' + top + ')');
  check((await page.locator('#wall-legend').innerText()).includes('社区名称（已标 1 / 1）'), 'and counts it');
  const all = await page.evaluate(() => [...document.querySelectorAll('.wall-label span')].map((e) => {
    const r = e.getBoundingClientRect();
    return { l: r.left, r: r.right, t: r.top, b: r.bottom };
  }));
  check(all.length === 3 && all.every((a, i) => all.every((b, j) => i === j || apart(a, b))), 'no community name overlaps a grid name');
  // The wall shows 512 px tiles (@2x) laid out at 512 px each (Leaflet's tileSize; the map's fractional zoom then
  // scales the whole tile pane), so the tiles' own labels are readable from 2–3 m too; without the grid and community
  // names, which the wall draws itself (once: a tile's name beside the page's would say it twice).
  await page.locator('#wall-map .leaflet-tile-loaded').first().waitFor();
  const tiles = await page.evaluate(() => [...document.querySelectorAll('#wall-map img.leaflet-tile-loaded')].map((t) => ({
    src: t.src, laid: t.style.width, natural: t.naturalWidth })));
  check(tiles.length > 0 && tiles.every((t) => /\/tiles\/plain\/.*@2x\.png$/.test(t.src) && t.laid === '512px' && (t.natural === 512 || t.natural === 1)),
    'the wall\'s tiles are 512 px @2x tiles laid out at 512 px (' + tiles.slice(0, 2).map((t) => t.src.replace(/^.*tiles/, '') + ' ' + t.laid + '/' + t.natural).join(', ') + ')');
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(SHOTS, 'wall.png') });

  const unexpected = consoleErrors.filter((e) => !/status of 40[13]/.test(e));
  const unexpectedUrls = failedUrls.filter((u) => !/^40[13] /.test(u));
  check(unexpectedUrls.length === 0, 'every request but the deliberate 401/403 probes succeeded' + (unexpectedUrls.length ? ': ' + unexpectedUrls.join(', ') : ''));
  check(unexpected.length === 0, 'no script or content-security errors in the console' + (unexpected.length ? ': ' + unexpected.join(' | ') : ''));
} catch (e) {
  fail(e);
  try { await page.screenshot({ path: path.join(SHOTS, 'failure.png') }); } catch (_) { /* no page */ }
} finally {
  await close();
  const code = await server.stop();
  check(code === 0, 'the server stops cleanly on SIGTERM (exit ' + code + ')');
  const log = server.log();
  check(!log.includes('QZX') && !log.includes('139000077') && !log.includes(PASSWORD), 'the server log holds no personal value and no password');
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log('screenshots: ' + SHOTS);
finish();
