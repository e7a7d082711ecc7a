// Print buttons: a button marked data-print-button appears and opens the browser's
// print dialog. Without scripts it stays hidden and the page says to use Ctrl+P.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print-button]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
