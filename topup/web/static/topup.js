// topup dashboard: auto-refresh, the Check now button. No libraries, nothing from elsewhere.
(function () {
  "use strict";
  var refreshAttr = parseInt(document.body.getAttribute("data-refresh"), 10);
  var every = (isNaN(refreshAttr) ? 30 : refreshAttr) * 1000;
  var busy = false;

  // A message the page gives in its language (data-* on <body>), "{error}" filled in.
  function failed(attr, fallback, e) {
    var text = document.body.getAttribute(attr) || fallback;
    return text.replace("{error}", e && e.message ? e.message : String(e));
  }

  function say(text, error) {
    var el = document.getElementById("check-status");
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!error);
  }

  // Re-fetch this page and swap its content in place (keeps scroll, no flicker).
  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("content");
        var stamp = doc.getElementById("updated-at");
        if (fresh) document.getElementById("content").innerHTML = fresh.innerHTML;
        var mine = document.getElementById("updated-at");
        if (stamp && mine) {
          mine.textContent = stamp.textContent;
          mine.setAttribute("datetime", stamp.getAttribute("datetime"));
        }
        document.body.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function (e) { say(failed("data-refresh-failed", "refresh failed: {error}", e), true); });
  }

  function checkNow(button) {
    if (busy) return;
    busy = true;
    button.disabled = true;
    var name = button.getAttribute("data-account");
    var body = name ? { accounts: [name] } : {};
    say(document.body.getAttribute("data-checking") || "checking…");
    fetch("/api/check", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (doc) {
        var n = doc.results.length;
        var bad = doc.results.filter(function (x) { return x.status !== "ok"; }).length;
        var word = document.body.getAttribute("data-checked") || "checked";
        say(word + " " + n + (bad ? " · " + bad + " ✗" : " ✓"), bad > 0);
        return refresh();
      })
      .catch(function (e) { say(failed("data-check-failed", "check failed: {error}", e), true); })
      .then(function () { busy = false; button.disabled = false; });
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("button[data-check]");
    if (button) { ev.preventDefault(); checkNow(button); }
  });

  // The filters apply as soon as one changes (the form is a plain GET: the URL holds the view).
  document.addEventListener("change", function (ev) {
    var form = ev.target.form;
    if (form && form.classList.contains("filters") && ev.target.name !== "q") form.submit();
  });

  if (every > 0) setInterval(function () {
    if (!document.hidden && !busy) refresh();
  }, every);
})();
