// Workspace pages: small enhancements only; every form also works without JavaScript.
// Loaded with the page's CSP nonce; no inline handlers anywhere (the CSP forbids them).
(function () {
  "use strict";

  // htmx drops 4xx answers by default. A refused filter (400), comment (400) or report
  // request (409) carries the message to show in place, so let those swap too.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // "Add a condition": a copy of the last row, emptied and numbered next.
  function addCondition(button) {
    var rows = document.getElementById("condition-rows");
    if (!rows) { return; }
    var last = rows.querySelector(".condition-row:last-of-type");
    if (!last) { return; }
    var number = rows.querySelectorAll(".condition-row").length + 1;
    var copy = last.cloneNode(true);
    copy.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.id = input.id.replace(/\d+$/, String(number));
    });
    copy.querySelectorAll("label").forEach(function (label) {
      label.htmlFor = label.htmlFor.replace(/\d+$/, String(number));
      label.textContent = label.textContent.replace(/\d+$/, String(number));
    });
    rows.appendChild(copy);
    copy.querySelector("input").focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-condition]");
    if (button) {
      event.preventDefault();
      addCondition(button);
    }
  });
})();
