// gongfen: the only script of our own. htmx does the rest; every page reads without JavaScript.
// CSRF token for every htmx request (the token is in a <meta> tag, no inline script).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});
// "select all" boxes for bulk review: <input type="checkbox" data-select-all="name">
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
  if (!name) { return; }
  document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
// confirm before destructive buttons: <button data-confirm="...">; with data-confirm-count="name" the
// text's {n} becomes the number of ticked boxes of that name (bulk review says how many it decides)
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (!button) { return; }
  var text = button.getAttribute("data-confirm");
  var name = button.getAttribute("data-confirm-count");
  if (name) {
    var n = document.querySelectorAll('input[type="checkbox"][name="' + name + '"]:checked').length;
    text = text.replace("{n}", String(n));
  }
  if (!window.confirm(text)) { event.preventDefault(); }
});
