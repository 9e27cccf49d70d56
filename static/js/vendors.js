// Vendor pages: small enhancements only; every form works without them. No inline handlers
// (the CSP forbids them), so behaviour hangs off data attributes.
document.addEventListener("DOMContentLoaded", function () {
  // A date picker marked data-autosubmit shows the chosen day as soon as it is complete.
  document.querySelectorAll("input[data-autosubmit]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.value && input.form && input.checkValidity()) { input.form.submit(); }
    });
  });
  // A filter select submits its form when changed.
  document.querySelectorAll("form.filters select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
