// Commit page: status filter radios, the log pane, and live updates of this commit's rows from
// /api/v1/events. Logs and names are untrusted text: only textContent and attributes are used.
(function () {
  'use strict';
  const table = document.querySelector('table.results');
  const tbody = table ? table.querySelector('tbody') : null;
  const pane = document.getElementById('testlog');
  const STATUS = {
    passed: ['Passed', 'table-success'], failed: ['Failed', 'table-danger'], notrun: ['Not run', 'table-secondary'],
    failedToRun: ['Failed to run', 'table-secondary'], inprogress: ['In progress', 'table-secondary'],
    unknown: ['Unknown', 'table-secondary']
  };
  let filterValue = 'failed';

  function rows() { return tbody ? Array.from(tbody.querySelectorAll('tr')) : []; }

  function showRow(row) {
    row.classList.toggle('hidden', !(filterValue === 'all' || row.dataset.status === filterValue));
  }

  function applyFilter(value) {
    filterValue = value;
    rows().forEach(showRow);
  }

  document.querySelectorAll('.status-filter input[name="status"]').forEach(function (radio) {
    radio.addEventListener('change', function () { applyFilter(radio.value); });
    if (radio.checked) { applyFilter(radio.value); }
  });

  function loadLog(link) {
    pane.textContent = 'loading ' + link.getAttribute('href') + ' …';
    fetch(link.getAttribute('href'))
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.text();
      })
      .then(function (text) { pane.textContent = text; })
      .catch(function (err) { pane.textContent = 'could not load the log: ' + err.message; });
  }

  if (tbody) {
    // Delegated, so rows added live get the same behaviour.
    tbody.addEventListener('click', function (event) {
      const link = event.target.closest('a.log');
      if (link && tbody.contains(link)) {
        event.preventDefault();
        loadLog(link);
      }
    });
  }

  function findRow(key) {
    return rows().find(function (r) { return r.dataset.key === key; });
  }

  function newRow(key) {
    const base = table.dataset.base || '';
    const dir = base + '/c/' + table.dataset.commit + '/' + encodeURIComponent(key);
    const tr = document.createElement('tr');
    tr.dataset.key = key;
    const name = document.createElement('td');
    const a = document.createElement('a');
    a.className = 'log';
    a.setAttribute('href', dir + '/log.br');
    a.textContent = key;
    name.appendChild(a);
    tr.appendChild(name);
    const duration = document.createElement('td');
    duration.className = 'duration';
    tr.appendChild(duration);
    const status = document.createElement('td');
    status.className = 'status';
    tr.appendChild(status);
    ['—', '—', ''].forEach(function (t) {
      const td = document.createElement('td');
      td.textContent = t;
      tr.appendChild(td);
    });
    const full = document.createElement('td');
    const fa = document.createElement('a');
    fa.className = 'log';
    fa.setAttribute('href', dir + '/full_log.br');
    fa.textContent = 'full';
    full.appendChild(fa);
    tr.appendChild(full);
    const after = rows().find(function (r) { return r.dataset.key > key; });
    tbody.insertBefore(tr, after || null);
    return tr;
  }

  function update(key, status, duration) {
    const row = findRow(key) || newRow(key);
    const s = STATUS[status] || STATUS.unknown;
    row.dataset.status = status;
    row.className = s[1] + ' live-updated';
    row.querySelector('td.status').textContent = s[0];
    if (duration !== undefined && duration !== null) { row.querySelector('td.duration').textContent = duration + 's'; }
    showRow(row);
  }

  if (table && window.EventSource) {
    const base = table.dataset.base || '';
    const live = document.getElementById('live');
    const url = base + '/api/v1/events?types=verdict,started&commit=' + encodeURIComponent(table.dataset.commit);
    const events = new EventSource(url);
    events.addEventListener('verdict', function (ev) {
      const v = JSON.parse(ev.data);
      update(v.name, v.status, v.duration);
    });
    events.addEventListener('started', function (ev) {
      const v = JSON.parse(ev.data);
      update(v.name, 'inprogress', null);
    });
    // A reset means events were missed: the page itself is the reloaded state.
    events.addEventListener('reset', function () { live.textContent = 'missed live updates; reload to catch up'; });
    // data-state says whether updates are flowing (tests and user styles key on it).
    events.onopen = function () { live.textContent = ''; live.dataset.state = 'open'; };
    events.onerror = function () {
      live.textContent = 'live updates interrupted, reconnecting …';
      live.dataset.state = 'reconnecting';
    };
  }
})();
