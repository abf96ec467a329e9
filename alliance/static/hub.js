// The hub's only script, a file so that the Content-Security-Policy can forbid inline code.
// A <select data-submit-on-change> submits its form when a choice is made (the language picker).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.submit();
  }
});
