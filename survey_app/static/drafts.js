/* Drafts for a flaky phone: what the person types on a survey page stays on the phone until
   the server has saved it, so a dropped connection, a reload or a closed tab loses nothing.
   "Save and continue" is sent with fetch: when the network fails the person stays on the page
   with everything typed and a retry message, instead of the browser's offline error page.
   Without JavaScript none of this runs and the page is a plain form post.

   Hooks (rendered by the templates, so every text is translated on the server):
   form[data-draft-page]  the page form: data-draft-link (the link's URL, the draft's scope),
                          data-draft-unsaved/-restored/-failed/-sending (messages);
   .q[data-sensitive]     a question whose answers are never written to localStorage;
   [data-draft-clear]     on the thank-you page: the survey is sent, drop every draft of the link.

   Storage: one localStorage entry per link, keyed by a SHA-256 of the link (the token itself is
   not written down where the browser offers hashing, i.e. https or localhost), holding per page
   the response revision the page was shown at and the values typed. Answers to `sensitive`
   questions (income, profit) go to sessionStorage only, which the browser forgets when the tab
   is closed: they survive a failed send and a reload but are never left on a shared phone.
   A draft is restored only while the page is still shown at the draft's revision (the server
   has saved nothing newer since); a page shown at a newer revision drops older drafts, and a
   save the server confirmed (it redirected to the next page) drops the page's draft. */
(function () {
  "use strict";
  var PREFIX = "jejak-draft:";
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000;  // a forgotten draft does not stay on the phone for ever
  var TIMEOUT_MS = 60000;  // a send that hangs this long on 2G is treated as failed
  var shownPath = location.pathname;

  // Pages after a fetched save are written into this document with a pushed URL: going back
  // to another page's URL must load that page (a jump to an #anchor on the same page must not).
  window.addEventListener("popstate", function () {
    if (location.pathname !== shownPath) { location.reload(); }
  });

  function store(kind) {
    try { return window[kind] || null; } catch (e) { return null; }  // blocked storage throws
  }
  var local = store("localStorage"), session = store("sessionStorage");
  if (!local) { return; }

  function read(area, key) {
    try { return JSON.parse(area.getItem(key)) || { pages: {} }; } catch (e) { return { pages: {} }; }
  }
  function write(area, key, entry) {
    try {
      if (Object.keys(entry.pages).length) {
        entry.t = Date.now();
        area.setItem(key, JSON.stringify(entry));
      } else {
        area.removeItem(key);
      }
    } catch (e) { /* full or private mode: drafts are best effort */ }
  }
  function forget(area, key, keep) {
    if (!area) { return; }
    var entry = read(area, key);
    Object.keys(entry.pages).forEach(function (name) {
      if (!keep || !keep(name, entry.pages[name])) { delete entry.pages[name]; }
    });
    write(area, key, entry);
  }
  function dropExpired() {
    try {
      for (var i = local.length - 1; i >= 0; i -= 1) {
        var key = local.key(i);
        if (key && key.indexOf(PREFIX) === 0 && !(read(local, key).t > Date.now() - MAX_AGE_MS)) {
          local.removeItem(key);
        }
      }
    } catch (e) { /* ignore */ }
  }

  function keyFor(link, done) {
    var hex = function (buffer) {
      return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("").slice(0, 32);
    };
    try {
      window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(link)).then(
        function (buffer) { done(PREFIX + hex(buffer)); }, function () { done(PREFIX + link); });
    } catch (e) {
      done(PREFIX + link);  // plain http: no hashing in the browser
    }
  }

  dropExpired();
  var cleared = document.querySelector("[data-draft-clear]");
  if (cleared) {
    keyFor(cleared.getAttribute("data-draft-clear"), function (key) {
      forget(local, key); forget(session, key);
    });
  }
  var form = document.querySelector("form[data-draft-page]");
  if (!form) { return; }

  var pageName = form.getAttribute("data-draft-page");
  var revisionField = form.elements.namedItem("revision");
  var revision = revisionField ? String(revisionField.value) : "";
  var text = function (name) { return form.getAttribute("data-draft-" + name) || ""; };
  var key = null;

  // Messages: a polite note at the top (restored / not yet saved) and an alert by the button.
  var note = document.createElement("p");
  note.className = "draft-note";
  note.setAttribute("role", "status");
  note.hidden = true;
  form.insertBefore(note, form.firstChild);
  var alert = document.createElement("p");
  alert.className = "error draft-alert";
  alert.setAttribute("role", "alert");
  alert.tabIndex = -1;
  alert.hidden = true;
  var nav = form.querySelector(".nav");
  form.insertBefore(alert, nav || null);
  function say(node, message) {
    if (node.textContent !== message) { node.textContent = message; }
    node.hidden = !message;
  }

  function isValueField(el) {
    return el.name && ["hidden", "submit", "button", "reset", "file", "password", "image"].indexOf(el.type) < 0;
  }
  // {plain: {name: [values]}, secret: {...}}; unticked groups are kept as [] so restoring unticks.
  function collect() {
    var values = { plain: {}, secret: {} };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isValueField(el)) { return; }
      var bag = el.closest("[data-sensitive]") ? values.secret : values.plain;
      var list = bag[el.name] || (bag[el.name] = []);
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { list.push(el.value); }
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.selectedOptions, function (option) { list.push(option.value); });
      } else {
        list.push(el.value);
      }
    });
    return values;
  }
  function apply(values) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isValueField(el) || !Object.prototype.hasOwnProperty.call(values, el.name)) { return; }
      var list = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = list.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (option) { option.selected = list.indexOf(option.value) >= 0; });
      } else {
        var index = seen[el.name] || 0;
        seen[el.name] = index + 1;
        if (index < list.length) { el.value = list[index]; }
      }
    });
  }
  var same = function (a, b) { return JSON.stringify(a) === JSON.stringify(b); };

  var onServer = collect();  // what the page was shown with
  function saveDraft() {
    if (!key) { return; }
    var now = collect();
    var changed = !same(now.plain, onServer.plain) || !same(now.secret, onServer.secret);
    [[local, now.plain], [session, now.secret]].forEach(function (pair) {
      if (!pair[0]) { return; }
      var entry = read(pair[0], key);
      if (changed) { entry.pages[pageName] = { rev: revision, values: pair[1] }; }
      else { delete entry.pages[pageName]; }
      write(pair[0], key, entry);
    });
    say(note, changed ? text("unsaved") : "");
  }

  keyFor(form.getAttribute("data-draft-link") || location.pathname, function (found) {
    key = found;
    // Drafts typed against an older revision lost to what the server has now.
    var current = function (name, page) { return page.rev === revision; };
    forget(local, key, current);
    forget(session, key, current);
    var plain = read(local, key).pages[pageName];
    var secret = session ? read(session, key).pages[pageName] : null;
    if (plain || secret) {
      if (plain) { apply(plain.values); }
      if (secret) { apply(secret.values); }
      // Let the skip logic show the questions the restored answers open.
      form.dispatchEvent(new Event("change", { bubbles: true }));
      say(note, text("restored"));
    }
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
  });

  function showReply(reply, html) {
    if (reply.redirected) {
      // The server saved the page and sent the next one: the draft has done its job.
      if (key) { forget(local, key, function (name) { return name !== pageName; }); }
      if (key) { forget(session, key, function (name) { return name !== pageName; }); }
      history.pushState(null, "", reply.url);
    }
    document.open();
    document.write(html);
    document.close();
    window.scrollTo(0, 0);
  }

  var sending = false;
  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.FormData || !window.URLSearchParams || event.defaultPrevented) { return; }
    event.preventDefault();
    if (sending) { return; }  // a second tap while the first send is on its way
    sending = true;
    saveDraft();
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { body.append(name, value); });
    var button = event.submitter;
    if (button && button.name) { body.append(button.name, button.value); }
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, TIMEOUT_MS) : null;
    say(alert, "");
    say(note, text("sending"));
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", redirect: "follow",
      headers: { Accept: "text/html" }, signal: abort ? abort.signal : undefined,
    }).then(function (reply) {
      // 5xx: a proxy or server that could not save now; keep the page and let the person retry.
      if (reply.status >= 500) { throw new Error("HTTP " + reply.status); }
      return reply.text().then(function (html) { clearTimeout(timer); showReply(reply, html); });
    }).catch(function () {
      clearTimeout(timer);
      sending = false;
      saveDraft();
      say(alert, text("failed"));
      alert.focus();
    });
  });
}());
