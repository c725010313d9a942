// After a failed submit the error summary takes the focus, so a screen reader reads it and the keyboard starts
// there (its links lead to each field). No inline script: the Content-Security-Policy allows our origin only.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
});
