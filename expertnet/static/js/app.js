/* expertnet — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 760px)");

  // On a phone the search filters start folded behind their "Filters" button, so the
  // results come first; on a wide screen they stay open beside the results.
  document.querySelectorAll("details.facets").forEach(function (el) {
    if (narrow.matches) el.removeAttribute("open");
  });

  // Tables with a header row become stacked cards on a phone: each cell is labelled with
  // its column's heading (the CSS shows the label only on narrow screens). Without this
  // script, a table scrolls inside its own box instead.
  document.querySelectorAll("table.data").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      var span = th.colSpan || 1;
      for (var i = 0; i < span; i++) labels.push(th.textContent.trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && labels[col] && (cell.colSpan || 1) === 1) {
            cell.setAttribute("data-label", labels[col]);
          }
          col += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("stacked");
  });
})();
