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
// confirm before destructive buttons: <button data-confirm="...">
document.addEventListener("click", function (event) {
  var text = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (text && !window.confirm(text)) { event.preventDefault(); }
});
