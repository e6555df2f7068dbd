// GridAtlas 网格化管理: the page. One script, no framework: Leaflet for the map, fetch for the JSON API.
// Everything shown comes from the API, which cuts each answer to the logged-in user's scope; this script only lays it
// out. Text from the data (names, addresses) is only ever set with textContent, never parsed as HTML.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const state = { user: null, project: null, map: null, layers: {}, selected: null, buildingLayers: new Map(), keyGroupsOf: new Map() };

  // --- small helpers ----------------------------------------------------------------------------------------------

  function el(tag, opts, ...children) {
    const e = document.createElement(tag);
    if (opts) {
      for (const [k, v] of Object.entries(opts)) {
        if (v === undefined || v === null) continue;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
        else e.setAttribute(k, v);
      }
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  const fmt = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('zh-CN'));
  const pct = (x) => (x === null || x === undefined ? '—' : (x * 100).toFixed(1) + '%');
  // Minutes to a kind; when there are none, why: beyond the server's search limit, or not reachable at all.
  const minutes = (m, reach, kindKey) => {
    if (m !== null && m !== undefined) return m.toFixed(1) + ' 分钟';
    const kind = state.project && state.project.kinds.find((k) => k.key === kindKey);
    if (reach === 'beyond_search_limit' && kind && kind.search_limit_minutes) return '超过 ' + kind.search_limit_minutes + ' 分钟';
    return '不可达';
  };
  // Leaflet parses a string tooltip as HTML: data text goes in as a text node inside a span, never as markup.
  const tip = (text) => el('span', { text: String(text) });
  const cssId = (id) => String(id).replace(/[^A-Za-z0-9_-]/g, '_');
  const stat = (value, label) => el('div', { class: 'stat' }, el('div', { class: 'v', text: value }), el('div', { class: 'k', text: label }));

  class HttpError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(path, options) {
    const res = await fetch(path, Object.assign({ credentials: 'same-origin', headers: { Accept: 'application/json' } }, options || {}));
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (res.status === 401 && path !== '/api/login' && path !== '/api/me') {
      showLogin('会话已过期，请重新登录');
      throw new HttpError(401, '请先登录');
    }
    if (!res.ok) throw new HttpError(res.status, (body && body.error) || '请求失败');
    return body;
  }

  function showError(where, err) {
    where.replaceChildren(el('p', { class: 'error', text: err && err.message ? err.message : '请求失败' }));
  }

  // --- login ------------------------------------------------------------------------------------------------------

  function showLogin(message) {
    $('app-view').hidden = true;
    $('wall-view').hidden = true;
    $('login-view').hidden = false;
    $('login-error').textContent = message || '';
    $('login-password').value = '';
    $('login-name').focus();
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    try {
      const res = await fetch('/api/login', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ name: $('login-name').value.trim(), password: $('login-password').value }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        $('login-error').textContent = (body && body.error) || '登录失败';
        return;
      }
      $('login-password').value = '';
      await start(body.user);
    } catch (e) {
      $('login-error').textContent = '无法连接服务器';
    } finally {
      $('login-submit').disabled = false;
    }
  });

  $('logout').addEventListener('click', async () => {
    try { await fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' }); } catch (e) { /* gone anyway */ }
    window.location.replace('/');
  });

  // --- start ------------------------------------------------------------------------------------------------------

  async function start(user) {
    state.user = user;
    state.project = await api('/api/project');
    document.title = state.project.name + ' · 网格化管理';
    const wall = user.role === 'wall' || new URLSearchParams(window.location.search).get('mode') === 'wall';
    $('login-view').hidden = true;
    state.wall = wall;
    if (wall) return startWall();
    $('app-view').hidden = false;
    $('project-name').textContent = state.project.name;
    $('user-info').textContent = user.role_name + ' ' + user.name +
      (user.grids.length ? ' · ' + user.grids.map((g) => g.name || g.code).join('、') : '');
    $('search-form').hidden = !user.can.search;
    makeMap('map', true);
    await showGridOutlines(user.role === 'officer' ? null : finestLevel());
    if (user.role === 'officer') await startOfficer();
    else await startPlanner();
  }

  function finestLevel() { const l = state.project.levels; return l.length ? l[l.length - 1].key : ''; }
  function topLevel() { const l = state.project.levels; return l.length ? l[0].key : ''; }

  function makeMap(id, controls) {
    const map = L.map(id, {
      zoomControl: controls, attributionControl: controls, preferCanvas: false, zoomSnap: controls ? 1 : 0.25,
      dragging: controls, scrollWheelZoom: controls, doubleClickZoom: controls, boxZoom: controls, keyboard: controls, touchZoom: controls,
    });
    const t = state.project.tiles;
    if (t) baseTiles(t, id === 'wall-map').addTo(map);
    if (controls) map.attributionControl.setPrefix(false);
    const b = state.project.bounds;
    if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [20, 20] });
    else map.setView([39.9, 116.39], 12);
    state.map = map;
    return map;
  }

  // The base tiles. A wall screen (or a server with only 512 px tiles) shows 512 px "@2x" tiles at 512 px each: a tile
  // of zoom z stands where four of zoom z + 1 would, so its labels are twice the size (README: wall screens). The
  // wall names grids and communities itself, so it takes the tiles without those names where the server has them.
  function baseTiles(t, wall) {
    const url2x = (wall && t.plain_url_2x) || t.url_2x;
    const large = url2x && (wall || !t.url);
    const shift = large ? 1 : 0;
    return L.tileLayer(large ? url2x : t.url, {
      tileSize: large ? 512 : 256, zoomOffset: -shift,
      minZoom: t.min_zoom + shift, maxZoom: t.max_zoom + shift, maxNativeZoom: t.max_zoom + shift,
      attribution: '地图数据 © OpenStreetMap 贡献者 · GridAtlas',
    });
  }

  async function showGridOutlines(level) {
    const data = await api('/api/grids.geojson' + (level ? '?level=' + encodeURIComponent(level) : ''));
    if (state.layers.grids) state.layers.grids.remove();
    const finest = finestLevel();
    state.layers.grids = L.geoJSON(data, {
      interactive: state.user.role !== 'officer' && !state.wall,
      style: (f) => ({ className: f.properties.level === finest ? 'grid-outline grid-' + cssId(f.properties.code) : 'grid-outline-community' }),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        layer.bindTooltip(tip((p.name || '') + '（' + p.code + '）· ' + fmt(p.households) + '户'), { sticky: true });
      },
    }).addTo(state.map);
    state.gridData = data;
    return data;
  }

  // --- the base map's legend: the tiles colour residential buildings by walking minutes to the headline kind ---------

  // The same bands and words as render/style_palette.cpp (Bands::legend) and colours as styles/shared/palette.ent.
  const numberText = (v) => (v === Math.floor(v) ? String(v) : v.toFixed(1));
  function bandRows(limit) {
    const thr = Math.max(0, limit), b5 = Math.min(5, thr), b10 = Math.min(10, thr);
    const rows = [['le5', '≤ ' + numberText(b5) + ' 分钟']];
    if (b10 > b5) rows.push(['le10', numberText(b5) + '–' + numberText(b10) + ' 分钟']);
    if (thr > b10) rows.push(['le_thr', numberText(b10) + '–' + numberText(thr) + ' 分钟']);
    rows.push(['beyond', '> ' + numberText(thr) + ' 分钟（超出步行圈）'], ['unknown', '无法到达 / 无数据'], ['nonres', '非住宅建筑']);
    return rows;
  }

  // A legend control for the tiles (none when the project has no tiles); `extra` entries go below the bands.
  function addBaseLegend(id, extra) {
    const p = state.project;
    const kind = p.kinds.find((k) => k.key === p.headline_kind);
    const items = [];
    if (p.tiles && kind && kind.minutes) {
      items.push(el('strong', { text: '底图楼栋：步行到' + kind.name }), el('br'));
      for (const [key, words] of bandRows(kind.minutes))
        items.push(el('span', { class: 'legend-entry', 'data-entry': key }, el('i', { class: 'band band-' + key }), words), el('br'));
    }
    for (const [cls, words, key] of extra || [])
      items.push(el('span', { class: 'legend-entry', 'data-entry': key }, el('i', { class: cls }), words), el('br'));
    if (!items.length) return null;
    items.pop();
    const legend = L.control({ position: 'bottomright' });
    legend.onAdd = () => el('div', { class: 'legend', id }, ...items);
    legend.addTo(state.map);
    return legend;
  }

  // --- officer ----------------------------------------------------------------------------------------------------

  async function startOfficer() {
    const grids = state.user.grids;
    const summary = $('summary');
    summary.replaceChildren(el('h2', { text: '我的网格' }));
    for (const g of grids) {
      const detail = await api('/api/grids/' + encodeURIComponent(g.code));
      summary.append(el('h3', { text: detail.name + '（' + detail.code + '）' }),
        el('div', { class: 'stats' }, stat(fmt(detail.households), '户数'), stat(fmt(detail.persons), '人数'),
          stat(fmt(detail.party_households), '党员户'), stat(fmt(detail.buildings), '住宅楼栋'),
          stat(fmt(detail.central_seats - detail.central_seats_without_party_household), '党员中心户'),
          stat(detail.liaison ? fmt(detail.liaison.contacts) : '—', '党员联系户')));
      const cells = statusCells(detail.households_by_status, true);
      if (cells) summary.append(el('div', { class: 'status-line' }, cells));
      if (detail.central_seats_without_party_household)
        summary.append(el('p', { class: 'muted', text: detail.central_seats_without_party_household + ' 个楼栋（单元）没有党员户，暂无中心户' }));
      await loadBuildings(g.code);
    }
    summary.append(el('p', { class: 'muted', text: '点击地图上的楼栋查看单元和住户。' }));
    // The officer's own marks are blue and gold, so they are never mistaken for the tiles' walking-time reds.
    const legend = L.control({ position: 'bottomleft' });
    legend.onAdd = () => el('div', { class: 'legend', id: 'officer-legend' }, el('strong', { text: '我的网格' }), el('br'),
      el('span', { class: 'legend-entry', 'data-entry': 'grid' }, el('i', { class: 'line-grid' }), '我的网格边界'), el('br'),
      el('span', { class: 'legend-entry', 'data-entry': 'building' }, el('i', { class: 'bld' }), '住宅楼（点击查看住户）'), el('br'),
      el('span', { class: 'legend-entry', 'data-entry': 'building-central' }, el('i', { class: 'bld-central' }), '有党员中心户的楼栋'), el('br'),
      el('span', { class: 'legend-entry', 'data-entry': 'central' }, el('i', { class: 'star' }), '党员中心户'),
      ...(state.keyGroups ? [el('br'), el('span', { class: 'legend-entry', 'data-entry': 'key-groups' }, el('i', { class: 'kg' }), '重点人群户数')] : []));
    legend.addTo(state.map);
    addBaseLegend('base-legend');
    await loadCentral(grids);
  }

  // --- household status (网格图): the same words and colours as the printed maps (render/style_palette.cpp) -------------

  // Colours: style.css .st-* (fill / ink as in render/style_palette.cpp; the CSP allows no inline styles).
  const STATUS = [
    { key: 'resident', word: '常住', meaning: '（自住）' }, { key: 'rented', word: '租住', meaning: '（出租）' },
    { key: 'vacant', word: '空置', meaning: '（无人居住）' }, { key: 'business', word: '经营', meaning: '（商铺）' },
    { key: 'unknown', word: '未知', meaning: '（待核实）' },
  ];

  // A row of status cells with their counts (未知 only when any); null when the roster has no status field.
  // `onlyPresent`: only the statuses the building has (the map's marks, as render/status_marks.cpp: a one-household
  // house is one cell, not three zeros beside it); null when there are none.
  function statusCells(counts, withWords, onlyPresent) {
    if (!counts) return null;
    const shown = STATUS.filter((s) => (onlyPresent ? counts[s.key] > 0 : s.key !== 'unknown' || counts.unknown > 0));
    if (!shown.length) return null;
    const cells = shown.map((s) => el('span', {
      class: 'status-cell st-' + s.key, title: s.word + ' ' + counts[s.key] + ' 户',
      text: (withWords ? s.word + ' ' : '') + counts[s.key],
    }));
    return el('span', { class: 'status-cells' }, ...cells);
  }

  // Each building's cells on the map, below its centre, from STATUS_FROM_ZOOM (below it a grid's hundreds of rows
  // bury the map: seen on the sample's 202-building grids), and the legend that names them and says so.
  const STATUS_FROM_ZOOM = 17;
  function addStatusMarks(data) {
    const group = L.layerGroup();
    for (const f of data.features) {
      const cells = statusCells(f.properties.households_by_status, false, true);
      if (!cells) continue;
      const layer = state.buildingLayers.get(f.properties.id);
      if (!layer) continue;
      L.marker(layer.getBounds().getCenter(), { interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'status-mark', html: cells, iconSize: null }) }).addTo(group);
    }
    if (!group.getLayers().length) return;
    const map = state.map;
    const show = () => { if (map.getZoom() >= STATUS_FROM_ZOOM) group.addTo(map); else group.remove(); };
    map.on('zoomend', show);
    show();
    if (document.getElementById('status-legend')) return;
    const hint = el('span', { class: 'muted', id: 'status-hint', text: '（放大到 ' + STATUS_FROM_ZOOM + ' 级显示）' });
    const hintShow = () => { hint.hidden = map.getZoom() >= STATUS_FROM_ZOOM; };
    map.on('zoomend', hintShow);
    hintShow();
    const legend = L.control({ position: 'bottomleft' });
    legend.onAdd = () => el('div', { class: 'legend', id: 'status-legend' }, el('strong', { text: '住户状态（每栋：户数）' }), hint, el('br'),
      ...STATUS.flatMap((s) => [el('span', { class: 'legend-entry', 'data-entry': s.key }, el('i', { class: 'st-' + s.key }), s.word + s.meaning), el('br')]).slice(0, -1));
    legend.addTo(state.map);
  }

  // Key groups (重点人群, officers only): a teal diamond with the building's count of such households, a badge on the
  // corner of its footprint (clear of the central household's dot and the status cells at its centre), as the printed officer map draws it (render/status_marks.cpp, styles/shared/key-group.svg). The server
  // sends counts only when the project maps a key-group field; the groups themselves never reach the page.
  function addKeyGroupMarks(data) {
    const group = L.layerGroup();
    for (const f of data.features) {
      const n = f.properties.key_group_households;
      if (n === undefined || n === null) continue;
      state.keyGroups = true;
      state.keyGroupsOf.set(f.properties.id, n);
      const layer = state.buildingLayers.get(f.properties.id);
      if (!n || !layer) continue;
      L.marker(layer.getBounds().getNorthEast(), { interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'key-group-mark', html: el('span', { class: 'key-group', title: '重点人群 ' + n + ' 户' }, el('i', { class: 'kg' }), String(n)), iconSize: null }) }).addTo(group);
    }
    if (group.getLayers().length) group.addTo(state.map);
  }

  async function loadBuildings(code) {
    const data = await api('/api/grids/' + encodeURIComponent(code) + '/buildings');
    const layer = L.geoJSON(data, {
      style: (f) => ({ className: 'building building-' + cssId(f.properties.id) + (f.properties.central_households ? ' building-central' : '') }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        state.buildingLayers.set(p.id, l);
        l.bindTooltip(tip((p.name ? p.name + ' ' : '') + p.id + ' · ' + fmt(p.households) + '户'), { sticky: true });
        l.on('click', () => openBuilding(p.id));
      },
    }).addTo(state.map);
    state.layers['buildings-' + code] = layer;
    addStatusMarks(data);
    addKeyGroupMarks(data);
  }

  async function loadCentral(grids) {
    const box = $('central');
    box.hidden = false;
    box.replaceChildren(el('h2', { text: '党员中心户' }));
    const list = el('ul', { class: 'list', id: 'central-list' });
    const markers = L.layerGroup().addTo(state.map);
    for (const g of grids) {
      let data;
      try { data = await api('/api/grids/' + encodeURIComponent(g.code) + '/central'); } catch (e) { showError(box, e); return; }
      for (const seat of data.seats) {
        if (!seat.central) continue;
        const c = seat.central;
        const where = seat.building_id + (seat.unit ? ' ' + seat.unit + '单元' : '') + ' ' + (c.room || '');
        L.circleMarker([seat.anchor[1], seat.anchor[0]], { radius: 7, className: 'central-marker' })
          .bindTooltip(tip('党员中心户 ' + (c.name || c.id) + ' · ' + where))
          .on('click', () => openBuilding(seat.building_id))
          .addTo(markers);
        list.append(el('li', { class: 'central-item', 'data-household': c.id },
          el('span', null, el('span', { class: 'tag tag-central', text: '中心户' }), ' ',
            el('strong', { text: c.name || '（未登记姓名）' }), ' ', c.phone || '', el('br'),
            el('span', { class: 'muted', text: where + ' · 户号 ' + c.id + ' · 党员 ' + c.party_members + ' 人' })),
          el('button', { type: 'button', text: '定位', on: { click: () => openBuilding(seat.building_id, true) } })));
      }
      if (data.seats_without_central)
        box.append(el('p', { class: 'muted', text: g.code + '：' + data.seats_without_central + ' 处楼栋/单元无党员户' }));
    }
    box.insertBefore(list, box.children[1] || null);
    if (!list.children.length) box.append(el('p', { class: 'muted', text: '本网格暂无党员中心户' }));
  }

  async function openBuilding(id, fly) {
    const box = $('building');
    box.hidden = false;
    box.replaceChildren(el('h2', { text: '楼栋 ' + id }), el('p', { class: 'muted', text: '加载中…' }));
    if (state.selected) L.DomUtil.removeClass(state.selected.getElement(), 'building-selected');
    const layer = state.buildingLayers.get(id);
    if (layer && layer.getElement()) {
      L.DomUtil.addClass(layer.getElement(), 'building-selected');
      state.selected = layer;
    }
    let b;
    try { b = await api('/api/buildings/' + encodeURIComponent(id)); } catch (e) { showError(box, e); return; }
    if (fly && b.bounds) state.map.flyToBounds([[b.bounds[1], b.bounds[0]], [b.bounds[3], b.bounds[2]]], { maxZoom: 18 });
    const head = el('h2', { text: '楼栋 ' + b.id + (b.name ? ' · ' + b.name : '') });
    const stats = el('div', { class: 'stats' }, stat(fmt(b.households), '户数'), stat(fmt(b.persons), '人数'),
      stat(fmt(b.party_households), '党员户'));
    const info = el('p', { class: 'muted', text: (b.floors ? b.floors + ' 层 · ' : '') +
      b.grids.map((g) => g.level_name + ' ' + (g.name || g.code)).join(' · ') });
    const kinds = state.project.kinds;
    const kg = state.keyGroupsOf.get(b.id);
    if (kg !== undefined) stats.append(stat(fmt(kg), '重点人群户'));
    const walk = el('p', { class: 'muted', text: '步行到达：' + kinds.map((k) => k.name + ' ' + minutes(b.minutes[k.key], (b.reach || {})[k.key], k.key)).join('；') });
    box.replaceChildren(head, stats, info, walk);
    const cells = statusCells(b.households_by_status, true);
    if (cells) box.append(el('div', { class: 'status-line' }, cells));
    for (const u of b.units) {
      const title = u.number === null ? '单元未知' : u.number + '单元' + (u.registered ? '' : '（单元表中无此单元）');
      box.append(el('h3', { text: title + ' · ' + u.households + ' 户' }, ' ', statusCells(u.households_by_status, true) || ''));
      if (!u.list) continue;
      const rows = u.list.map((h) => el('tr', { class: 'household', 'data-household': h.id },
        el('td', { text: h.room || '' }), el('td', { text: h.id }), el('td', { class: 'name', text: h.name || '' }),
        el('td', { class: 'phone', text: h.phone || '' }), el('td', { text: h.persons }),
        el('td', null, h.status ? el('span', { class: 'tag', text: (STATUS.find((s) => s.key === h.status) || {}).word || '' }) : '',
          h.party ? el('span', { class: 'tag tag-party', text: '党员户' }) : '',
          h.central ? el('span', { class: 'tag tag-central', text: '中心户' }) : ''),
        el('td', { text: h.contact ? (h.contact.self ? '本户（联系 ' + (h.contact_load || 0) + ' 户）' :
          (h.contact.name ? h.contact.name + ' ' : '') + h.contact.place) : '无' })));
      box.append(el('table', null,
        el('thead', null, el('tr', null, ...['房号', '户号', '户主', '电话', '人数', '标识', '党员联系户'].map((t) => el('th', { text: t })))),
        el('tbody', null, ...rows)));
    }
  }

  // --- planner / admin --------------------------------------------------------------------------------------------

  async function startPlanner() {
    const select = $('kind-select');
    select.replaceChildren(...state.project.kinds.map((k) => el('option', { value: k.key, text: k.name + '（' + k.minutes + '分钟）' })));
    select.value = state.project.headline_kind;
    $('kind-label').hidden = false;
    select.addEventListener('change', () => showKind(select.value));
    const legend = L.control({ position: 'bottomleft' });
    state.gapWords = document.createTextNode('');
    const entry = (key, cls, words) => [el('span', { class: 'legend-entry', 'data-entry': key }, el('i', { class: cls }), words), el('br')];
    legend.onAdd = () => el('div', { class: 'legend', id: 'planner-legend' }, el('strong', { text: '网格住户覆盖率（所选服务）' }), el('br'),
      ...entry('c3', 'c3', '≥ 95%'), ...entry('c2', 'c2', '80–95%'), ...entry('c1', 'c1', '50–80%'), ...entry('c0', 'c0', '< 50%'),
      ...entry('gap', 'gap', state.gapWords), ...entry('gap-cluster', 'gap gap-big', '相邻缺口楼栋合并，数字为栋数（点击放大）'),
      ...entry('facility', 'facility', '现有服务设施').slice(0, 1));
    legend.addTo(state.map);
    addBaseLegend('base-legend');
    state.gapRenderer = L.canvas({ padding: 0.2 });
    await showKind(select.value);
    if (state.user.can.users) await showUsers();
  }

  function coverageClass(share) { return share >= 0.95 ? 3 : share >= 0.8 ? 2 : share >= 0.5 ? 1 : 0; }

  async function showKind(kind) {
    const summary = $('summary');
    summary.replaceChildren(el('h2', { text: '服务覆盖与缺口' }), el('p', { class: 'muted', text: '加载中…' }));
    let cov, gaps;
    try {
      [cov, gaps] = await Promise.all([api('/api/coverage?kind=' + encodeURIComponent(kind)), api('/api/gaps?kind=' + encodeURIComponent(kind))]);
    } catch (e) { showError(summary, e); return; }
    // Colour the finest grids by the share of households within the threshold.
    const shares = new Map(cov.grids.map((g) => [g.code, g.share]));
    state.layers.grids.eachLayer((l) => {
      const code = l.feature.properties.code;
      const e = l.getElement();
      if (!e || !shares.has(code)) return;
      for (let i = 0; i < 4; i++) L.DomUtil.removeClass(e, 'coverage-' + i);
      L.DomUtil.addClass(e, 'coverage');
      L.DomUtil.addClass(e, 'coverage-' + coverageClass(shares.get(code)));
      l.setTooltipContent(tip((l.feature.properties.name || '') + '（' + code + '）· ' + cov.kind.name + '覆盖 ' + pct(shares.get(code))));
    });
    // Every gap building becomes a dot; showGaps draws them clustered below GAP_DOTS_FROM_ZOOM.
    const dots = gaps.features.map((f) => L.circleMarker(L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]),
      { radius: 4, className: 'gap-marker', renderer: state.gapRenderer, color: '#ffffff', fillColor: '#5c0a0a', fillOpacity: 0.9, weight: 1 })
      .bindTooltip(tip((f.properties.name || f.properties.id) + ' · ' + fmt(f.properties.households) + '户 · ' + minutes(f.properties.minutes, f.properties.reach, cov.kind.key))));
    showGaps(dots);
    if (state.layers.facilities) state.layers.facilities.remove();
    state.layers.facilities = L.layerGroup(gaps.facilities.map((f) => L.circleMarker([f.lat, f.lon], { radius: 7, className: 'facility-marker' })
      .bindTooltip(tip(cov.kind.name + '：' + (f.name || f.id))))).addTo(state.map);

    state.gapWords.textContent = '缺口：超过 ' + numberText(cov.kind.minutes) + ' 分钟的住宅楼';
    const t = cov.totals;
    summary.replaceChildren(el('h2', { text: cov.kind.name + '（' + cov.kind.minutes + '分钟步行）' }),
      el('div', { class: 'stats', id: 'coverage-stats' }, stat(pct(t.share), '住户覆盖率'), stat(fmt(t.covered) + '/' + fmt(t.households), '覆盖户数'),
        stat(fmt(t.gap_buildings), '缺口楼栋'), stat(fmt(gaps.gap_households), '缺口住户'), stat(fmt(gaps.facilities.length), '现有设施'),
        stat(fmt(cov.grids.length), '网格数')));
    const table = $('grid-table');
    table.hidden = false;
    const rows = cov.grids.slice().sort((a, b) => a.share - b.share || b.gap_buildings - a.gap_buildings).map((g) =>
      el('tr', { class: 'clickable', on: { click: () => zoomToGrid(g.code) } }, el('td', { text: g.name || g.code }), el('td', { text: g.code }),
        el('td', { text: pct(g.share) }), el('td', { text: fmt(g.gap_buildings) }), el('td', { text: fmt(g.households) })));
    table.replaceChildren(el('h2', { text: '网格覆盖率（由低到高）' }),
      el('table', { id: 'coverage-table' }, el('thead', null, el('tr', null, ...['网格', '编码', '覆盖率', '缺口楼栋', '户数'].map((x) => el('th', { text: x })))),
        el('tbody', null, ...rows)));
  }

  // Thousands of gap dots would bury the map (3,281 on the sample): below GAP_DOTS_FROM_ZOOM nearby gap buildings are
  // drawn as one dark red disc with their count (the printed maps' gap colour, palette.ent gap-line; purple is the
  // tiles' headline facility). Greedy: a dot joins the first cluster whose seed is within GAP_CLUSTER_PX on screen,
  // else seeds a new one; re-clustered on every zoom. A lone building stays a dot; every gap
  // building is in exactly one mark, so the counts add up to the summary's. Clicking a cluster zooms to it. The map
  // element carries data-gap-marks and data-gap-buildings (what is drawn) for the browser test.
  const GAP_DOTS_FROM_ZOOM = 17, GAP_CLUSTER_PX = 60;
  function clusterDots(dots, zoom) {
    const seeds = new Map(), clusters = [];
    const cellOf = (p) => Math.floor(p.x / GAP_CLUSTER_PX) + ':' + Math.floor(p.y / GAP_CLUSTER_PX);
    for (const d of dots) {
      const p = state.map.project(d.getLatLng(), zoom);
      const cx = Math.floor(p.x / GAP_CLUSTER_PX), cy = Math.floor(p.y / GAP_CLUSTER_PX);
      let home = null;
      for (let dx = -1; dx <= 1 && !home; dx++)
        for (let dy = -1; dy <= 1 && !home; dy++)
          for (const c of seeds.get((cx + dx) + ':' + (cy + dy)) || [])
            if (c.seed.distanceTo(p) <= GAP_CLUSTER_PX) { home = c; break; }
      if (!home) {
        home = { seed: p, members: [] };
        clusters.push(home);
        const key = cellOf(p);
        if (!seeds.has(key)) seeds.set(key, []);
        seeds.get(key).push(home);
      }
      home.members.push(d);
    }
    return clusters;
  }

  function showGaps(dots) {
    const map = state.map;
    if (state.layers.gaps) state.layers.gaps.remove();
    const layer = L.layerGroup().addTo(map);
    state.layers.gaps = layer;
    const update = () => {
      layer.clearLayers();
      const zoom = map.getZoom();
      let marks = 0, drawn = 0;
      if (zoom >= GAP_DOTS_FROM_ZOOM) {
        for (const d of dots) layer.addLayer(d);
        marks = drawn = dots.length;
      } else {
        for (const c of clusterDots(dots, zoom)) {
          marks++;
          drawn += c.members.length;
          if (c.members.length === 1) { layer.addLayer(c.members[0]); continue; }
          const n = c.members.length, bounds = L.latLngBounds(c.members.map((m) => m.getLatLng()));
          let lat = 0, lng = 0;
          for (const m of c.members) { lat += m.getLatLng().lat; lng += m.getLatLng().lng; }
          const size = n < 10 ? 's' : n < 100 ? 'm' : 'l';
          L.marker([lat / n, lng / n], { keyboard: false, riseOnHover: true,
            icon: L.divIcon({ className: 'gap-cluster gap-cluster-' + size, html: el('span', { text: fmt(n) }), iconSize: null }) })
            .bindTooltip(tip('缺口楼栋 ' + fmt(n) + ' 栋（点击放大）'))
            .on('click', () => map.fitBounds(bounds.pad(0.15), { maxZoom: GAP_DOTS_FROM_ZOOM }))
            .addTo(layer);
        }
      }
      map.getContainer().dataset.gapMarks = String(marks);
      map.getContainer().dataset.gapBuildings = String(drawn);
    };
    if (state.gapZoomHandler) map.off('zoomend', state.gapZoomHandler);
    state.gapZoomHandler = update;
    map.on('zoomend', update);
    update();
  }

  function zoomToGrid(code) {
    state.layers.grids.eachLayer((l) => { if (l.feature.properties.code === code) state.map.fitBounds(l.getBounds(), { maxZoom: 17 }); });
  }

  async function showUsers() {
    const box = $('users');
    box.hidden = false;
    const data = await api('/api/users');
    box.replaceChildren(el('h2', { text: '用户' }), el('table', null,
      el('thead', null, el('tr', null, el('th', { text: '用户名' }), el('th', { text: '角色' }), el('th', { text: '网格' }))),
      el('tbody', null, ...data.users.map((u) => el('tr', null, el('td', { text: u.name }), el('td', { text: u.role_name }), el('td', { text: u.grids.join('、') }))))));
  }

  // --- search -----------------------------------------------------------------------------------------------------

  $('search-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = $('search-input').value.trim();
    const box = $('search-results');
    if (!q) { box.hidden = true; return; }
    box.hidden = false;
    let r;
    try { r = await api('/api/search?q=' + encodeURIComponent(q)); } catch (e) { showError(box, e); return; }
    const items = [];
    for (const g of r.grids) items.push(el('li', null, el('span', { text: '网格 ' + (g.name || '') + '（' + g.code + '）' }),
      el('button', { type: 'button', text: '定位', on: { click: () => g.bounds && state.map.fitBounds([[g.bounds[1], g.bounds[0]], [g.bounds[3], g.bounds[2]]]) } })));
    for (const b of r.buildings) items.push(el('li', null, el('span', { text: '楼栋 ' + b.id + (b.name ? ' ' + b.name : '') }),
      el('button', { type: 'button', text: '定位', on: { click: () => {
        state.map.flyTo([b.anchor[1], b.anchor[0]], 18);
        if (state.user.role === 'officer') openBuilding(b.id);
      } } })));
    box.replaceChildren(el('h2', { text: '搜索结果' }), items.length ? el('ul', { class: 'list' }, ...items) : el('p', { class: 'muted', text: '没有找到' }));
  });

  // --- wall -------------------------------------------------------------------------------------------------------

  async function startWall() {
    $('wall-view').hidden = false;
    makeMap('wall-map', false);
    await showGridOutlines(finestLevel());
    const p = state.project;
    $('wall-title').textContent = p.name + ' · 网格化管理';
    const grids = (await api('/api/grids?level=' + encodeURIComponent(finestLevel()))).grids;
    // The headline coverage from the top level (its areas are the largest, so the fewest fall below the privacy
    // threshold); an area whose counts the server withholds is left out and the label says how many were.
    let covered = 0, households = 0, hidden = 0;
    const tops = topLevel() === finestLevel() ? grids : (await api('/api/grids?level=' + encodeURIComponent(topLevel()))).grids;
    for (const g of tops) {
      const share = g.coverage ? g.coverage[p.headline_kind] : null;
      if (g.households === null || g.households === undefined || share === null || share === undefined) { hidden++; continue; }
      households += g.households;
      covered += share * g.households;
    }
    const kind = p.kinds.find((k) => k.key === p.headline_kind);
    const topName = (p.levels.length && p.levels[0].name) || '网格';
    const coverageWords = (kind ? kind.name + ' ' + kind.minutes + '分钟覆盖率' : '覆盖率') +
      (hidden ? '（不含 ' + hidden + ' 个户数过少不公开的' + topName + '）' : '');
    // The top level (社区) too when there is one above the grids: a heavier outline and larger names, placed first.
    const levels = p.levels, fineName = levels.length ? levels[levels.length - 1].name || '网格' : '网格';
    const sets = [];
    if (levels.length > 1) {
      const top = await api('/api/grids.geojson?level=' + encodeURIComponent(topLevel()));
      const layer = L.geoJSON(top, { interactive: false, style: () => ({ className: 'wall-top-outline' }) }).addTo(state.map);
      sets.push({ layer, cls: 'wall-label-top', words: document.createTextNode(levels[0].name || topLevel()), name: levels[0].name || topLevel(), total: top.features.length });
    }
    sets.push({ layer: state.layers.grids, cls: 'wall-label-fine', words: document.createTextNode(fineName), name: fineName, total: grids.length });
    const extra = [];
    if (sets.length > 1) extra.push(['line-wall-top', sets[0].name + '边界', 'top'], ['wall-label-top-swatch', sets[0].words, 'top-name']);
    extra.push(['line-wall-grid', fineName + '边界', 'grid'], ['wall-label-swatch', sets[sets.length - 1].words, 'grid-name']);
    addBaseLegend('wall-legend', extra);
    $('wall-stats').replaceChildren(stat(fmt(p.totals.households), '户数'), stat(fmt(p.totals.persons), '人数'),
      stat(fmt(p.totals.party_households), '党员户'), stat(fmt(grids.length), fineName),
      stat(households ? pct(covered / households) : '—', coverageWords));
    // The names go on last, around the title, the totals and the legend.
    const named = addWallLabels(['#wall-title', '#wall-stats .stat', '#wall-legend'], sets);
    sets.forEach((set, i) => {
      set.words.textContent = set.name + '名称（已标 ' + named[i] + ' / ' + set.total + (named[i] < set.total ? '，其余放不下' : '') + '）';
    });
  }

  // A point inside a grid's polygon for its name: the centroid when it is inside, else the middle of the widest
  // inside stretch of the horizontal line through the bounds' centre (concave and multi-part grids). null: none found.
  function insidePoint(layer) {
    const rings = [];
    const walk = (a) => { if (a.length && a[0] instanceof L.LatLng) rings.push(a); else a.forEach(walk); };
    walk(layer.getLatLngs());
    const crossings = (lat) => {
      const xs = [];
      for (const r of rings)
        for (let i = 0, j = r.length - 1; i < r.length; j = i++)
          if ((r[i].lat > lat) !== (r[j].lat > lat)) xs.push(r[j].lng + (lat - r[j].lat) * (r[i].lng - r[j].lng) / (r[i].lat - r[j].lat));
      return xs.sort((a, b) => a - b);
    };
    const inside = (p) => crossings(p.lat).filter((x) => x < p.lng).length % 2 === 1;
    let c = null;
    try { c = layer.getCenter(); } catch (e) { c = null; }
    if (c && inside(c)) return c;
    const b = layer.getBounds(), lat = b.getCenter().lat, xs = crossings(lat);
    let best = null;
    for (let i = 0; i + 1 < xs.length; i += 2) if (!best || xs[i + 1] - xs[i] > best[1] - best[0]) best = [xs[i], xs[i + 1]];
    return best ? L.latLng(lat, (best[0] + best[1]) / 2) : null;
  }

  // Names in large type (read from 2–3 m at 1080p), set by set (the top level first, then the grids), the largest
  // areas first; a name that would overlap one already placed or an `obstacles` element is left out, never drawn
  // over it. Returns how many of each set were placed.
  function addWallLabels(obstacles, sets) {
    const map = state.map;
    const group = L.layerGroup().addTo(map);
    const placed = obstacles.flatMap((sel) => [...document.querySelectorAll(sel)].map((e) => e.getBoundingClientRect()));
    const overlaps = (r, q) => r.left < q.right + 6 && q.left < r.right + 6 && r.top < q.bottom + 4 && q.top < r.bottom + 4;
    const view = map.getContainer().getBoundingClientRect();
    state.layers.wallLabels = group;
    return sets.map((set) => {
      const items = [];
      set.layer.eachLayer((l) => {
        const b = l.getBounds(), a = map.latLngToContainerPoint(b.getNorthWest()), z = map.latLngToContainerPoint(b.getSouthEast());
        const at = insidePoint(l);
        if (at) items.push({ at, area: Math.abs((z.x - a.x) * (z.y - a.y)), name: l.feature.properties.name || l.feature.properties.code });
      });
      items.sort((x, y) => y.area - x.area);
      let n = 0;
      for (const it of items) {
        const m = L.marker(it.at, { interactive: false, keyboard: false,
          icon: L.divIcon({ className: 'wall-label ' + set.cls, html: el('span', { text: it.name }), iconSize: null }) }).addTo(group);
        const r = m.getElement().firstChild.getBoundingClientRect();
        const inside = r.left >= view.left && r.right <= view.right && r.top >= view.top && r.bottom <= view.bottom;
        if (!inside || placed.some((q) => overlaps(r, q))) group.removeLayer(m);
        else { placed.push(r); n++; }
      }
      return n;
    });
  }

  // --- go ---------------------------------------------------------------------------------------------------------

  (async () => {
    try {
      const me = await api('/api/me');
      await start(me.user);
    } catch (e) {
      if (!(e instanceof HttpError) || e.status === 401) showLogin('');
      else showLogin('无法连接服务器');
    }
  })();
})();
