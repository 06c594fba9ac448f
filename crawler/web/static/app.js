// Progressive enhancement only: every page works without this file.
// Filters apply as soon as a select changes (the form still has its submit button).
document.querySelectorAll("form.filters select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.requestSubmit(); });
});
