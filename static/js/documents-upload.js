// The upload form of a dossier's pieces: a file over the size limit is refused before it is
// sent (the server refuses it too, with 413, without reading it).
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var input = form.querySelector("input[type=file][data-max-size]");
  var error = document.getElementById("upload-size-error");
  if (!input || !error) { return; }
  var limit = parseInt(input.getAttribute("data-max-size"), 10);

  function tooLarge() {
    return input.files && input.files.length > 0 && input.files[0].size > limit;
  }
  function show() {
    if (tooLarge()) {
      error.textContent = input.getAttribute("data-too-large");
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
    } else {
      error.textContent = "";
      error.hidden = true;
      input.removeAttribute("aria-invalid");
    }
  }
  input.addEventListener("change", show);
  form.addEventListener("submit", function (event) {
    show();
    if (tooLarge()) {
      event.preventDefault();
      input.focus();
    }
  });
})();
