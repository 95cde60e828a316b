/* The dossier list's bulk actions, enhanced: a box that ticks every row of the page, and the
   count of dossiers chosen, said as it changes. Without this script the list works as is: tick
   the rows (or "every dossier of this filter"), then press an action; the server confirms
   before anything changes (projects/views/bulk.py, comites/views_bulk.py). */
(function () {
  "use strict";

  var form = document.getElementById("action-groupee");
  if (!form) return;
  var rows = Array.prototype.slice.call(
    document.querySelectorAll('input[type="checkbox"][name="dossier"][form="action-groupee"]')
  );
  var wholeFilter = document.getElementById("portee-filtre");
  var status = document.getElementById("action-groupee-compte");
  var header = document.querySelector("[data-choose-all]");

  function plural(n, one, many) {
    return n + "\u00a0" + (n > 1 ? many : one);
  }

  function update() {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    if (wholeFilter && wholeFilter.checked) {
      status.textContent = "Tous les dossiers de ce filtre sont choisis";
    } else if (ticked) {
      status.textContent = plural(ticked, "dossier coché", "dossiers cochés");
    } else {
      status.textContent = "Cochez des dossiers dans la liste";
    }
    if (all) {
      all.checked = ticked > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
  }

  /* "Tick every row of this page", in the checkboxes' column header. */
  var all = null;
  if (header && rows.length) {
    all = document.createElement("input");
    all.type = "checkbox";
    all.id = "choix-page";
    var label = document.createElement("label");
    label.htmlFor = "choix-page";
    label.className = "visually-hidden";
    label.textContent = "Cocher tous les dossiers de la page";
    header.textContent = "";
    header.appendChild(all);
    header.appendChild(label);
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }

  rows.forEach(function (box) { box.addEventListener("change", update); });
  if (wholeFilter) wholeFilter.addEventListener("change", update);
  update();
})();
