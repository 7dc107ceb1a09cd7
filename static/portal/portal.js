/* The portal's own behaviour, served locally (no inline script, no CDN).

   Ask before an irreversible action: a submit button (or a form) carrying
   data-confirm="what will happen" sends the form only if the user agrees. */
(function () {
  "use strict";
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
})();
