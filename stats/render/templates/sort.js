// Sort a table by a column (select the heading; select it again to reverse). A sorted table is
// one flat list: the group headings are hidden. Sorting by the first column (the ids) gives
// the grouped order back; without script the table keeps its grouped order.
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr.row"));
    rows.forEach(function (row, i) { row.dataset.order = i; });
    table.querySelectorAll("thead th[data-index]").forEach(function (th) {
      var col = Number(th.dataset.index);
      var button = th.querySelector("button.sort");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.classList.contains("num");
        var key = function (row) {
          var v = row.children[col].dataset.sort;
          if (v === "") { return null; }
          return numeric ? parseFloat(v) : v.toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === null && y === null) { return a.dataset.order - b.dataset.order; }
          if (x === null) { return 1; }
          if (y === null) { return -1; }
          var c = x < y ? -1 : x > y ? 1 : 0;
          return (ascending ? c : -c) || (a.dataset.order - b.dataset.order);
        });
        var bodies = table.querySelectorAll("tbody");
        bodies.forEach(function (b, i) { b.hidden = i > 0; });
        table.querySelectorAll("tr.group").forEach(function (g) { g.hidden = true; });
        rows.forEach(function (row) { bodies[0].appendChild(row); });
      });
    });
  });
})();
