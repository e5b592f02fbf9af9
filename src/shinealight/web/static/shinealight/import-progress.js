// The import job page: asks the server how far the import has got and shows it, without
// reloading the page, then reloads it once to show how the import ended. Without this
// script the page refreshes itself (a <meta> refresh inside <noscript>). A file rather than
// inline script, because the Content-Security-Policy allows scripts from this origin only.
(function () {
  "use strict";
  var root = document.querySelector("[data-import-status-url]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-import-status-url");
  var bar = document.getElementById("import-progress");
  var percent = document.getElementById("import-percent");
  var records = document.getElementById("import-records");
  var status = document.getElementById("import-status");
  var EVERY = 1000;
  var failures = 0;

  // Only a change is written: screen readers announce the status region on every change.
  function show(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  function update(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    show(percent, data.percent + "%");
    show(records, data.records_checked.toLocaleString("en-GB"));
    show(status, data.status_text);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        // Signed out, or the job is gone: the page itself says what happened.
        if (response.redirected || response.status === 404 || response.status === 403) {
          window.location.reload();
          return null;
        }
        if (!response.ok || type.indexOf("application/json") !== 0) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        failures = 0;
        update(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, EVERY);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures === 3) {
          show(status, "Cannot reach the server to check the import. Still trying…");
        }
        // Back off while the server is unreachable, up to half a minute.
        window.setTimeout(poll, Math.min(30000, EVERY * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, EVERY);
})();
