// A long list of check boxes (a risk's assets) made easy to use by touch: a filter box
// that hides the items not matching what is typed. Without this script the whole list
// shows and works the same; the Content-Security-Policy allows only scripts of this site.
document.addEventListener("DOMContentLoaded", function () {
  var fold = function (text) {
    return text.normalize("NFKC").toLowerCase();
  };
  document.querySelectorAll("[data-choices]").forEach(function (group) {
    var filter = group.querySelector(".choices-filter");
    var box = filter && filter.querySelector("input");
    var count = filter && filter.querySelector("[data-choices-count]");
    var items = Array.prototype.slice.call(group.querySelectorAll(".choice-list li"));
    if (!box || items.length === 0) {
      return;
    }
    filter.hidden = false;
    var update = function () {
      var wanted = fold(box.value.trim());
      var shown = 0;
      var chosen = 0;
      items.forEach(function (item) {
        var ticked = item.querySelector("input").checked;
        var matches = wanted === "" || fold(item.textContent).indexOf(wanted) !== -1;
        item.hidden = !(matches || ticked);
        shown += item.hidden ? 0 : 1;
        chosen += ticked ? 1 : 0;
      });
      count.textContent = count.getAttribute("data-choices-count")
        .replace("{shown}", shown).replace("{total}", items.length).replace("{chosen}", chosen);
    };
    box.addEventListener("input", update);
    group.addEventListener("change", update);
    // Enter in the filter box would send the whole form.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
    update();
  });
});
