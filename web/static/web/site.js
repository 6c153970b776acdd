/* Territoires d'intégration: after a refused form, bring the user to what was refused (issue 10).
 *
 * The first error of the page (a banner or a field in error) is scrolled to and given the focus, so a
 * screen reader reads it and a user on a phone sees it without searching. Runs at load and after an
 * htmx swap. Without JavaScript the errors are still next to their fields and listed on top. */
(function () {
  "use strict";
  var ERRORS = [
    ".fr-alert--error",
    ".fr-input-group--error",
    ".fr-select-group--error",
    ".fr-fieldset--error",
    ".fr-checkbox-group--error",
    ".fr-upload-group--error",
  ].join(",");

  function showFirstError(root) {
    var error = (root || document).querySelector(ERRORS);
    if (!error) {
      return;
    }
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    error.scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
    var field = error.querySelector("input:not([type=hidden]), select, textarea");
    if (field) {
      field.focus({ preventScroll: true });
    } else {
      if (!error.hasAttribute("tabindex")) {
        error.setAttribute("tabindex", "-1");
      }
      error.focus({ preventScroll: true });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    showFirstError(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    showFirstError(event.target);
  });
})();
