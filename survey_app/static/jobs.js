/* Live progress of a background job (jobs, issue 8): polls the job's JSON, no page reload. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-url");
  var ended = { done: true, failed: true, cancelled: true, expired: true };
  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }
  function show(data) {
    var p = data.progress || {};
    var bar = document.getElementById("job-progress");
    if (bar && p.percent !== null && p.percent !== undefined) { bar.value = p.percent; }
    text("job-state", data.state_label || data.state);
    text("job-done", p.done);
    if (p.total !== null && p.total !== undefined) { text("job-total", p.total); }
    text("job-percent", p.percent !== null && p.percent !== undefined ? "(" + p.percent + "%)" : "");
    text("job-rate", p.rate ? "· " + p.rate + " /s" : "");
    text("job-eta", p.eta_seconds !== null && p.eta_seconds !== undefined ? "· " + data.eta_text : "");
    text("job-message", data.message || "");
    if (data.download_url) {
      var link = document.getElementById("job-download-link");
      link.href = data.download_url;
      document.getElementById("job-download").hidden = false;
    }
    if (ended[data.state]) {
      var cancel = document.getElementById("job-cancel");
      if (cancel) { cancel.hidden = true; }
    }
    return !ended[data.state];
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data === null || show(data)) { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (!ended[box.getAttribute("data-state")]) { setTimeout(poll, 500); }
}());
