// BSN Knowledge web UI entry point (placeholder until the web UI lands).
// Loaded with `defer` from /static/app.js; no inline scripts, so it runs under the strict CSP.
'use strict';

(function () {
  const app = document.getElementById('app');
  if (!app) {
    return;
  }
  const status = document.createElement('p');
  status.className = 'muted';
  status.textContent = 'Checking the server...';
  app.appendChild(status);

  fetch('/health', { headers: { Accept: 'application/json' } })
    .then(function (response) { return response.json(); })
    .then(function (health) {
      status.textContent = 'Server ' + health.status + ' (version ' + health.version + ')';
    })
    .catch(function () {
      status.textContent = 'The server cannot be reached.';
    });
}());

// reserved: module 0 of the web UI is registered here when it lands.

// reserved: module 1 of the web UI is registered here when it lands.

// reserved: module 2 of the web UI is registered here when it lands.

// reserved: module 3 of the web UI is registered here when it lands.

// reserved: module 4 of the web UI is registered here when it lands.

// reserved: module 5 of the web UI is registered here when it lands.

// reserved: module 6 of the web UI is registered here when it lands.

// reserved: module 7 of the web UI is registered here when it lands.

// reserved: module 8 of the web UI is registered here when it lands.

// reserved: module 9 of the web UI is registered here when it lands.

// reserved: module 10 of the web UI is registered here when it lands.

// reserved: module 11 of the web UI is registered here when it lands.

// reserved: module 12 of the web UI is registered here when it lands.

// reserved: module 13 of the web UI is registered here when it lands.

// reserved: module 14 of the web UI is registered here when it lands.

// reserved: module 15 of the web UI is registered here when it lands.

// reserved: module 16 of the web UI is registered here when it lands.

// reserved: module 17 of the web UI is registered here when it lands.

// reserved: module 18 of the web UI is registered here when it lands.

// reserved: module 19 of the web UI is registered here when it lands.

// reserved: module 20 of the web UI is registered here when it lands.

// reserved: module 21 of the web UI is registered here when it lands.

// reserved: module 22 of the web UI is registered here when it lands.

// reserved: module 23 of the web UI is registered here when it lands.

// reserved: module 24 of the web UI is registered here when it lands.

// reserved: module 25 of the web UI is registered here when it lands.

// reserved: module 26 of the web UI is registered here when it lands.

// reserved: module 27 of the web UI is registered here when it lands.

// reserved: module 28 of the web UI is registered here when it lands.

// reserved: module 29 of the web UI is registered here when it lands.
