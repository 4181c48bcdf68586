/* Keyboard-first KBLI coding: 1-3 pick a suggestion, "/" jumps to search, Enter saves.
   Search results come from /admin/kbli/search as you type (the form also works without JS). */
(function () {
  "use strict";
  var codeInput = document.getElementById("code");
  var search = document.getElementById("q");
  var results = document.getElementById("search-results");
  if (!codeInput) { return; }

  function pick(code) { codeInput.value = code; codeInput.focus(); }
  document.addEventListener("click", function (event) {
    var target = event.target.closest(".pick");
    if (target) { pick(target.getAttribute("data-code")); }
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA)$/.test(document.activeElement.tagName);
    // "/" is never part of a code, so it jumps to the search box from anywhere but the box itself.
    if (event.key === "/" && document.activeElement !== search) { event.preventDefault(); search.focus(); return; }
    if (!typing && /^[1-3]$/.test(event.key)) {
      var button = document.querySelector('#suggestions [data-key="' + event.key + '"]');
      if (button) { event.preventDefault(); pick(button.getAttribute("data-code")); }
    }
  });
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = search.value.trim();
      if (q.length < 2) { return; }
      fetch(search.getAttribute("data-search-url") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (entries) {
          results.textContent = "";
          entries.forEach(function (entry) {
            var li = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button"; button.className = "link pick";
            button.setAttribute("data-code", entry.code);
            button.textContent = entry.code;
            li.appendChild(button);
            li.appendChild(document.createTextNode(" " + entry.title + " (" + entry.section + ")"));
            results.appendChild(li);
          });
        });
    }, 200);
  });
  document.documentElement.setAttribute("data-coding-ready", "1");  // keys work from now on
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var first = results.querySelector(".pick");
      if (first) { event.preventDefault(); pick(first.getAttribute("data-code")); }
    }
  });
}());
