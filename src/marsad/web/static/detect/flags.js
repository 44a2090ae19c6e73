// Keyboard shortcuts for the flag queue. The page works without this file:
// every key only presses a button or ticks a box that is already on the page.
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.flag"));
  var hint = document.querySelector(".shortcuts");
  if (hint) { hint.hidden = false; }
  var at = -1;

  function focusCard(i) {
    if (!cards.length) { return; }
    at = Math.max(0, Math.min(cards.length - 1, i));
    cards.forEach(function (card) { card.classList.remove("current"); });
    cards[at].classList.add("current");
    cards[at].focus();
    cards[at].scrollIntoView({ block: "nearest" });
  }

  function press(selector) {
    if (at < 0) { focusCard(0); }
    var button = cards[at] && cards[at].querySelector(selector);
    if (button) { button.click(); }
  }

  document.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (event.altKey || event.ctrlKey || event.metaKey ||
        tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var undo = document.querySelector("form.undo button");
    switch (event.key) {
      case "j": focusCard(at + 1); break;
      case "k": focusCard(at - 1); break;
      case "c": press("button.confirm"); break;
      case "r": press("button.reject"); break;
      case "x": press(".pick input"); break;
      case "u": if (undo) { undo.click(); } break;
      default: return;
    }
    event.preventDefault();
  });
})();
