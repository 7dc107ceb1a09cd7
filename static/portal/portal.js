/* The portal's own behaviour, served as a file so that the Content-Security-Policy allows no
   inline script. */
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.submit();
  }
});
