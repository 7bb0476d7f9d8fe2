// The dashboard's only script: live updates over Server-Sent Events, and copy buttons.
// Every page works without it; it only spares the reload.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var source = document.body.dataset.events;
  var busy = false, again = false, pressed = false, gone = false;

  // A part is not swapped under a pressed button: the click would land on the old element.
  document.addEventListener("pointerdown", function () { pressed = true; }, true);
  document.addEventListener("pointerup", function () { pressed = false; }, true);
  document.addEventListener("pointercancel", function () { pressed = false; }, true);

  function state(text, cls) {
    if (!live) return;
    live.textContent = text;
    live.className = "live " + cls;
  }

  // shown adds to url the sandbox this page shows, so that its updates stay of that sandbox
  // whatever another tab switched the dashboard to since.
  function shown(url) {
    var cur = document.getElementById("current-sandbox"), u = new URL(url, location.href);
    if (cur) u.searchParams.set("shown", cur.textContent);
    return u.toString();
  }

  // refresh fetches the page again and swaps its live parts (elements with data-live and an
  // id), leaving forms, focus and scroll alone.
  function refresh() {
    if (busy || pressed) { again = true; if (!busy) setTimeout(retry, 200); return; }
    busy = true;
    fetch(shown(location.href), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text().then(function (html) { return { ok: r.ok, html: html }; }); })
      .then(function (res) {
        var doc = new DOMParser().parseFromString(res.html, "text/html");
        // The page's sandbox was removed: say so, and keep what the page showed of it rather
        // than swap in another sandbox's.
        var missing = doc.querySelector("[data-sandbox-gone]");
        if (missing) { sandboxGone(missing); return; }
        if (!res.ok) return;
        document.querySelectorAll("[data-live][id]").forEach(function (el) {
          var next = doc.getElementById(el.id);
          // Only what changed is replaced, so focus and clicks elsewhere are undisturbed.
          if (!next || next.innerHTML === el.innerHTML) return;
          // Keep open what the reader opened.
          el.querySelectorAll("details[open][data-delivery]").forEach(function (d) {
            var n = next.querySelector('details[data-delivery="' + d.dataset.delivery + '"]');
            if (n) n.open = true;
          });
          // Keep the reader's place: the focused control comes back focused, found by its id,
          // else by its place among the part's controls.
          var controls = "a[href],button,input,select,textarea,[tabindex]";
          var focused = el.contains(document.activeElement) ? document.activeElement : null;
          var place = focused ? Array.prototype.indexOf.call(el.querySelectorAll(controls), focused) : -1;
          el.replaceWith(next);
          if (focused) {
            var back = (focused.id && document.getElementById(focused.id)) || next.querySelectorAll(controls)[place];
            if (back) back.focus({ preventScroll: true });
          }
        });
        var sb = doc.getElementById("current-sandbox"), cur = document.getElementById("current-sandbox");
        if (sb && cur) cur.textContent = sb.textContent;
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; setTimeout(refresh, 150); }
      });
  }

  function sandboxGone(notice) {
    gone = true;
    if (es) { es.close(); es = null; }
    state("sandbox removed", "off");
    if (document.getElementById("sandbox-gone")) return;
    var main = document.getElementById("main"), el = document.importNode(notice, true);
    el.id = "sandbox-gone";
    if (main) main.insertBefore(el, main.firstChild);
  }

  function retry() {
    if (again && !busy) { again = false; refresh(); }
  }

  // Browsers open at most six HTTP/1.1 connections to a host, and each stream holds one: a
  // hidden tab closes its stream, and catches up when it is shown again.
  var es = null;
  function connect() {
    if (gone || es || !source || !window.EventSource) return;
    es = new EventSource(shown(source));
    es.addEventListener("hello", function () { state("live", "on"); });
    es.addEventListener("change", refresh);
    es.onerror = function () { state("reconnecting…", "off"); };
  }
  function disconnect() {
    if (es) { es.close(); es = null; }
    if (!gone) state("paused", "off");
  }
  if (source && window.EventSource) {
    connect();
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { disconnect(); } else if (!gone) { connect(); refresh(); }
    });
    window.addEventListener("pagehide", disconnect);
  } else {
    state("", "");
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-copy]");
    if (!b) return;
    var el = document.getElementById(b.dataset.copy);
    if (!el) return;
    var text = el.textContent;
    var done = function () { var t = b.textContent; b.textContent = "Copied"; setTimeout(function () { b.textContent = t; }, 1200); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { select(el); });
    } else {
      select(el);
    }
  });

  function select(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  document.addEventListener("submit", function (e) {
    var msg = e.target.dataset.confirm;
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();
