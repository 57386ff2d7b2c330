// The field app's service worker (gongzhi.web.field.field_sw renders this file): it keeps the
// shell and the day's state on the phone so /field/ opens without signal.  Only GET requests of
// the shell are answered from the cache; the sync's POSTs always go to the network (the page's
// queue in IndexedDB holds them while there is none).
"use strict";
var CACHE = "gongzhi-{{ version }}";
var SHELL = {{ shell|safe }};
var HOME = "{{ home }}", STATE = "{{ state_url }}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("gongzhi-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page and today's state: the network first (fresh tasks), the cache when it fails.  A signed-
// out answer (a redirect to the login page) is not cached, and drops the cached page: the next
// person on this phone does not see the last one's tasks.
function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (c) { c.put(key, copy); });
    } else if (response.redirected || response.status === 401 || response.status === 403) {
      caches.open(CACHE).then(function (c) { c.delete(HOME); c.delete(STATE); });
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === HOME) { event.respondWith(networkFirst(request, HOME)); return; }
  if (url.pathname === STATE) { event.respondWith(networkFirst(request, STATE)); return; }
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
  }
});
