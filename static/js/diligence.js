// Diligence: small progressive enhancements. No inline handlers (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // Buttons marked data-confirm ask before submitting their form.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
