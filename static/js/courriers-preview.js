/* The letter template editor, enhanced: the preview follows the text as it is typed (the
   server renders the letter on the chosen dossier, with the same template as the PDF), and
   each merge field of the list gets a button that inserts it at the cursor.
   Without this script, the "Aperçu" button renders the preview with the page. */
(function () {
  "use strict";

  var form = document.querySelector("[data-letter-editor]");
  if (!form) return;
  var preview = document.querySelector("[data-letter-preview]");
  var status = document.querySelector("[data-preview-status]");
  var body = form.querySelector("[data-letter-body]");
  var url = form.dataset.previewUrl;
  var timer = null;
  var sequence = 0;

  function refresh() {
    var data = new FormData(form);
    data.delete("action");
    var mine = ++sequence;
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        if (mine !== sequence) return; // a newer preview is on its way
        preview.innerHTML = html; // rendered and escaped by the server
        if (status) status.textContent = preview.querySelector("[data-preview-errors]") ? "Aperçu impossible : voyez les erreurs." : "Aperçu mis à jour.";
      })
      .catch(function () {
        if (status) status.textContent = "L'aperçu n'a pas pu être mis à jour.";
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);

  var lastField = body;
  form.addEventListener("focusin", function (event) {
    if (event.target.matches("input[type=text], textarea")) lastField = event.target;
  });

  document.querySelectorAll("[data-merge-field]").forEach(function (item) {
    var key = item.dataset.mergeField;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--small button--secondary";
    button.textContent = "Insérer";
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = " le champ " + key;
    button.appendChild(label);
    button.addEventListener("click", function () {
      var target = lastField || body;
      var text = "{{ " + key + " }}";
      var start = target.selectionStart == null ? target.value.length : target.selectionStart;
      var end = target.selectionEnd == null ? start : target.selectionEnd;
      target.value = target.value.slice(0, start) + text + target.value.slice(end);
      target.focus();
      target.setSelectionRange(start + text.length, start + text.length);
      later();
    });
    item.insertBefore(button, item.firstChild);
  });
})();
