/* What Swagger UI's own markup lacks, added as it draws the page (it looks the same):
   - its title is an <h1> and each group of operations an <h3>, below them <h4> and <h5>: a level is
     skipped. Tell assistive technology the levels as they are meant (h3 is level 2, h4 level 3, …);
   - the title and description sit outside any landmark (only the operations are in its <main>): they
     are the page's banner. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.MutationObserver) return;
  function mend() {
    var headings = root.querySelectorAll("h3, h4, h5, h6");
    for (var i = 0; i < headings.length; i++) {
      var level = String(Number(headings[i].tagName.charAt(1)) - 1);
      if (headings[i].getAttribute("aria-level") !== level) headings[i].setAttribute("aria-level", level);
    }
    var info = root.querySelector(".information-container");
    if (info && info.getAttribute("role") !== "banner") info.setAttribute("role", "banner");
  }
  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
  mend();
})();
