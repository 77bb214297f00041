/* Progressive enhancement only: every action works as a plain form without this file. */
(function () {
  "use strict";
  var csrf = function () {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  };

  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  }

  // Live character counters on every textarea that asks for one.
  function counters(root) {
    root.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var out = document.getElementById(area.dataset.counter);
      if (out && window.Tidings && Tidings.attachCounter) Tidings.attachCounter(area, out, parseInt(area.dataset.max, 10));
    });
  }

  // Like / save without leaving the page: send the same form, swap in the returned card.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { ev.preventDefault(); return; }
    if (!form.hasAttribute("data-inline")) return;
    ev.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { "X-Tidings-Inline": "1", "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok || r.redirected) throw r; return r.text(); })
      .then(function (html) {
        var card = form.closest("article.post");
        var next = fragment(html);
        if (card && next) { card.replaceWith(next); counters(next); }
      })
      .catch(function () { form.submit(); });
  });

  // Live updates over server-sent events.
  var stream = document.body.dataset.live;
  var timeline = document.querySelector("[data-timeline]");
  var onHome = !!document.querySelector("[data-compose]") && location.pathname === "/";
  function bump(name) {
    var b = document.querySelector('[data-badge="' + name + '"]');
    if (!b) return;
    b.textContent = String((parseInt(b.textContent, 10) || 0) + 1);
    b.hidden = false;
  }
  // A new post's card, fetched through the audience check, on top of a list.
  function showPost(id, list) {
    list = list || timeline;
    if (!list || document.getElementById("p" + id)) return;
    fetch("/p/" + id + "/card/", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (!html || document.getElementById("p" + id)) return;
        var card = fragment(html);
        card.classList.add("fresh");
        var empty = list.querySelector(".empty");
        if (empty) empty.remove();
        list.prepend(card);
      });
  }
  if (stream && window.EventSource) {
    var es = new EventSource(stream);
    es.onopen = function () { document.body.dataset.liveState = "open"; };
    es.onerror = function () { document.body.dataset.liveState = "retrying"; };
    es.addEventListener("post", function (e) { if (onHome) showPost(JSON.parse(e.data).id); });
    // Inside an organisation or a group: new posts of the space this page shows.
    es.addEventListener("space-post", function (e) {
      var d = JSON.parse(e.data);
      if (document.body.dataset.space && d.space === document.body.dataset.space) showPost(d.id);
    });
    es.addEventListener("notification", function () {
      if (location.pathname === "/notifications/") { location.reload(); } else { bump("notifications"); }
    });
    es.addEventListener("message", function () {
      if (location.pathname.indexOf("/messages/@") === 0) { location.reload(); } else { bump("messages"); }
    });
  }

  // A monitor's column: each new catch on top.
  var column = document.querySelector("[data-monitor-column]");
  if (column && window.EventSource) {
    var watch = new EventSource(column.dataset.monitorLive);
    watch.onopen = function () { document.body.dataset.monitorState = "open"; };
    watch.onerror = function () { document.body.dataset.monitorState = "retrying"; };
    watch.addEventListener("monitor-hit", function (e) { showPost(JSON.parse(e.data).id, column); });
  }

  // A live broadcast: the host's updates and the audience's comments, each on top of its list.
  var show = document.querySelector("[data-live-show]");
  if (show && show.dataset.liveSrc && window.EventSource) {
    var feed = new EventSource(show.dataset.liveSrc);
    feed.onopen = function () { document.body.dataset.broadcastState = "open"; };
    feed.onerror = function () { document.body.dataset.broadcastState = "retrying"; };
    feed.addEventListener("live-post", function (e) {
      var d = JSON.parse(e.data);
      showPost(d.id, show.querySelector(d.host ? "[data-live-updates]" : "[data-live-comments]"));
    });
  }

  // The Q&A library, searched as one types (the form still works without us).
  document.querySelectorAll("form[data-answer-search]").forEach(function (form) {
    var input = form.querySelector("input[type=search]");
    var results = form.parentNode.querySelector("[data-answer-results]");
    var timer = null;
    if (!input || !results) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(form.dataset.answerSearch + "&q=" + encodeURIComponent(input.value), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null) results.innerHTML = html; });
      }, 200);
    });
  });

  // A case's timer: how long it has been open, to the second.
  document.querySelectorAll("[data-timer]").forEach(function (el) {
    var since = parseInt(el.dataset.timer, 10) * 1000;
    function tick() {
      var s = Math.max(0, Math.floor((Date.now() - since) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
      el.textContent = (h ? h + ":" : "") + String(m).padStart(h ? 2 : 1, "0") + ":" + String(s % 60).padStart(2, "0");
    }
    tick();
    setInterval(tick, 1000);
  });

  counters(document);
})();
