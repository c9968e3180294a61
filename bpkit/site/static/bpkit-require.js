// Loaded between RequireJS and the widget embedder: the embedder finds its fonts beside
// the module's address, which RequireJS would otherwise put under the page's folder.
(function () {
  "use strict";
  var here = document.currentScript.src;
  var vendor = here.slice(0, here.lastIndexOf("/") + 1) + "vendor";
  window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": vendor } });
})();
