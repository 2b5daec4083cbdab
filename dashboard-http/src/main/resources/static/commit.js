// Commit page: the log pane, the status filter and pager without reloads, the next page's rows added as the pager
// scrolls into view, and live updates of this commit's rows from /api/v1/events. Logs and names are untrusted
// text: only textContent and attributes are used.
//
// Loaded in <head> without defer: the click handlers are delegated from the document and installed before the body
// is parsed, so a row's log link works as soon as the row shows. Without this script the page still works: links
// open the logs, the filter is a GET form and the pager plain links.
(function () {
  'use strict';
  const STATUS = {
    passed: ['Passed', 'table-success'], failed: ['Failed', 'table-danger'], notrun: ['Not run', 'table-secondary'],
    failedToRun: ['Failed to run', 'table-secondary'], inprogress: ['In progress', 'table-secondary'],
    unknown: ['Unknown', 'table-secondary']
  };
  // Which statuses each filter shows (CommitRows.Show).
  const SHOWS = { failures: ['failed', 'failedToRun'], all: Object.keys(STATUS) };

  document.documentElement.classList.add('js');

  function table() { return document.querySelector('table.results'); }
  function tbody() { const t = table(); return t ? t.tBodies[0] : null; }
  function rows() { const b = tbody(); return b ? Array.from(b.rows) : []; }

  function shown(status) {
    const t = table();
    const show = (t && t.dataset.show) || 'failures';
    return (SHOWS[show] || [show]).includes(status);
  }

  function plainClick(event) {
    return event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
  }

  function loadLog(link) {
    const pane = document.getElementById('testlog');
    if (!pane) { return false; }
    pane.textContent = 'loading ' + link.getAttribute('href') + ' …';
    fetch(link.getAttribute('href'))
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.text();
      })
      .then(function (text) { pane.textContent = text; })
      .catch(function (err) { pane.textContent = 'could not load the log: ' + err.message; });
    return true;
  }

  // Another filter or page: its rows are fetched as HTML and swapped in; the log pane and live updates stay.
  let swapping = 0;
  function swapTo(href, push) {
    const mine = ++swapping;
    const left = document.querySelector('.commit-panes .left');
    if (left) { left.classList.add('loading'); }
    fetch(href, { headers: { Accept: 'text/html' } })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.text();
      })
      .then(function (html) {
        if (mine !== swapping) { return; }
        const doc = new DOMParser().parseFromString(html, 'text/html');
        ['.commit-panes .left', 'form.status-filter', '#failure-counts'].forEach(function (sel) {
          const mineEl = document.querySelector(sel);
          const theirs = doc.querySelector(sel);
          if (mineEl && theirs) { mineEl.replaceWith(document.adoptNode(theirs)); }
        });
        if (push) { history.pushState({ commitPage: true }, '', href); }
        watchPager();
      })
      .catch(function (err) {
        if (left) { left.classList.remove('loading'); }
        const live = document.getElementById('live');
        if (live) { live.textContent = 'could not load ' + href + ': ' + err.message; }
      });
  }

  document.addEventListener('click', function (event) {
    if (!plainClick(event) || !(event.target instanceof Element)) { return; }
    const log = event.target.closest('table.results a.log');
    if (log && loadLog(log)) {
      event.preventDefault();
      return;
    }
    const pageLink = event.target.closest('.pager a');
    if (pageLink) {
      event.preventDefault();
      swapTo(pageLink.getAttribute('href'), true);
    }
  });

  document.addEventListener('change', function (event) {
    const radio = event.target;
    if (!(radio instanceof HTMLInputElement) || radio.name !== 'show' || !radio.form
        || !radio.form.classList.contains('status-filter')) { return; }
    const query = new URLSearchParams(new FormData(radio.form)).toString();
    swapTo(radio.form.getAttribute('action') + '?' + query, true);
  });

  window.addEventListener('popstate', function () { swapTo(location.href, false); });

  // Rows as one scrolls: when the pager below the rows comes near the viewport, the next page's rows are appended
  // and its pager takes this one's place. The DOM holds only the pages scrolled to.
  let observer = null;
  let appending = false;
  function appendNext(pager) {
    const next = pager.querySelector('a.page-next');
    if (!next || appending) { return; }
    appending = true;
    const mine = swapping;
    fetch(next.getAttribute('href'), { headers: { Accept: 'text/html' } })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.text();
      })
      .then(function (html) {
        appending = false;
        const body = tbody();
        if (mine !== swapping || !body || !pager.isConnected) { return; }
        const doc = new DOMParser().parseFromString(html, 'text/html');
        const theirs = doc.querySelector('table.results tbody');
        const theirPager = doc.querySelector('.commit-panes .pager');
        if (!theirs) { return; }
        Array.from(theirs.rows).forEach(function (tr) {
          if (!findRow(tr.dataset.key)) { body.appendChild(document.adoptNode(tr)); }
        });
        if (theirs.dataset.beforeKey === undefined) { delete body.dataset.beforeKey; } else {
          body.dataset.beforeKey = theirs.dataset.beforeKey;
        }
        if (theirPager) {
          // "rows 1–200 of …": from this page's first row to the new page's last.
          const range = pager.querySelector('.range');
          const theirRange = theirPager.querySelector('.range');
          if (range && theirRange) {
            theirRange.textContent = range.textContent.split('–')[0] + '–' + theirRange.textContent.split('–')[1];
          }
          pager.replaceWith(document.adoptNode(theirPager));
        } else {
          pager.remove();
        }
        watchPager();
      })
      .catch(function (err) {
        appending = false;
        const live = document.getElementById('live');
        if (live) { live.textContent = 'could not load more rows: ' + err.message; }
      });
  }

  function watchPager() {
    if (!window.IntersectionObserver) { return; }
    if (observer) { observer.disconnect(); }
    const pager = document.querySelector('.commit-panes .pager');
    if (!pager) { return; }
    observer = new IntersectionObserver(function (seen) {
      if (seen.some(function (e) { return e.isIntersecting; })) { appendNext(pager); }
    }, { rootMargin: '0px 0px 600px 0px' });
    observer.observe(pager);
  }

  // A row belongs on this page when its key falls between the neighbouring pages' keys.
  function onThisPage(key) {
    const b = tbody();
    if (!b) { return false; }
    const after = b.dataset.afterKey;
    const before = b.dataset.beforeKey;
    return (after === undefined || key > after) && (before === undefined || key < before);
  }

  function findRow(key) {
    return rows().find(function (r) { return r.dataset.key === key; });
  }

  function newRow(key) {
    const t = table();
    const base = t.dataset.base || '';
    const dir = base + '/c/' + t.dataset.commit + '/' + encodeURIComponent(key);
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
    ['—', '—', ''].forEach(function (text) {
      const td = document.createElement('td');
      td.textContent = text;
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
    tbody().insertBefore(tr, after || null);
    const none = document.querySelector('.commit-panes .no-rows');
    if (none) { none.remove(); }
    return tr;
  }

  function update(key, status, duration) {
    let row = findRow(key);
    if (!row) {
      if (!table() || !shown(status) || !onThisPage(key)) { return; }
      row = newRow(key);
    }
    const s = STATUS[status] || STATUS.unknown;
    row.dataset.status = status;
    row.className = s[1] + ' live-updated';
    row.querySelector('td.status').textContent = s[0];
    if (duration !== undefined && duration !== null) { row.querySelector('td.duration').textContent = duration + 's'; }
    row.classList.toggle('hidden', !shown(status));
  }

  function follow() {
    const t = table();
    const live = document.getElementById('live');
    if (!t || !live || !window.EventSource) { return; }
    const base = t.dataset.base || '';
    const url = base + '/api/v1/events?types=verdict,started&commit=' + encodeURIComponent(t.dataset.commit);
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

  function start() {
    follow();
    watchPager();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
