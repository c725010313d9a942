// Print layout buttons (no inline script: the Content-Security-Policy allows scripts from our own origin only).
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-action]");
  if (!target) return;
  if (target.dataset.action === "print") {
    event.preventDefault();
    window.print();
  } else if (target.dataset.action === "back") {
    event.preventDefault();
    history.back();
  }
});
