/* Instant skip logic in the browser. The server decides the same things from the same
   expression trees (survey_app/questionnaire/expressions.py), so this file only makes
   questions appear and disappear without a round trip; the survey works without it. */
(function () {
  "use strict";
  var dataNode = document.getElementById("skiplogic-data");
  if (!dataNode) { return; }
  var logic = JSON.parse(dataNode.textContent);
  var form = dataNode.ownerDocument.querySelector("form[method=post]");

  function isEmpty(v) { return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0); }
  function toNumber(v) {
    if (typeof v === "boolean") { return v ? 1 : 0; }
    if (typeof v === "number") { return v; }
    if (typeof v === "string" && v.trim() !== "" && !isNaN(Number(v.trim()))) { return Number(v.trim()); }
    return NaN;
  }
  function toText(v) {
    if (isEmpty(v)) { return ""; }
    if (Array.isArray(v)) { return v.map(toText).join(" "); }
    if (typeof v === "boolean") { return v ? "true" : "false"; }
    return String(v);
  }
  function truthy(v) {
    if (typeof v === "boolean") { return v; }
    if (typeof v === "number") { return !(v === 0 || isNaN(v)); }
    return !isEmpty(v);
  }
  function selection(v) { return Array.isArray(v) ? v.map(toText) : toText(v).split(/\s+/).filter(Boolean); }
  function compare(op, a, b) {
    if (op === "=" || op === "!=") {
      var eq;
      if (isEmpty(a) || isEmpty(b)) { eq = isEmpty(a) && isEmpty(b); }
      else {
        var na = toNumber(a), nb = toNumber(b);
        eq = (!isNaN(na) && !isNaN(nb)) ? na === nb : toText(a) === toText(b);
      }
      return op === "=" ? eq : !eq;
    }
    if (isEmpty(a) || isEmpty(b)) { return false; }
    var x = toNumber(a), y = toNumber(b);
    if (isNaN(x) || isNaN(y)) { x = toText(a); y = toText(b); }
    if (op === "<") { return x < y; }
    if (op === "<=") { return x <= y; }
    if (op === ">") { return x > y; }
    return x >= y;
  }
  function today() {
    // WIB (UTC+7), as on the server
    var d = new Date(Date.now() + 7 * 3600 * 1000);
    return d.toISOString().slice(0, 10);
  }
  function decimalDate(v) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(toText(v).trim());
    if (!m) { return NaN; }
    var year = Number(m[1]);
    var start = Date.UTC(year, 0, 1), day = Date.UTC(year, Number(m[2]) - 1, m[3] ? Number(m[3]) : 1);
    return year + (day - start) / (Date.UTC(year + 1, 0, 1) - start);
  }
  // A calculate's value as the server stores it: empty when it cannot be computed.
  function calculated(q, answers) {
    if (q.relevant && !truthy(evaluate(q.relevant, { answers: answers }))) { return ""; }
    var value = evaluate(q.calculation, { answers: answers });
    return (typeof value === "number" && !isFinite(value)) ? "" : value;
  }
  // --- xlsform: XLSForm functions, mirroring _XLSFORM_CALLS in questionnaire/expressions.py.
  // regex() here uses the browser's engine with the server's length caps; the server (RE2)
  // has the final word when the page is saved.
  var DAY_MS = 86400000;
  function asDate(v) {
    if (typeof v === "number") { return isNaN(v) || Math.abs(v) > 3000000 ? null : new Date(Math.floor(v) * DAY_MS); }
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(toText(v).trim());
    if (!m) { return null; }
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, m[3] ? +m[3] : 1));
    return isNaN(d.getTime()) ? null : d;
  }
  var XLSFORM_CALLS = {
    "concat": function (v) { return v.map(toText).join(""); },
    "regex": function (v) {
      var p = toText(v[1]), t = toText(v[0]);
      if (p.length > 500 || t.length > 10000) { return false; }
      try { return new RegExp(p).test(t); } catch (e) { return false; }
    },
    "decimal-date-time": function (v) { var d = asDate(v[0]); return d ? Math.round(d.getTime() / DAY_MS) : NaN; },
    "date": function (v) { var d = asDate(v[0]); return d ? d.toISOString().slice(0, 10) : ""; },
    "string": function (v) { return toText(v[0]); },
    "contains": function (v) { return toText(v[0]).indexOf(toText(v[1])) >= 0; },
    "floor": function (v) { return Math.floor(toNumber(v[0])); },
    "ceiling": function (v) { return Math.ceil(toNumber(v[0])); },
    "abs": function (v) { return Math.abs(toNumber(v[0])); },
    "date-time": function (v) { var d = asDate(v[0]); return d ? d.toISOString().slice(0, 10) : ""; }
  };
  function evaluate(t, scope) {
    switch (t[0]) {
      case "lit": return t[1];
      // ${previous.x} is ["ref", "previous.x"]: the page's data carries the earlier-wave answers
      // its expressions read under those names (presenter.client_logic); a newcomer's are
      // absent, so they read as empty, exactly as on the server.
      case "ref": return scope.answers[t[1]];
      case "cur": return scope.current;
      case "attr": return scope.choice ? scope.choice[t[1]] : undefined;
      case "neg": return -toNumber(evaluate(t[1], scope));
      case "call": return call(t[1], t.slice(2), scope);
    }
    var op = t[1];
    if (op === "and") { return truthy(evaluate(t[2], scope)) && truthy(evaluate(t[3], scope)); }
    if (op === "or") { return truthy(evaluate(t[2], scope)) || truthy(evaluate(t[3], scope)); }
    var a = evaluate(t[2], scope), b = evaluate(t[3], scope);
    if (["=", "!=", "<", "<=", ">", ">="].indexOf(op) >= 0) { return compare(op, a, b); }
    var x = toNumber(a), y = toNumber(b);
    if (isNaN(x) || isNaN(y)) { return NaN; }
    if (op === "+") { return x + y; }
    if (op === "-") { return x - y; }
    if (op === "*") { return x * y; }
    if (y === 0) { return NaN; }
    return op === "div" ? x / y : x % y;
  }
  function call(name, args, scope) {
    if (name === "if") { return evaluate(truthy(evaluate(args[0], scope)) ? args[1] : args[2], scope); }
    var v = args.map(function (a) { return evaluate(a, scope); });
    switch (name) {
      case "not": return !truthy(v[0]);
      case "selected": return selection(v[0]).indexOf(toText(v[1])) >= 0;
      case "count-selected": return selection(v[0]).length;
      case "string-length": return toText(v[0]).trim().length;
      case "today": return today();
      case "number": return toNumber(v[0]);
      case "true": return true;
      case "false": return false;
      case "count": return Array.isArray(v[0]) ? v[0].length : selection(v[0]).length;
      case "int": var n = toNumber(v[0]); return isFinite(n) ? Math.trunc(n) : NaN;
      case "round":  // half up, as ODK does; the server's _round
        var x = toNumber(v[0]), d = v.length > 1 && !isNaN(toNumber(v[1])) ? Math.trunc(toNumber(v[1])) : 0;
        if (!isFinite(x)) { return x; }
        var scale = Math.pow(10, Math.max(Math.min(d, 10), -10));
        return Math.floor(x * scale + 0.5) / scale;
      case "decimal-date": return decimalDate(v[0]);
      case "coalesce": return isEmpty(v[0]) ? v[1] : v[0];
    }
    if (Object.prototype.hasOwnProperty.call(XLSFORM_CALLS, name)) { return XLSFORM_CALLS[name](v); }  // --- xlsform
    return NaN;
  }

  function pageValue(q) {
    var inputs = form.querySelectorAll('[name="' + q.name + '"]');
    if (q.type === "select_multiple") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    if (inputs.length && inputs[0].tagName === "SELECT") { return inputs[0].value; }
    if (q.type === "select_one") {
      var c = Array.prototype.filter.call(inputs, function (i) { return i.checked; });
      return c.length ? c[0].value : "";
    }
    if (!inputs.length) { return ""; }
    var raw = inputs[0].value.trim();
    if (q.type === "integer" || q.type === "decimal") {
      var n = toNumber(raw.replace(/[.,](?=\d{3}(\D|$))/g, "").replace(",", "."));
      return isNaN(n) ? raw : n;
    }
    return raw;
  }

  var shownField = document.getElementById("shown");

  function refresh() {
    var answers = Object.assign({}, logic.answers);
    var shownNames = [];
    logic.questions.forEach(function (q) {
      if (q.calculation) { answers[q.name] = calculated(q, answers); return; }
      var block = document.getElementById("q-" + q.name);
      if (!block) { return; }
      var shown = !q.relevant || truthy(evaluate(q.relevant, { answers: answers }));
      if (shown && q.choice_filter && q.choices) {
        var any = false;
        block.querySelectorAll("[data-choice]").forEach(function (label) {
          var choice = q.choices[label.getAttribute("data-choice")];
          var ok = !!choice && truthy(evaluate(q.choice_filter, { answers: answers, choice: choice }));
          label.hidden = !ok;
          var input = label.querySelector("input");
          if (!ok && input) { input.checked = false; }
          any = any || ok;
        });
        shown = any;
      }
      block.hidden = !shown;
      if (shown) { shownNames.push(q.name); }
      block.querySelectorAll("input,textarea,select").forEach(function (el) { el.disabled = !shown; });
      if (shown && q.type !== "note") { answers[q.name] = pageValue(q); }
    });
    if (shownField) { shownField.value = shownNames.join(","); }
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
