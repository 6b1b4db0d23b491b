{% autoescape off %}// 党建工作管理平台 service worker (rendered by dangjian/site/pwa.py; scope: the whole site).
// Keeps only what holds no personal data: static assets and the offline page. Pages always come from the server.
"use strict";
var CACHE = "{{ cache_name }}";
var PREFIX = "{{ cache_prefix }}";
var PRECACHE = {{ precache_json }};
var OFFLINE = {{ offline_url_json }};
var STATIC = {{ static_prefix_json }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(PRECACHE); }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(PREFIX) === 0 && n !== CACHE; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }  // form submissions go to the network, always
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf(STATIC) === 0) {
    // stale-while-revalidate: the stored copy at once, refreshed from the server for next time
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
        if (hit) { fresh.catch(function () { return null; }); return hit; }
        return fresh;
      });
    }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE).then(function (page) {
        return page || new Response("网络不可用，请恢复网络后重试。", {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
      });
    }));
  }
});
{% endautoescape %}
