/* The district list shows only the chosen governorate's districts.

   Without JavaScript the list is grouped by governorate (one <optgroup> each, named
   by its data-governorate P-code) and the server refuses a district outside the
   chosen governorate with a form error. With it, the other governorates' groups
   are taken out of the list (hiding an <option> does not work in every browser),
   and a district that no longer fits is cleared. */
(function () {
  "use strict";
  var governorate = document.querySelector("form select[name=governorate]");
  var district = document.querySelector("form select[name=district]");
  if (!governorate || !district) { return; }
  var groups = Array.prototype.slice.call(district.querySelectorAll("optgroup[data-governorate]"));
  if (!groups.length) { return; }

  function show() {
    var chosen = governorate.value;
    var keep = district.value;
    groups.forEach(function (group) {
      if (group.parentNode) { group.parentNode.removeChild(group); }
    });
    groups.forEach(function (group) {
      if (!chosen || group.dataset.governorate === chosen) { district.appendChild(group); }
    });
    var still = Array.prototype.some.call(district.options, function (o) { return o.value === keep; });
    district.value = still ? keep : "";
  }

  governorate.addEventListener("change", show);
  show();
}());
