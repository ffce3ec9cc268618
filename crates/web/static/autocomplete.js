// Progressive enhancement for taxonomy fields: any
// <input data-autocomplete="/api/v1/taxonomy/occupations"> gets a <datalist>
// filled from the API as the user types (debounced). Without JavaScript the
// field still works: the server resolves what was typed.
(function () {
  "use strict";
  var DELAY_MS = 250;
  var MIN_CHARS = 2;

  function enhance(input, index) {
    var url = input.getAttribute("data-autocomplete");
    if (!url || url.charAt(0) !== "/") return;
    var list = document.createElement("datalist");
    list.id = (input.id || "autocomplete") + "-suggestions-" + index;
    input.parentNode.insertBefore(list, input.nextSibling);
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    // A polite live region tells screen-reader users that suggestions came.
    var status = document.createElement("p");
    status.className = "app-visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(status, list.nextSibling);
    var timer = null;
    var last = "";
    var controller = null;

    function fill(hits) {
      while (list.firstChild) list.removeChild(list.firstChild);
      hits.forEach(function (hit) {
        var option = document.createElement("option");
        option.value = hit.label;
        if (hit.ssyk_code) option.label = hit.label + " (SSYK " + hit.ssyk_code + ")";
        list.appendChild(option);
      });
      var lang = document.documentElement.lang === "en" ? "en" : "sv";
      status.textContent = hits.length === 0 ? "" :
        (lang === "en" ? hits.length + " suggestions" : hits.length + " förslag");
    }

    function search() {
      var q = input.value.trim();
      if (q.length < MIN_CHARS || q === last) return;
      last = q;
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var sep = url.indexOf("?") < 0 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(q) + "&limit=10", {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (res) { return res.ok ? res.json() : []; })
        .then(function (hits) { if (Array.isArray(hits)) fill(hits); })
        .catch(function () { /* offline or aborted: the server still resolves the text */ });
    }

    input.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-autocomplete]");
    for (var i = 0; i < inputs.length; i++) enhance(inputs[i], i);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
