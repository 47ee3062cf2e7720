// Khaacho console: a few lines of progressive enhancement. Every page works without it.
// A form with data-confirm asks before it is sent (cancel an order, void a payment ...).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
