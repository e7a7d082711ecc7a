// The label page's print button. Scripts may not be inline (Content-Security-Policy),
// so this small file is served from the binary; without it, the browser's own print
// command does the same.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-labels");
  if (!button) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
