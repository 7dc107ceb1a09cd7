/* The portal's own behaviour, served as a file (no inline script, which the
   Content-Security-Policy refuses; no CDN). */
(function () {
  "use strict";

  /* Ask before an irreversible action: a submit button (or a form) carrying
     data-confirm="what will happen" sends the form only if the user agrees. */
  document.addEventListener(
    "submit",
    function (event) {
      var button = event.submitter;
      var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  /* A select that applies itself (the language menu). */
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) {
      event.target.form.submit();
    }
  });
})();
