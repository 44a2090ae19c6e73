// Keys for the labelling page. The page works without this file: every key
// only presses a button or follows a link that is already on the page.
(function () {
  "use strict";
  var hint = document.querySelector(".shortcuts");
  if (hint) { hint.hidden = false; }
  function press(selector) {
    var target = document.querySelector(selector);
    if (target) { target.click(); }
  }
  document.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (event.altKey || event.ctrlKey || event.metaKey ||
        tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    switch (event.key) {
      case "1": press("form.answer button.yes"); break;
      case "0": press("form.answer button.no"); break;
      case "j": press("form.answer a.next"); break;
      case "u": press("form.undo button"); break;
      default: return;
    }
    event.preventDefault();
  });
})();
