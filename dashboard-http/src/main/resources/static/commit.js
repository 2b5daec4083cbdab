// Commit page: status filter radios and the log pane. Logs are untrusted text: only textContent is used.
(function () {
  'use strict';
  const rows = Array.from(document.querySelectorAll('table.results tbody tr'));
  const pane = document.getElementById('testlog');

  function applyFilter(value) {
    rows.forEach(function (row) {
      const show = value === 'all' || row.dataset.status === value;
      row.classList.toggle('hidden', !show);
    });
  }

  document.querySelectorAll('.status-filter input[name="status"]').forEach(function (radio) {
    radio.addEventListener('change', function () { applyFilter(radio.value); });
    if (radio.checked) { applyFilter(radio.value); }
  });

  document.querySelectorAll('table.results a.log').forEach(function (link) {
    link.addEventListener('click', function (event) {
      event.preventDefault();
      pane.textContent = 'loading ' + link.getAttribute('href') + ' …';
      fetch(link.getAttribute('href'))
        .then(function (r) {
          if (!r.ok) { throw new Error('HTTP ' + r.status); }
          return r.text();
        })
        .then(function (text) { pane.textContent = text; })
        .catch(function (err) { pane.textContent = 'could not load the log: ' + err.message; });
    });
  });
})();
