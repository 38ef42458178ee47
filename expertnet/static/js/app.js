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

/* Long checkbox lists (fields, organisations): a filter box that ignores diacritics, and a
   count of what is chosen. The list itself works without this script. */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d")
      .replace(/Đ/g, "D").toLowerCase();
  }
  document.querySelectorAll("[data-picklist]").forEach(function (box, n) {
    var options = box.querySelectorAll(".picklist-option");
    if (options.length < 8) return;
    var lang = document.documentElement.lang;
    var bar = document.createElement("div");
    bar.className = "picklist-bar";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "picklist-filter-" + n;
    input.placeholder = lang === "vi" ? "Lọc danh sách…" : "Filter the list…";
    input.setAttribute("aria-label", input.placeholder);
    var count = document.createElement("span");
    count.className = "picklist-count muted";
    count.setAttribute("aria-live", "polite");
    bar.appendChild(input);
    bar.appendChild(count);
    box.parentNode.insertBefore(bar, box);
    function recount() {
      var chosen = box.querySelectorAll("input:checked").length;
      count.textContent = (lang === "vi" ? "Đã chọn " : "Chosen: ") + chosen;
    }
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      options.forEach(function (opt) {
        var text = fold(opt.textContent);
        var show = words.every(function (w) { return text.indexOf(w) !== -1; });
        opt.hidden = !show && !opt.querySelector("input").checked;
      });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault();  // filtering never submits the form
    });
    box.addEventListener("change", recount);
    recount();
  });
})();
