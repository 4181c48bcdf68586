/* Refreshes a fragment of a staff page (the live wave dashboard) every 15 seconds. */
(function () {
  "use strict";
  var script = document.getElementById("refresh-script");
  if (!script) { return; }
  var url = script.getAttribute("data-refresh-url");
  var target = document.getElementById(script.getAttribute("data-refresh-target"));
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.querySelector("#" + target.id);
        if (fresh) { target.replaceWith(fresh); target = fresh; }
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  setInterval(refresh, 15000);
}());
