// The query page: YASGUI (vendor/yasgui, loaded before this script) on this server's /sparql,
// in place of the plain form (which stays for browsers without JavaScript).
// Every request stays on this host: the endpoint is ours and cannot be changed to another, the
// prefixes come from /requete/prefixes.json, classes and properties from the build's own list
// (in the page), and YASGUI's remote completers (Linked Open Vocabularies) are never enabled.
(function () {
  "use strict";
  if (typeof Yasgui === "undefined") return;        // the plain form stays
  var holder = document.getElementById("editeur");
  var form = document.getElementById("requete");
  var textarea = document.getElementById("query");
  var endpoint = holder.dataset.endpoint;
  var terms = JSON.parse(holder.dataset.terms);
  var Yasqe = Yasgui.Yasqe;

  // Local completers: YASGUI's class and property completers with our lists in place of LOV.
  Yasqe.forkAutocompleter("class", { name: "classes-locales", bulk: true, get: terms.classes,
                                     persistenceId: null }, false);
  Yasqe.forkAutocompleter("property", { name: "proprietes-locales", bulk: true,
                                        get: terms.properties, persistenceId: null }, false);
  var completers = ["variables", "prefixes", "classes-locales", "proprietes-locales"];
  Yasqe.defaults.autocompleters = completers.slice();
  Yasqe.defaults.prefixCcApi = holder.dataset.prefixes;
  Yasgui.defaults.yasqe.autocompleters = completers.slice();
  Yasgui.defaults.yasqe.prefixCcApi = holder.dataset.prefixes;

  var examples = document.querySelectorAll("a.exemple");
  var first = examples.length ? examples[0].dataset.query : "";
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "GET" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: "territoires-requete",
    yasqe: { value: textarea.value.trim() || first, prefixCcApi: holder.dataset.prefixes,
             autocompleters: completers.slice() },
    // Tables show IRIs with the project's prefixes (epci:242500361), besides the query's own.
    yasr: { maxPersistentResponseSize: 0, prefixes: JSON.parse(holder.dataset.prefixMap) }
  });

  // Any tab, however it was restored, asks this endpoint and no other.
  function ours(tab) {
    if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  }
  ours(yasgui.getTab());
  yasgui.on("tabSelect", function (_, id) { ours(yasgui.getTab(id)); });
  yasgui.on("tabAdd", function (_, id) { ours(yasgui.getTab(id)); });

  // An example is one click away: loaded into the current tab, named after it, and run.
  Array.prototype.forEach.call(examples, function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var tab = yasgui.getTab();
      ours(tab);
      tab.setName(link.textContent.trim());
      tab.setQuery(link.dataset.query);
      tab.query().catch(function () {});
    });
  });

  // YASGUI's markup leaves some controls unnamed for assistive technologies (axe-core:
  // "label", "aria-required-children"); named here, again whenever YASGUI redraws, rather than by
  // editing the vendored file.
  function named(selector, label) {
    Array.prototype.forEach.call(holder.querySelectorAll(selector), function (element) {
      if (!element.hasAttribute("aria-label")) element.setAttribute("aria-label", label);
    });
  }
  function accessible() {
    named(".autocomplete", "Point d'accès SPARQL");
    named(".CodeMirror textarea", "Requête SPARQL");
    named(".tabsList input[type=text]", "Nom de l'onglet");
    named(".tableSizer", "Lignes par page");
    // The editor's scrolling area (CodeMirror makes it tabindex=-1) can be reached with the
    // keyboard, to scroll a long query.
    Array.prototype.forEach.call(holder.querySelectorAll(".CodeMirror-scroll"), function (area) {
      if (area.getAttribute("tabindex") !== "0") area.setAttribute("tabindex", "0");
    });
    // The "+" button sits in the tab list: a tab that opens a new one, as in a browser.
    Array.prototype.forEach.call(holder.querySelectorAll(".tabsList .addTab"), function (b) {
      b.setAttribute("role", "tab");
      b.setAttribute("aria-selected", "false");
    });
  }
  accessible();
  new MutationObserver(accessible).observe(holder, { childList: true, subtree: true });

  form.hidden = true;
  holder.hidden = false;
})();
