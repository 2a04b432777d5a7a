// The referral slip's Print button (the only script of the desk; no inline scripts: CSP).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
