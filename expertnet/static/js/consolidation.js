// The consolidation editor: "Add a recommendation" adds an empty row in place, without a
// round trip. Without this script the same button posts the form and the page comes back
// with one more row and everything typed kept.
(function () {
  "use strict";
  var form = document.querySelector("form.consolidation-form");
  var template = document.getElementById("rec-row-template");
  var rows = document.getElementById("rec-rows");
  if (!form || !template || !rows) return;
  var button = form.querySelector("[data-add-row]");
  if (!button) return;
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var next = 0;
    rows.querySelectorAll(".rec-row").forEach(function (row) {
      var n = parseInt(row.getAttribute("data-index"), 10);
      if (!isNaN(n) && n >= next) next = n + 1;
    });
    var count = rows.querySelectorAll(".rec-row").length + 1;
    var html = template.innerHTML.split("__n__").join(String(next)).split("__label__").join(String(count));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.querySelector(".rec-row");
    rows.appendChild(row);
    var text = row.querySelector("textarea");
    if (text) text.focus();
  });
})();
