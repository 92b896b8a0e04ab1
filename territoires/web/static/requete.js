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

  var Yasr = Yasgui.Yasr;
  var Table = Yasr.plugins.table;

  // Numbers sort as numbers (995 before 118 489): YASR's table gives DataTables its cells' HTML
  // to guess a column's type, so it guesses text; a column whose every value is a numeric
  // literal is said to be numeric before each draw (the cells still sort on their values).
  var NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|(non)?(negative|positive)Integer|unsigned(Long|Int|Short|Byte))$/;
  function numericColumns(yasr) {
    var results = yasr.results;
    if (!results || results.hasError() || !results.getVariables) return [];
    var bindings = results.getBindings() || [];
    var columns = [];
    results.getVariables().forEach(function (name, i) {
      var seen = 0;
      var numeric = bindings.every(function (row) {
        var cell = row[name];
        if (!cell) return true;
        seen += 1;
        return cell.type !== "uri" && NUMERIC.test(cell.datatype || "");
      });
      if (numeric && seen) columns.push(i + 1);     // column 0 is the row number
    });
    return columns;
  }
  function typed(yasr) {
    Table.defaults.tableConfig.columnDefs = [{ targets: numericColumns(yasr), type: "num" }];
  }

  // Plain cells: "250", not "250"^^xsd:integer (YASR's compact view, on unless a reader turns it
  // off); IRIs keep the project's prefixes.
  function plain(yasr) {
    var table = yasr.config.plugins.table;
    if (table) table.dynamicConfig = Object.assign({ compact: true }, table.dynamicConfig);
  }

  // Short error messages: the endpoint's first line, without the parser's list of every
  // character it would have accepted (Unicode ranges by the hundred); the whole text stays one
  // click away.
  function shortError(error) {
    var text = (error && error.text) || "";
    if (!text) return Promise.resolve(undefined);
    var first = text.split("\n")[0];
    var expected = first.match(/^(.*?)expected one of (.*)$/i);
    if (expected) {
      // What the parser says in words ("Prefix not found") comes before its character sets.
      var said = expected[2].split(/,\s*\[/)[0];
      first = expected[1] + (said.charAt(0) === "[" ? "caractère inattendu / unexpected character" : said);
    }
    if (first.length > 300) first = first.slice(0, 300) + " …";
    var box = document.createElement("div");
    box.className = "erreur-courte";
    var status = document.createElement("p");
    status.className = "erreur-statut";
    status.textContent = "Erreur" + (error.status ? " " + error.status : "") + " : " + first;
    box.appendChild(status);
    if (first !== text) {
      var details = document.createElement("details");
      var summary = document.createElement("summary");
      summary.textContent = "Message complet / full message";
      var whole = document.createElement("pre");
      whole.textContent = text;
      details.appendChild(summary);
      details.appendChild(whole);
      box.appendChild(details);
    }
    return Promise.resolve(box);
  }
  Yasr.defaults.errorRenderers = [shortError];

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
  // Every tab's results: typed columns and plain cells, set before each draw.
  function prepared(tab) {
    var yasr = tab && tab.getYasr();
    if (!yasr || yasr.territoiresPrepared) return;
    yasr.territoiresPrepared = true;
    plain(yasr);
    yasr.on("draw", function () { typed(yasr); });
  }
  function watched(tab) { ours(tab); prepared(tab); }
  watched(yasgui.getTab());
  yasgui.on("tabSelect", function (_, id) { watched(yasgui.getTab(id)); });
  yasgui.on("tabAdd", function (_, id) { watched(yasgui.getTab(id)); });
  yasgui.on("queryResponse", function (_, tab) { watched(tab); });

  // An example is one click away, in a tab of its own named after it (the reader's query stays
  // in its tab; an example already open is selected again), and run.
  Array.prototype.forEach.call(examples, function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var tab = yasgui.addTab(true, { name: link.textContent.trim(),
                                      yasqe: { value: link.dataset.query } },
                              { avoidDuplicateTabs: true });
      watched(tab);
      tab.query().catch(function () {});
      holder.scrollIntoView({ block: "start" });
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
  // The editor was made while hidden: CodeMirror measures and draws its lines once shown.
  var shown = yasgui.getTab() && yasgui.getTab().getYasqe();
  if (shown) shown.refresh();
})();
