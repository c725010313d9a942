// A table that scrolls sideways inside its own box (phones) can be reached and scrolled with the keyboard:
// it takes the focus (tabindex=0) while it scrolls, and gives it up when it fits again.
(function () {
  function markScrollables() {
    document.querySelectorAll("table, .table-scroll").forEach((box) => {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "1";
      } else if (!scrolls && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markScrollables);
  window.addEventListener("resize", markScrollables);
  document.addEventListener("htmx:afterSwap", markScrollables);
})();
