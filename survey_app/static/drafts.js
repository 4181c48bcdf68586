/* Drafts for a flaky phone: typed answers stay on the phone until the server saved them, and
   pages are sent with fetch so a lost connection keeps the person on the page. Design, hooks
   and storage rules: docs/ARCHITECTURE.md, "Drafts on the phone". No JavaScript: plain posts. */
(function () {
  "use strict";
  var PREFIX = "jejak-draft:", MAX_AGE_MS = 7 * 864e5, TIMEOUT_MS = 6e4;
  var shownPath = location.pathname;
  // Pages after a fetched save are written into this document under a pushed URL: going back
  // to another page's URL loads it (a jump to an #anchor on the same page does not).
  addEventListener("popstate", function () { if (location.pathname !== shownPath) { location.reload(); } });

  function area(name) { try { return window[name] || null; } catch (e) { return null; } }
  var local = area("localStorage"), session = area("sessionStorage");
  if (!local) { return; }
  function read(store, key) {
    try { return JSON.parse(store.getItem(key)) || { pages: {} }; } catch (e) { return { pages: {} }; }
  }
  function write(store, key, entry) {
    try {
      if (Object.keys(entry.pages).length) { entry.t = Date.now(); store.setItem(key, JSON.stringify(entry)); }
      else { store.removeItem(key); }
    } catch (e) { /* full or private mode: drafts are best effort */ }
  }
  // Keep only the pages for which keep(name, page) says so (no keep: forget them all).
  function prune(key, keep) {
    [local, session].forEach(function (store) {
      if (!store) { return; }
      var entry = read(store, key);
      Object.keys(entry.pages).forEach(function (name) {
        if (!keep || !keep(name, entry.pages[name])) { delete entry.pages[name]; }
      });
      write(store, key, entry);
    });
  }
  // The storage key: a SHA-256 of the link, so the token itself is not written down (plain
  // http has no crypto.subtle: the link is used as it is).
  function keyFor(link, done) {
    try {
      crypto.subtle.digest("SHA-256", new TextEncoder().encode(link)).then(function (buffer) {
        done(PREFIX + Array.prototype.map.call(new Uint8Array(buffer), function (b) {
          return (b + 256).toString(16).slice(1);
        }).join("").slice(0, 32));
      }, function () { done(PREFIX + link); });
    } catch (e) { done(PREFIX + link); }
  }

  for (var i = local.length - 1; i >= 0; i -= 1) {  // forgotten drafts do not stay for ever
    var old = local.key(i);
    if (old && old.indexOf(PREFIX) === 0 && !(read(local, old).t > Date.now() - MAX_AGE_MS)) { local.removeItem(old); }
  }
  var sent = document.querySelector("[data-draft-clear]");
  if (sent) { keyFor(sent.getAttribute("data-draft-clear"), function (key) { prune(key); }); }
  var form = document.querySelector("form[data-draft-page]");
  if (!form) { return; }

  var pageName = form.getAttribute("data-draft-page");
  var revisionField = form.elements.namedItem("revision");
  var revision = revisionField ? String(revisionField.value) : "";
  var key = null;
  function text(name) { return form.getAttribute("data-draft-" + name) || ""; }
  function message(tag, role, className) {
    var node = document.createElement(tag);
    node.className = className;
    node.setAttribute("role", role);
    node.hidden = true;
    return node;
  }
  var note = message("p", "status", "draft-note");  // polite: restored / not saved yet
  var alert = message("p", "alert", "error draft-alert");  // by the button: sending failed
  alert.tabIndex = -1;
  form.insertBefore(note, form.firstChild);
  form.insertBefore(alert, form.querySelector(".nav"));
  function say(node, words) {
    if (node.textContent !== words) { node.textContent = words; }
    node.hidden = !words;
  }

  function isValue(el) {
    return el.name && ["hidden", "submit", "button", "reset", "file", "password", "image"].indexOf(el.type) < 0;
  }
  // {plain: {name: [values]}, secret: {...}}: answers inside .q[data-sensitive] are secret.
  // Unticked groups are kept as [] so that restoring also unticks.
  function collect() {
    var values = { plain: {}, secret: {} };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isValue(el)) { return; }
      var bag = el.closest("[data-sensitive]") ? values.secret : values.plain;
      var list = bag[el.name] || (bag[el.name] = []);
      if (el.type === "radio" || el.type === "checkbox") { if (el.checked) { list.push(el.value); } }
      else if (el.tagName === "SELECT") { Array.prototype.forEach.call(el.selectedOptions, function (o) { list.push(o.value); }); }
      else { list.push(el.value); }
    });
    return values;
  }
  function apply(values) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isValue(el) || !Object.prototype.hasOwnProperty.call(values, el.name)) { return; }
      var list = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") { el.checked = list.indexOf(el.value) >= 0; }
      else if (el.tagName === "SELECT") { Array.prototype.forEach.call(el.options, function (o) { o.selected = list.indexOf(o.value) >= 0; }); }
      else {
        var index = seen[el.name] || 0;
        seen[el.name] = index + 1;
        if (index < list.length) { el.value = list[index]; }
      }
    });
  }

  var shown = JSON.stringify(collect());  // what the server showed
  // Secret answers go to sessionStorage only, which the browser forgets with the tab.
  function saveDraft() {
    if (!key) { return; }
    var now = collect(), changed = JSON.stringify(now) !== shown;
    [[local, now.plain], [session, now.secret]].forEach(function (pair) {
      if (!pair[0]) { return; }
      var entry = read(pair[0], key);
      if (changed) { entry.pages[pageName] = { rev: revision, values: pair[1] }; } else { delete entry.pages[pageName]; }
      write(pair[0], key, entry);
    });
    say(note, changed ? text("unsaved") : "");
  }

  keyFor(form.getAttribute("data-draft-link") || location.pathname, function (found) {
    key = found;
    // A draft typed against an older revision loses to what the server has now.
    prune(key, function (name, page) { return page.rev === revision; });
    var plain = read(local, key).pages[pageName], secret = session && read(session, key).pages[pageName];
    if (plain || secret) {
      if (plain) { apply(plain.values); }
      if (secret) { apply(secret.values); }
      form.dispatchEvent(new Event("change", { bubbles: true }));  // skip logic shows what they open
      // Same as shown (e.g. the page came back with errors): only say it is not saved yet.
      say(note, text(JSON.stringify(collect()) === shown ? "unsaved" : "restored"));
    }
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
  });

  var sending = false;
  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.URLSearchParams || event.defaultPrevented) { return; }
    event.preventDefault();
    if (sending) { return; }  // a second tap while the first send is on its way
    sending = true;
    saveDraft();
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { body.append(name, value); });
    if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort && setTimeout(function () { abort.abort(); }, TIMEOUT_MS);
    say(alert, "");
    say(note, text("sending"));
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "text/html" },
      signal: abort ? abort.signal : undefined,
    }).then(function (reply) {
      // 5xx: a proxy or server that could not save now; the person keeps the page and retries.
      if (reply.status >= 500) { throw new Error("HTTP " + reply.status); }
      return reply.text().then(function (html) {
        clearTimeout(timer);
        if (reply.redirected) {  // saved, and sent on to the next page: the draft has done its job
          if (key) { prune(key, function (name) { return name !== pageName; }); }
          history.pushState(null, "", reply.url);
        }
        document.open();
        document.write(html);  // the reply is a whole page: errors, the next page, or a 409
        document.close();
        scrollTo(0, 0);
      });
    }).catch(function () {
      clearTimeout(timer);
      sending = false;
      saveDraft();
      say(alert, text("failed"));
      alert.focus();
    });
  });
}());
