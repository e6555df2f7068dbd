// The household-status map (网格图) and key groups (重点人群) in the page: headless Chromium (playwright-core, as
// browser_test.mjs) on tests/fixtures/status (README there: S1 has 2 key-group households, S2 1, S3 0).
//   officer of 西网格: the status legend with the printed maps' five words and glosses, S1's status cells (from zoom
//            17, only the statuses it has), the officer legend with its
//            key-group entry, one teal key-group mark "2" on S1 and its count in S1's panel; the groups' words
//            (独居老人, 残疾, 低保) nowhere in the page.
//   planner: no key-group mark, entry or count, and no household status per building.
// Screenshots officer-status.png and planner-status.png (1920x1080) go to $GRIDATLAS_SCREENSHOTS. Exit 77 (ctest:
// skipped) with the reason when node_modules, the built page or chromium are missing.
import fs from 'node:fs';
import path from 'node:path';
import { SOURCE, SHOTS, check, fail, finish, scratch, addUsers, startServer, openBrowser, login as loginAs, logout, everything as pageText } from './browser_harness.mjs';

const WEST = '110101002001';
const GROUP_WORDS = ['独居老人', '残疾', '低保'];
const tmp = scratch('status');
const users = path.join(tmp, 'users.json');
addUsers(users, [['west', 'officer', WEST], ['planner', 'planner', '']]);
const server = await startServer(path.join(SOURCE, 'tests/fixtures/status/project.toml'), users);
const { page, errors, close } = await openBrowser();
const login = (name) => loginAs(page, server.base, name);
const everything = () => pageText(page);
const entries = (id) => page.evaluate((id) => {
  const l = document.getElementById(id);
  return l ? [...l.querySelectorAll('.legend-entry')].map((e) => e.dataset.entry + '=' + e.textContent.trim()) : null;
}, id);

try {
  console.log('officer');
  await login('west');
  await page.locator('path.building-S1').waitFor({ state: 'visible' });
  await page.locator('#officer-legend').waitFor();
  const status = await entries('status-legend');
  check(JSON.stringify(status) === JSON.stringify(['resident=常住（自住）', 'rented=租住（出租）', 'vacant=空置（无人居住）',
    'business=经营（商铺）', 'unknown=未知（待核实）']), 'the status legend has the printed maps\' five entries (' + status + ')');
  const officer = await entries('officer-legend');
  check(officer && officer.includes('key-groups=重点人群户数'), 'the officer legend names the key-group mark (' + officer + ')');
  const marks = await page.locator('.key-group').allInnerTexts();
  check(JSON.stringify(marks.map((t) => t.trim())) === '["2"]', 'one key-group mark, "2" on S1 (' + marks + ')');
  const colour = await page.locator('.key-group i.kg').evaluate((e) => getComputedStyle(e).backgroundColor);
  check(colour === 'rgb(0, 121, 107)', 'the mark is the printed maps\' key-group teal (' + colour + ')');
  // The status cells show from zoom 17 (the legend says so below it): zoom in until the hint goes, then S1 has one
  // cell per status it has (6 常住, 4 租住, 2 空置, 1 经营; no zero cells).
  for (let i = 0; i < 8 && await page.locator('#status-hint').isVisible(); i++) {
    await page.click('.leaflet-control-zoom-in');
    await page.waitForTimeout(400);
  }
  check(await page.locator('#status-hint').isHidden(), 'zoomed in, the status hint is gone');
  const cells = await page.locator('.status-mark .status-cells').evaluateAll((es) => es.map((e) =>
    [...e.children].map((c) => c.className.replace('status-cell st-', '') + c.textContent).join(' ')));
  check(JSON.stringify(cells) === '["resident6 rented4 vacant2 business1"]', 'S1\'s cells on the map: 6 4 2 1 (' + cells + ')');
  await page.click('.leaflet-control-zoom-out');
  await page.waitForTimeout(400);
  const b1 = await page.locator('path.building-S1').boundingBox();
  await page.mouse.click(b1.x + 4, b1.y + 4);
  await page.locator('#building tr.household').first().waitFor();
  check((await page.locator('#building .stats').innerText()).replace(/\s+/g, ' ').includes('2 重点人群户'), 'S1\'s panel counts 2 key-group households');
  let html = await everything();
  check(GROUP_WORDS.every((w) => !html.includes(w)), 'no key group\'s words anywhere in the page');
  await page.screenshot({ path: path.join(SHOTS, 'officer-status.png') });

  console.log('planner');
  await logout(page);
  await login('planner');
  await page.locator('#coverage-stats').waitFor();
  html = await everything();
  check(await page.locator('.key-group').count() === 0 && !html.includes('重点人群'), 'the planner sees no key-group mark, entry or count');
  check(GROUP_WORDS.every((w) => !html.includes(w)) && !html.includes('ZTX'), 'nor any group word or household name');
  check(await page.locator('.status-mark').count() === 0, 'nor any building\'s status cells');
  await page.screenshot({ path: path.join(SHOTS, 'planner-status.png') });
  check(errors.length === 0, 'no script errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
} catch (e) {
  fail(e);
} finally {
  await close();
  await server.stop();
  const log = server.log();
  check(GROUP_WORDS.every((w) => !log.includes(w)) && !log.includes('ZTX'), 'the server log holds no group word and no name');
  fs.rmSync(tmp, { recursive: true, force: true });
}
finish();
