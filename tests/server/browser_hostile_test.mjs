// Text is text: the page in headless Chromium (playwright-core, as browser_test.mjs) on a copy of the tiny fixture
// whose grid, community, building and facility names and heads of household are HTML (<img onerror>, <svg onload>,
// <b>). Logs in as an officer, a planner and the wall (whose grid names are drawn as labels), opens every tooltip on
// the map (Leaflet parses string tooltips as HTML) and every panel, then asserts: the hostile text is shown literally, no element came from the data (no <img>,
// <svg onload>, <b> or on* attribute anywhere outside Leaflet's own markup), no handler ran. Exit 77 (ctest: skipped)
// with the reason when node_modules, the built page or chromium are missing.
import fs from 'node:fs';
import path from 'node:path';
import { SOURCE, check, fail, finish, scratch, addUsers, startServer, openBrowser, login as loginAs, logout } from './browser_harness.mjs';

// --- the hostile copy of the tiny fixture ---------------------------------------------------------------------------
// No comma or quote in any of them, so the CSV stays one field per value.
const HOSTILE = ['<img src=x onerror=window.__pwned=1>', '<svg onload=window.__pwned=2>', '<b class=injected>粗</b>',
  '</span><img src=y onerror=window.__pwned=3>'];
const tmp = scratch('hostile');
const data = path.join(tmp, 'tiny');
fs.cpSync(path.join(SOURCE, 'tests/fixtures/tiny'), data, { recursive: true });
let n = 0;
const hostile = (original) => HOSTILE[n++ % HOSTILE.length] + (original || '');
for (const layer of ['buildings', 'grids', 'communities', 'facilities']) {
  const file = path.join(data, layer + '.geojson');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const f of json.features) f.properties.name = hostile(f.properties.name);
  fs.writeFileSync(file, JSON.stringify(json));
}
const csv = fs.readFileSync(path.join(data, 'households.csv'), 'utf8').split('\n');
const nameCol = csv[0].split(',').indexOf('head_name');
fs.writeFileSync(path.join(data, 'households.csv'), csv.map((line, i) => {
  if (i === 0 || !line) return line;
  const cells = line.split(',');
  cells[nameCol] = hostile(cells[nameCol]);
  return cells.join(',');
}).join('\n'));
const toml = fs.readFileSync(path.join(SOURCE, 'tests/server/fixtures/project.toml'), 'utf8').replaceAll('../../fixtures/tiny/', 'tiny/');
fs.writeFileSync(path.join(tmp, 'project.toml'), toml);

const users = path.join(tmp, 'users.json');
addUsers(users, [['west', 'officer', '110101001001'], ['planner', 'planner', ''], ['wall', 'wall', '']]);
const server = await startServer(path.join(tmp, 'project.toml'), users);
// Every Leaflet map the page makes is kept in window.__maps, so the test can open every tooltip (canvas ones too).
const { page, close } = await openBrowser({ width: 1400, height: 900, initScript: () => {
  window.__maps = [];
  let lib;
  Object.defineProperty(window, 'L', {
    configurable: true, get: () => lib,
    set: (v) => { lib = v; if (v && v.Map && v.Map.addInitHook) v.Map.addInitHook(function () { window.__maps.push(this); }); },
  });
} });
const login = (name) => loginAs(page, server.base, name);

async function openEverything() {
  return await page.evaluate(() => {
    let opened = 0;
    for (const map of window.__maps) {
      map.eachLayer((l) => {
        if (!l.getTooltip || !l.getTooltip()) return;
        const at = l.getLatLng ? l.getLatLng() : (l.getBounds ? l.getBounds().getCenter() : undefined);
        l.openTooltip(at);
        opened++;
      });
    }
    return opened;
  });
}

// What the data could have made: any <img>/<svg> outside Leaflet's map pane, any <b class=injected>, any on* attribute.
async function injected() {
  return await page.evaluate(() => {
    const found = [];
    for (const e of document.querySelectorAll('*')) {
      if ([...e.attributes].some((a) => a.name.startsWith('on'))) found.push(e.tagName + ' with ' + [...e.attributes].map((a) => a.name).join(' '));
      else if (e.tagName === 'IMG' && !e.classList.contains('leaflet-tile')) found.push('IMG ' + e.getAttribute('src'));
      else if (e.tagName.toLowerCase() === 'svg' && !e.closest('.leaflet-overlay-pane') && !e.closest('.leaflet-control-container')) found.push('SVG');
      else if (e.classList.contains('injected')) found.push(e.tagName + '.injected');
    }
    return { found, pwned: window.__pwned, tooltips: [...document.querySelectorAll('.leaflet-tooltip')].map((t) => t.textContent) };
  });
}

try {
  console.log('officer');
  await login('west');
  await page.locator('#central-list li').first().waitFor();
  await page.locator('path.building-B1').waitFor({ state: 'visible' });
  await page.locator('#central-list button').first().click();
  await page.locator('#building tr.household').first().waitFor();
  let opened = await openEverything();
  let r = await injected();
  check(opened >= 3, 'opened ' + opened + ' tooltips on the officer\'s map');
  check(r.tooltips.some((t) => t.includes('<img src=x onerror=window.__pwned=1>') || t.includes('<svg onload=')), 'a hostile name shows literally in a tooltip');
  const panel = await page.locator('#building').innerText();
  check(HOSTILE.some((h) => panel.includes(h)), 'a hostile head of household shows literally in the building panel');
  check(r.found.length === 0, 'no element injected for the officer' + (r.found.length ? ': ' + r.found.join(', ') : ''));
  check(r.pwned === undefined, 'no injected handler ran for the officer');

  console.log('planner');
  await logout(page);
  await page.evaluate(() => { window.__maps = []; });
  await login('planner');
  await page.locator('#coverage-stats').waitFor();
  await page.selectOption('#kind-select', 'health');
  await page.locator('#summary h2', { hasText: '卫生医疗' }).waitFor();
  opened = await openEverything();
  r = await injected();
  check(opened >= 3, 'opened ' + opened + ' tooltips on the planner\'s map');
  check(r.tooltips.some((t) => HOSTILE.some((h) => t.includes(h))), 'hostile names show literally in the planner\'s tooltips');
  check(r.found.length === 0, 'no element injected for the planner' + (r.found.length ? ': ' + r.found.join(', ') : ''));
  check(r.pwned === undefined, 'no injected handler ran for the planner');

  console.log('wall');
  await logout(page);
  await page.evaluate(() => { window.__maps = []; });
  await login('wall');
  await page.locator('#wall-legend').waitFor();
  await page.waitForFunction(() => /已标 \d+/.test(document.getElementById('wall-legend').innerText));
  const names = await page.locator('.wall-label-fine span').allTextContents();
  r = await injected();
  // The long hostile names may not all fit without overlapping: at least one is drawn, and the legend counts them.
  const community = await page.locator('.wall-label-top span').allTextContents();
  check(names.length + community.length >= 1 && [...names, ...community].every((n) => HOSTILE.some((h) => n.includes(h))),
    'the wall\'s names show the hostile text literally (' + names.length + ' grids, ' + community.length + ' community)');
  check((await page.locator('#wall-legend').innerText()).includes('网格名称（已标 ' + names.length + ' / 2'), 'the wall legend counts the names drawn');
  check((await page.locator('#wall-legend').innerText()).includes('社区名称（已标 ' + community.length + ' / 1'), 'and counts the community name drawn');
  check(r.found.length === 0, 'no element injected on the wall' + (r.found.length ? ': ' + r.found.join(', ') : ''));
  check(r.pwned === undefined, 'no injected handler ran on the wall');
} catch (e) {
  fail(e);
} finally {
  await close();
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
finish();
