// The grid worker's field app (issue 20): every action is queued on the phone first (IndexedDB),
// each under a key made here, then sent to the sync endpoint one by one, oldest first, whenever
// there is signal.  The server does each key once and answers a repeat the same, so a sync cut
// off half-way is simply sent again.  Answers:
//   done      → the entry leaves the queue;
//   conflict  → the server's state moved on (a task closed, a patrol already ended): kept in the
//               conflict list, never resent;
//   4xx       → refused (bad input): kept in the list with the reason until dismissed;
//   401/403   → the session ended: everything stays queued until the worker signs in again;
//   429, 5xx, no network → stays queued, retried later.
(function () {
  "use strict";
  var root, T = {}, DB_NAME = "gongzhi-field", STORE = "queue", db = null, syncing = false, again = false, retryTimer = null;
  var PATROL_KEY = "gongzhi-field-patrol", FIXES_KEY = "gongzhi-field-fixes", watchId = null, flushTimer = null;

  function t(name) { return T[name] || name; }

  function newKey(prefix) {
    if (window.crypto && crypto.randomUUID) return prefix + "-" + crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return prefix + "-" + Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- IndexedDB: one store of entries {key, kind, payload, photos: [Blob], state, message, created, label}
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, {keyPath: "key"}); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return new Promise(function (resolve, reject) {
      var x = db.transaction(STORE, mode), store = x.objectStore(STORE), out = fn(store);
      x.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
      x.onerror = function () { reject(x.error); };
    });
  }
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function put(entry) { return tx("readwrite", function (s) { s.put(entry); }); }
  function remove(key) { return tx("readwrite", function (s) { s.delete(key); }); }

  function enqueue(kind, payload, photos, label) {
    var entry = {key: newKey(kind.replace("_", "")), kind: kind, payload: payload, photos: photos || [],
                 state: "pending", message: "", created: Date.now(), label: label || ""};
    return put(entry).then(function () { render(); sync(); return entry; });
  }

  // ---- sync
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : root.dataset.csrf;
  }
  function later(ms) {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; sync(); }, ms);
  }
  function sendOne(entry) {
    var body = new FormData();
    body.append("key", entry.key);
    body.append("kind", entry.kind);
    body.append("payload", JSON.stringify(entry.payload));
    (entry.photos || []).forEach(function (p, i) { body.append("photos", p, p.name || ("photo" + i + ".jpg")); });
    return fetch(root.dataset.sync, {method: "POST", body: body, credentials: "same-origin",
                                     headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}})
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) { return {status: r.status, data: data}; });
      });
  }
  function sync() {
    if (!db) return Promise.resolve();
    if (syncing) { again = true; return Promise.resolve(); }    // queued meanwhile: one more round after this one
    if (!navigator.onLine) { render(); return Promise.resolve(); }
    syncing = true;
    return all().then(function (entries) {
      var pending = entries.filter(function (e) { return e.state === "pending"; })
        .sort(function (a, b) { return a.created - b.created; });
      var step = function (i) {
        if (i >= pending.length) return null;
        var e = pending[i];
        return sendOne(e).then(function (res) {
          if (res.status === 200 && res.data.outcome === "done") return remove(e.key).then(function () { done(e, res.data); return step(i + 1); });
          if (res.status === 200 && res.data.outcome === "conflict") {
            e.state = "conflict"; e.message = (res.data.result || {}).message || ""; e.photos = [];
            return put(e).then(function () { return step(i + 1); });
          }
          if (res.status === 401 || res.status === 403) { status(t("login")); return null; }
          if (res.status === 429 || res.status >= 500) { later(15000); return null; }
          e.state = "refused"; e.message = res.data.message || ("HTTP " + res.status); e.photos = [];
          return put(e).then(function () { return step(i + 1); });
        });
      };
      return step(0);
    }).catch(function () { later(3000); })          // the network went away mid-way: try again soon
      .then(function () {
        syncing = false;
        if (again && !retryTimer) { again = false; return sync(); }
        again = false;
        return render();
      });
  }
  function done(entry, answer) {
    if (entry.kind === "task_done") mark(entry.payload.task_id, t("synced"));
  }

  // ---- the page
  function status(text) { var s = document.getElementById("net-state"); if (s) s.textContent = text; }
  function mark(taskId, text) {
    var box = document.getElementById("task-" + taskId);
    if (!box) return;
    var b = box.querySelector(".task-state");
    b.hidden = false; b.textContent = text;
    var f = box.querySelector("form"); if (f) f.hidden = true;
    box.open = false;
  }
  function li(entry) {
    var el = document.createElement("li");
    el.className = entry.state;
    el.dataset.key = entry.key;
    var strong = document.createElement("strong");
    strong.textContent = t(entry.kind) + (entry.label ? t("colon") + entry.label : "");
    el.appendChild(strong);
    var st = document.createElement("span");
    st.className = "badge";
    st.textContent = t(entry.state);
    el.appendChild(document.createTextNode(" ")); el.appendChild(st);
    if (entry.message) { el.appendChild(document.createTextNode(" " + entry.message)); }
    if (entry.state !== "pending") {
      var b = document.createElement("button");
      b.type = "button"; b.className = "link dismiss"; b.textContent = t("dismiss");
      b.addEventListener("click", function () { remove(entry.key).then(render); });
      el.appendChild(document.createTextNode(" ")); el.appendChild(b);
    }
    return el;
  }
  function render() {
    if (!db) return Promise.resolve();
    status(navigator.onLine ? t("online") : t("offline"));
    document.body.classList.toggle("is-offline", !navigator.onLine);
    return all().then(function (entries) {
      var q = document.getElementById("queue-list"), c = document.getElementById("conflict-list");
      entries.sort(function (a, b) { return a.created - b.created; });
      var pending = entries.filter(function (e) { return e.state === "pending"; });
      var problems = entries.filter(function (e) { return e.state !== "pending"; });
      q.replaceChildren.apply(q, pending.map(li));
      c.querySelectorAll("li.local").forEach(function (n) { n.remove(); });
      problems.forEach(function (e) { var n = li(e); n.classList.add("local"); c.appendChild(n); });
      document.getElementById("pending-count").textContent = pending.length;
      document.getElementById("conflict-count").textContent = c.querySelectorAll("li").length;
      entries.forEach(function (e) { if (e.kind === "task_done" && e.state === "pending") mark(e.payload.task_id, t("queued")); });
    });
  }

  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(function (p) { resolve(p.coords); }, function () { resolve(null); },
                                               {enableHighAccuracy: true, timeout: 8000, maximumAge: 60000});
    });
  }

  function onSubmit(e) {
    var form = e.target.closest("form.queue-form");
    if (!form) return;
    e.preventDefault();
    var kind = form.dataset.kind, photos = [];
    var files = form.querySelector("input[type=file]");
    if (files) photos = Array.prototype.slice.call(files.files);
    position().then(function (c) {
      var payload, label;
      if (kind === "task_done") {
        var checked = Array.prototype.map.call(form.querySelectorAll("input[name=checked]:checked"), function (x) { return x.value; });
        payload = {task_id: parseInt(form.dataset.taskId, 10), evidence: {checked: checked, note: form.note.value},
                   lon: c ? c.longitude : null, lat: c ? c.latitude : null, at: new Date().toISOString()};
        label = form.closest("details").querySelector("summary strong").textContent;
      } else {
        payload = {kind: form.kind.value, category: form.category.value, description: form.description.value,
                   address: form.address.value};
        if (c) { payload.lon = c.longitude; payload.lat = c.latitude; }
        else {                                  // no fix: the report is placed in the worker's grid
          var g = document.getElementById("patrol-grid");
          payload.grid = g ? g.value : root.dataset.grid;
        }
        var patrol = localStorage.getItem(PATROL_KEY);
        if (patrol) payload.patrol_key = patrol;
        label = form.description.value.slice(0, 20);
      }
      return enqueue(kind, payload, photos, label).then(function () { form.reset(); });
    });
  }

  // ---- patrols: fixes buffered on the phone, queued in batches every 30 s
  function fixes() { try { return JSON.parse(localStorage.getItem(FIXES_KEY) || "[]"); } catch (x) { return []; } }
  function flush() {
    var patrol = localStorage.getItem(PATROL_KEY), batch = fixes();
    if (!patrol || !batch.length) return Promise.resolve();
    localStorage.setItem(FIXES_KEY, "[]");
    return enqueue("patrol_points", {patrol_key: patrol, fixes: batch}, [], batch.length + " " + t("points"));
  }
  function watch() {
    if (watchId !== null || !navigator.geolocation) return;
    watchId = navigator.geolocation.watchPosition(function (p) {
      var b = fixes();
      b.push({lon: p.coords.longitude, lat: p.coords.latitude, at: new Date().toISOString(),   // the page's clock, as every other time it sends
              accuracy: p.coords.accuracy});
      localStorage.setItem(FIXES_KEY, JSON.stringify(b));
      document.getElementById("patrol-points").textContent = t("points") + " " + b.length;
    }, function () { document.getElementById("patrol-points").textContent = t("nogps"); },
    {enableHighAccuracy: true, maximumAge: 5000});
    flushTimer = setInterval(flush, 30000);
  }
  function patrolState() {
    var on = !!localStorage.getItem(PATROL_KEY);
    document.getElementById("patrol-state").textContent = on ? t("patrol-on") : t("patrol-off");
    document.getElementById("patrol-start").disabled = on;
    document.getElementById("patrol-stop").disabled = !on;
  }
  function startPatrol() {
    var key = newKey("patrol"), g = document.getElementById("patrol-grid"), payload = {patrol_key: key, at: new Date().toISOString()};
    if (g) payload.grid = g.value;
    localStorage.setItem(PATROL_KEY, key);
    localStorage.setItem(FIXES_KEY, "[]");
    enqueue("patrol_start", payload, [], "");
    watch(); patrolState();
  }
  function stopPatrol() {
    var key = localStorage.getItem(PATROL_KEY);
    if (!key) return;
    if (watchId !== null) { navigator.geolocation.clearWatch(watchId); watchId = null; }
    clearInterval(flushTimer);
    flush().then(function () {
      localStorage.removeItem(PATROL_KEY);
      return enqueue("patrol_end", {patrol_key: key, at: new Date().toISOString()}, [], "");
    }).then(patrolState);
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("field");
    if (!root) return;
    Object.keys(root.dataset).forEach(function (k) {
      if (k.indexOf("t") === 0 && k.length > 1 && k[1] === k[1].toUpperCase()) {
        var name = k.slice(1).replace(/[A-Z]/g, function (ch) { return "-" + ch.toLowerCase(); }).slice(1);
        T[name] = root.dataset[k]; T[name.replace(/-/g, "_")] = root.dataset[k];
      }
    });
    if ("serviceWorker" in navigator) navigator.serviceWorker.register(root.dataset.sw, {scope: "/field/"}).catch(function () {});
    // A patrol the server knows as running (another tab, a reload) continues here.
    var running = document.getElementById("patrol").dataset.running;
    if (running && !localStorage.getItem(PATROL_KEY)) localStorage.setItem(PATROL_KEY, running);
    if (localStorage.getItem(PATROL_KEY)) watch();
    document.addEventListener("submit", onSubmit);
    document.getElementById("sync-now").addEventListener("click", function () { sync(); });
    document.getElementById("patrol-start").addEventListener("click", startPatrol);
    document.getElementById("patrol-stop").addEventListener("click", stopPatrol);
    window.addEventListener("online", function () { render(); sync(); });
    window.addEventListener("offline", render);
    openDb().then(function (d) { db = d; patrolState(); return render(); }).then(sync);
    setInterval(function () { if (navigator.onLine) sync(); }, 60000);
  });
})();
