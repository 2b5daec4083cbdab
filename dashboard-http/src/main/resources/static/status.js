// Live status page (http.md §2): queue and workers from /api/v1, kept current by /api/v1/events.
// Every value from the server is untrusted: the DOM is built with textContent and attributes only.
(function () {
  'use strict';
  const root = document.getElementById('live-status');
  if (!root) { return; }
  const base = root.dataset.base || '';
  const api = base + '/api/v1';
  const state = { queue: null, hosts: [], recent: { completed: 0, failed: 0 }, followed: null, logSource: null };

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function getJson(path) {
    return fetch(api + path, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) { throw new Error(path + ': HTTP ' + r.status); }
      return r.json();
    });
  }

  function elapsed(secs) {
    if (secs < 60) { return secs + 's'; }
    if (secs < 3600) { return Math.floor(secs / 60) + 'm' + (secs % 60) + 's'; }
    return (secs / 3600).toFixed(1) + 'h';
  }

  function renderSummary() {
    const q = state.queue;
    if (!q) { return; }
    const byBranch = Object.keys(q.pending_by_branch || {}).map(function (b) {
      return b + ' ' + q.pending_by_branch[b];
    }).join(', ');
    const running = state.hosts.reduce(function (n, h) {
      return n + h.slot_list.filter(function (s) { return s.state === 'busy'; }).length;
    }, 0);
    document.getElementById('summary').textContent = q.pending + ' pending' + (byBranch ? ' (' + byBranch + ')' : '')
      + ' · ' + running + ' running · ' + state.recent.completed + ' completed · ' + state.recent.failed + ' failed';
    const fs = document.getElementById('fairshare');
    fs.replaceChildren();
    Object.keys(q.fairshare || {}).sort(function (a, b) { return q.fairshare[a] - q.fairshare[b]; })
      .forEach(function (b) { fs.appendChild(el('li', {}, b + ': ' + Math.round(q.fairshare[b]) + ' s')); });
  }

  function slotLine(h, s) {
    const name = h.host + ':' + s.slot;
    if (s.state === 'busy' && s.lease) {
      const l = s.lease;
      return name + ' — ' + l.commit.substring(0, 12) + ' ' + l.test + ' ' + (l.current_subtest || '');
    }
    return name + ' — ' + (s.state === 'busy' ? 'busy' : s.state);
  }

  function renderHosts() {
    const box = document.getElementById('hosts');
    const jobs = document.getElementById('jobs');
    box.replaceChildren();
    jobs.replaceChildren();
    state.hosts.forEach(function (h) {
      const busy = h.slot_list.filter(function (s) { return s.state === 'busy'; }).length;
      const div = el('div', { 'class': 'host host-' + h.state, 'data-host': h.host });
      div.appendChild(el('h3', {}, h.host + ' (' + busy + '/' + h.slots + ')' + (h.state === 'up' ? '' : ' ' + h.state)));
      const ul = el('ul', { 'class': 'slots' });
      h.slot_list.forEach(function (s) {
        const li = el('li', { 'class': 'slot slot-' + s.state, 'data-slot': h.host + ':' + s.slot }, slotLine(h, s));
        if (s.lease) {
          li.setAttribute('data-lease', s.lease.lease_id);
          li.addEventListener('click', function () { follow(s.lease.lease_id, slotLine(h, s)); });
          const tr = el('tr', { 'data-lease': s.lease.lease_id });
          tr.appendChild(el('td', {}, 'running'));
          tr.appendChild(el('td', {}, s.lease.branch || ''));
          tr.appendChild(el('td', {}, s.lease.commit.substring(0, 12) + ' ' + s.lease.test + ' ('
            + s.lease.subtests.length + ' subtests) on ' + h.host + ':' + s.slot));
          tr.appendChild(el('td', { 'class': 'elapsed', 'data-started': s.lease.started_at }, elapsed(s.lease.elapsed_secs)));
          jobs.appendChild(tr);
        }
        ul.appendChild(li);
      });
      div.appendChild(ul);
      box.appendChild(div);
    });
    renderSummary();
  }

  function tickElapsed() {
    document.querySelectorAll('#jobs td.elapsed').forEach(function (td) {
      const started = Date.parse(td.dataset.started);
      if (!isNaN(started)) { td.textContent = elapsed(Math.max(0, Math.floor((Date.now() - started) / 1000))); }
    });
  }

  function follow(leaseId, title) {
    if (state.logSource) { state.logSource.close(); }
    const pane = document.getElementById('slotlog');
    pane.textContent = '';
    document.getElementById('log-title').textContent = title;
    state.followed = leaseId;
    const src = new EventSource(api + '/leases/' + encodeURIComponent(leaseId) + '/log');
    state.logSource = src;
    src.addEventListener('log', function (ev) {
      const lines = JSON.parse(ev.data).lines || [];
      pane.textContent += lines.join('\n') + '\n';
      pane.scrollTop = pane.scrollHeight;
    });
    src.addEventListener('end', function () {
      pane.textContent += '— lease ended —\n';
      src.close();
    });
    src.onerror = function () { if (src.readyState === EventSource.CLOSED) { state.logSource = null; } };
  }

  let reloadTimer = null;
  function reloadWorkers() {
    if (reloadTimer) { return; }
    reloadTimer = setTimeout(function () {
      reloadTimer = null;
      getJson('/workers').then(function (w) { state.hosts = w.hosts; renderHosts(); }).catch(showError);
    }, 200);
  }

  function showError(err) {
    document.getElementById('connection').textContent = 'cannot load the status: ' + err.message;
  }

  function loadAll() {
    return Promise.all([getJson('/queue'), getJson('/workers')]).then(function (res) {
      state.queue = res[0];
      state.recent = { completed: res[0].recent.completed, failed: res[0].recent.failed };
      state.hosts = res[1].hosts;
      document.getElementById('connection').textContent = '';
      renderHosts();
    }).catch(showError);
  }

  function listen() {
    const events = new EventSource(api + '/events?types=lease,host,queue,verdict');
    events.addEventListener('reset', function () { loadAll(); });
    events.addEventListener('lease', reloadWorkers);
    events.addEventListener('host', reloadWorkers);
    events.addEventListener('queue', function (ev) {
      const q = JSON.parse(ev.data);
      if (state.queue) {
        state.queue.pending = q.pending;
        state.queue.leased = q.leased;
        state.queue.pending_by_branch = q.pending_by_branch;
        renderSummary();
      }
    });
    events.addEventListener('verdict', function (ev) {
      const v = JSON.parse(ev.data);
      if (v.status === 'passed' || v.status === 'failed') { state.recent.completed++; }
      if (v.status === 'failed') { state.recent.failed++; }
      renderSummary();
    });
    // data-live says whether updates arrive (open) or not (reconnecting), for styles and for tests.
    events.onopen = function () {
      root.dataset.live = 'open';
      document.getElementById('connection').textContent = '';
    };
    events.onerror = function () {
      root.dataset.live = 'reconnecting';
      document.getElementById('connection').textContent = 'live updates interrupted, reconnecting …';
    };
  }

  loadAll().then(listen);
  setInterval(tickElapsed, 1000);
})();
