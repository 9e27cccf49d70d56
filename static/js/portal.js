// The vendor portal. Saving, showing and hiding questions is declarative (hx-* attributes,
// decided by the server); this file only does what markup cannot.
(function () {
  "use strict";

  // Show the server's answer to a refused save or upload (400 invalid value, 409 conflict
  // or closed, 413 too large) next to the question, instead of dropping it as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 413) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A text box fires its delayed-typing trigger and then, on leaving it, its change trigger;
  // the second would post exactly what the first did (same value, comment and version) and
  // get the same answer, whose swap would move the page under the reader's pointer (a click
  // on "Reload" would land on a replaced link). So an identical repeat is not sent.
  var lastPosted = new WeakMap();
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.answer")) { return; }
    var body = new URLSearchParams(event.detail.requestConfig.formData).toString();
    if (lastPosted.get(form) === body) {
      event.preventDefault();
      return;
    }
    lastPosted.set(form, body);
  });
  // After a network or server failure the same answer must be sendable again.
  ["htmx:sendError", "htmx:timeout", "htmx:sendAbort"].forEach(function (name) {
    document.addEventListener(name, function (event) { lastPosted.delete(event.detail.elt); });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.xhr && event.detail.xhr.status >= 500) { lastPosted.delete(event.detail.elt); }
  });

  // "Reload" after a conflict: reload this very page (keeping the place), so the colleague's
  // saved answer replaces the unsaved one. The link's own href is the no-JavaScript fallback.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-reload]");
    if (link) {
      event.preventDefault();
      window.location.reload();
    }
  });

  // The section list starts folded on a phone, so the questions come first; every save
  // re-renders the navigation (progress), so the reader's choice is re-applied after it.
  var sectionsOpen = null;
  function sections() {
    return document.querySelector("#portal-nav details.sections");
  }
  function applySections() {
    var list = sections();
    if (!list) { return; }
    if (sectionsOpen === null) {
      sectionsOpen = !window.matchMedia("(max-width: 760px)").matches;
    }
    list.open = sectionsOpen;
  }
  document.addEventListener("DOMContentLoaded", applySections);
  document.addEventListener("htmx:afterSettle", applySections);
  document.addEventListener("toggle", function (event) {
    if (event.target === sections()) { sectionsOpen = event.target.open; }
  }, true);
})();
