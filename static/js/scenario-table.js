/* The scenario's table, enhanced: each amount is saved as soon as it is typed (on leaving the
   cell, or with Entrée, which also moves to the next dossier's same cell), the opinion and the
   comment as soon as they change; the row's version travels with each save, so that a change
   made meanwhile by someone else is refused and shown, never overwritten. The row's total, its
   pilier's subtotals, the columns' totals and the envelopes' gauges follow.
   Without this script the table is a form saved a page at a time. */
(function () {
  "use strict";

  var form = document.querySelector("[data-scenario-table]");
  if (!form) return;
  var cellUrl = form.dataset.cellUrl;
  var opinionUrl = form.dataset.opinionUrl;
  var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
  var announcer = document.querySelector("[data-announce]");
  var gaugeList = document.querySelector("[data-gauges]");
  var saved = new WeakMap(); // input → the value last saved
  var queues = new WeakMap(); // row → its saves, one after the other (each needs the last version)

  /* Run `save` after the row's saves in flight: two cells of a row typed quickly are saved in
     turn, the second with the version the first returned. */
  function queued(row, save) {
    var next = (queues.get(row) || Promise.resolve()).then(save, save);
    queues.set(row, next);
    return next;
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function rowOf(element) { return element.closest("[data-row]"); }

  function versionInput(row) { return row.querySelector("[data-version]"); }

  function post(url, data) {
    var body = new FormData();
    Object.keys(data).forEach(function (key) { body.append(key, data[key]); });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "", "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, error: "Réponse inattendue du serveur (" + response.status + ") : rien n'a été enregistré." };
      });
    }, function () {
      return { ok: false, error: "Le serveur ne répond pas : rien n'a été enregistré. Réessayez." };
    });
  }

  function message(input, html, kind) {
    var help = document.getElementById(input.getAttribute("aria-describedby"));
    var slot = help && help.querySelector("[data-message]");
    if (!slot) return;
    slot.textContent = "";
    if (!html) return;
    slot.append(" — ");
    var span = document.createElement("span");
    span.className = kind === "error" ? "cell__error" : kind === "warning" ? "cell__warning" : "cell__saved";
    span.textContent = html;
    slot.append(span);
  }

  function setText(selector, text) {
    var element = form.querySelector(selector);
    if (element && text !== undefined) element.textContent = text;
  }

  function updateGauges(gauges) {
    if (!gaugeList || !gauges) return;
    gauges.forEach(function (gauge) {
      var item = gaugeList.querySelector('[data-gauge="' + gauge.funder + '"]');
      if (!item) return;
      item.classList.toggle("gauge--over", gauge.over);
      var meter = item.querySelector("meter");
      if (meter) meter.value = parseFloat(gauge.total);
      item.querySelector("[data-gauge-total]").textContent = gauge.total_text;
      var proposed = item.querySelector("[data-gauge-proposed]");
      if (proposed) proposed.textContent = gauge.proposed_text || proposed.textContent;
      var status = item.querySelector("[data-gauge-status]");
      status.textContent = "";
      if (gauge.over) {
        var strong = document.createElement("strong");
        strong.textContent = "Dépassement : ";
        status.append(strong);
      }
      status.append(gauge.status_text);
    });
  }

  /* The row's version, totals, pilier subtotals, column totals and gauges from the answer. */
  function applyFeedback(row, feedback) {
    if (!feedback) return;
    var version = versionInput(row);
    if (version) version.value = feedback.version;
    var total = row.querySelector("[data-row-total]");
    if (total) total.textContent = feedback.opinion === "favorable" ? feedback.row_total_text : "—";
    var subtotal = form.querySelector('[data-subtotal="' + feedback.pillar + '"]');
    if (subtotal) {
      Object.keys(feedback.pillar_totals).forEach(function (funder) {
        var cell = subtotal.querySelector('[data-pillar-funder="' + funder + '"]');
        if (cell) cell.textContent = feedback.pillar_totals[funder];
      });
      var pillarTotal = subtotal.querySelector("[data-pillar-total]");
      if (pillarTotal) pillarTotal.textContent = feedback.pillar_total_text;
    }
    Object.keys(feedback.column_totals).forEach(function (funder) {
      setText('[data-column-total="' + funder + '"]', feedback.column_totals[funder]);
    });
    setText("[data-proposed-total]", feedback.proposed_total_text);
    updateGauges(feedback.gauges);
  }

  function stale(row, answer) {
    row.classList.add("scenario-row--error");
    announce(answer.error);
    window.alert(answer.error);
  }

  function saveCell(input) {
    var row = rowOf(input);
    return queued(row, function () {
      if (saved.get(input) === input.value) return true;
      input.classList.add("is-saving");
      return post(cellUrl, { ligne: input.dataset.line, montant: input.value, version: versionInput(row).value })
      .then(function (answer) {
        input.classList.remove("is-saving");
        if (!answer.ok) {
          input.setAttribute("aria-invalid", "true");
          message(input, answer.error, "error");
          if (answer.stale) stale(row, answer);
          else announce(answer.error);
          return false;
        }
        input.removeAttribute("aria-invalid");
        input.value = answer.amount_text;
        saved.set(input, input.value);
        input.classList.toggle("input--warning", !!answer.warning);
        message(input, answer.warning ? "au-dessus du montant demandé" : "enregistré", answer.warning ? "warning" : "saved");
        applyFeedback(row, answer.row);
        announce(answer.warning || "Montant enregistré.");
        return true;
      });
    });
  }

  function saveOpinion(row) {
    return queued(row, function () { return postOpinion(row); });
  }

  function postOpinion(row) {
    var select = row.querySelector("[data-opinion]");
    var comment = row.querySelector("[data-comment]");
    return post(opinionUrl, {
      dossier: row.dataset.row,
      avis: select.value,
      commentaire: comment ? comment.value : "",
      version: versionInput(row).value
    }).then(function (answer) {
      if (!answer.ok) {
        if (answer.stale) stale(row, answer);
        else { announce(answer.error); window.alert(answer.error); }
        return false;
      }
      if (comment) saved.set(comment, comment.value);
      saved.set(select, select.value);
      applyFeedback(row, answer.row);
      announce("Avis enregistré.");
      return true;
    });
  }

  /* The same column's input in the next (or previous) dossier's row. */
  function neighbour(input, step) {
    var cell = input.closest("td");
    var row = rowOf(input);
    var index = Array.prototype.indexOf.call(row.children, cell);
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row]"));
    var position = rows.indexOf(row) + step;
    while (position >= 0 && position < rows.length) {
      var target = rows[position].children[index];
      var next = target && target.querySelector("input[data-line]");
      if (next) return next;
      position += step;
    }
    return null;
  }

  form.querySelectorAll("input[data-line], [data-opinion], [data-comment]").forEach(function (input) {
    saved.set(input, input.value);
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[data-line]")) saveCell(target);
    else if (target.matches("[data-opinion], [data-comment]")) {
      if (saved.get(target) !== target.value) saveOpinion(rowOf(target));
    }
  });

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter") return;
    if (target.matches("input[data-line]")) {
      event.preventDefault();
      var next = neighbour(target, event.shiftKey ? -1 : 1);
      saveCell(target).then(function () {
        if (next) { next.focus(); next.select(); }
      });
    } else if (target.matches("[data-comment]")) {
      event.preventDefault();
      if (saved.get(target) !== target.value) saveOpinion(rowOf(target));
    }
  });

  // Saving the page with the button still works: every cell is saved already, the versions
  // on the page are those of the last saves.
})();
