// The receipt page's "Copy the code" button: shown only when JavaScript runs. The code
// goes to this device's clipboard and nowhere else; without JavaScript the page offers
// a text file to save instead.
(function () {
  "use strict";
  var button = document.getElementById("copy-code");
  if (!button) return;
  var code = button.getAttribute("data-code");
  button.hidden = false;
  button.addEventListener("click", function () {
    var done = function () { button.textContent = button.getAttribute("data-done"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code).then(done, select);
    } else {
      select();
    }
    function select() {
      var range = document.createRange();
      range.selectNodeContents(document.getElementById("receipt-code"));
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand && document.execCommand("copy")) done();
    }
  });
})();
