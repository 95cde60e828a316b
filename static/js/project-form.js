/* The dossier form, enhanced: lines added without reloading, the thématiques narrowed to the
   chosen pilier, a filter above the long list of porteurs. Without this script the form works
   as is (three empty lines, every thématique, the full list). */
(function () {
  "use strict";

  function normalize(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  /* Formsets: "Ajouter une ligne" copies the formset's empty form (a <template> whose names
     carry __prefix__) and increments TOTAL_FORMS. */
  function setUpFormset(section) {
    var prefix = section.dataset.prefix;
    var total = section.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var template = section.querySelector("template[data-formset-template]");
    var body = section.querySelector("[data-formset-body]");
    var button = section.querySelector("[data-formset-add]");
    if (!total || !template || !body || !button) return;
    button.parentElement.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
      // Insert before the <template>, so that rows stay in order.
      template.insertAdjacentHTML("beforebegin", html);
      total.value = String(index + 1);
      var rows = body.querySelectorAll("[data-formset-row]");
      var row = rows[rows.length - 1];
      var first = row && row.querySelector("select, input:not([type=hidden])");
      if (first) first.focus();
    });
    section.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name && /-DELETE$/.test(target.name)) {
        var row = target.closest("[data-formset-row]");
        if (row) row.classList.toggle("is-deleted", target.checked);
      }
    });
  }

  /* Thématiques: only those of the chosen pilier are offered. */
  function setUpThemes() {
    var pillar = document.getElementById("id_pillar");
    var theme = document.getElementById("id_theme");
    if (!pillar || !theme) return;
    var all = Array.prototype.map.call(theme.options, function (option) {
      return option.cloneNode(true);
    });
    function narrow() {
      var current = theme.value;
      var chosen = pillar.value;
      theme.innerHTML = "";
      all.forEach(function (option) {
        if (!option.value || !chosen || option.dataset.pillar === chosen) {
          theme.appendChild(option.cloneNode(true));
        }
      });
      var stillThere = Array.prototype.some.call(theme.options, function (option) {
        return option.value === current;
      });
      theme.value = stillThere ? current : "";
    }
    pillar.addEventListener("change", narrow);
    narrow();
  }

  /* Porteurs: a text filter above the select. */
  function setUpOperatorFilter() {
    var select = document.getElementById("id_operator");
    if (!select) return;
    var all = Array.prototype.map.call(select.options, function (option) {
      return option.cloneNode(true);
    });
    var wrapper = document.createElement("div");
    wrapper.className = "operator-filter";
    var label = document.createElement("label");
    label.htmlFor = "operator-filter";
    label.textContent = "Filtrer la liste des porteurs";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "operator-filter";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", "id_operator");
    var status = document.createElement("p");
    status.className = "help";
    status.id = "operator-filter-status";
    status.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", status.id);
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(status);
    select.parentElement.insertBefore(wrapper, select.parentElement.querySelector("label") || select);

    input.addEventListener("input", function () {
      var words = normalize(input.value).split(/\s+/).filter(Boolean);
      var current = select.value;
      var shown = 0;
      select.innerHTML = "";
      all.forEach(function (option) {
        var text = normalize(option.textContent);
        var keep = !option.value || option.value === current || words.every(function (word) {
          return text.indexOf(word) !== -1;
        });
        if (keep) {
          select.appendChild(option.cloneNode(true));
          if (option.value) shown += 1;
        }
      });
      select.value = current;
      status.textContent = words.length ? shown + " porteur" + (shown > 1 ? "s" : "") + " correspondant" + (shown > 1 ? "s" : "") : "";
    });
  }

  function init() {
    var form = document.getElementById("project-form");
    if (!form) return;
    Array.prototype.forEach.call(form.querySelectorAll("[data-formset]"), setUpFormset);
    setUpThemes();
    setUpOperatorFilter();
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
