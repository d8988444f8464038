// The upload form: when a metadata file is chosen, fill the form's fields in from it. The file is read by the
// data-api's own parser (POST contribute/metadata, the same one the upload uses), so the browser shows exactly
// what the server will compare; the server still refuses a form that disagrees with the file.
"use strict";
(function () {
  const form = document.getElementById("contribute-form");
  const chooser = document.getElementById("metadata_file");
  const status = document.getElementById("prefill-status");
  if (!form || !chooser || !status || !window.fetch) return;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "ok";
  }

  function setField(id, value) {
    const field = document.getElementById(id);
    if (!field) return false;
    if (field.tagName === "SELECT" && !Array.from(field.options).some((o) => o.value === value)) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = value + " (from the metadata file)";
      field.appendChild(option);
    }
    field.value = value;
    return true;
  }

  chooser.addEventListener("change", async function () {
    if (!chooser.files.length) return;
    const body = new FormData();
    body.append("metadata_file", chooser.files[0]);
    body.append("_xsrf", form.querySelector("input[name=_xsrf]").value);
    say("Reading " + chooser.files[0].name + " ...", false);
    try {
      const response = await fetch(form.getAttribute("action") + "/metadata", {
        method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"}});
      const answer = await response.json();
      if (!response.ok) { say(answer.error || answer.reason || "The metadata file could not be read.", true); return; }
      const filled = Object.entries(answer.values).filter(([id, value]) => setField(id, value)).map(([id]) =>
        (document.querySelector("label[for=" + id + "]") || {}).firstChild?.textContent?.trim() || id);
      say(filled.length ? "Filled in from " + answer.file + ": " + filled.join(", ") +
          ". Check them; if you change one, change the file too, or the upload is refused."
          : answer.file + " has none of the form's fields.", false);
    } catch (error) {
      say("The metadata file could not be read here (" + error + "); the server reads it when you upload.", true);
    }
  });
})();
