// The query page: sends the textarea's query to /sparql and shows the answer — a table for
// SELECT, a sentence for ASK, Turtle text for CONSTRUCT/DESCRIBE — or the error, readably.
// No library, no request to another host.
(function () {
  "use strict";
  var form = document.getElementById("requete");
  var textarea = document.getElementById("query");
  var examples = document.getElementById("exemples");
  var state = document.getElementById("etat");
  var errorBox = document.getElementById("erreur");
  var output = document.getElementById("resultat");
  var endpoint = form.dataset.endpoint;
  var base = form.dataset.base;
  var root = form.dataset.root;

  // IRIs under the dataset's base are browsable on this host.
  function localUrl(iri) {
    return iri.indexOf(base) === 0 ? root + iri.slice(base.length) : iri;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var a = document.createElement("a");
      a.href = localUrl(term.value);
      a.textContent = term.value;
      if (a.href.indexOf(root) !== 0) { a.rel = "external"; a.className = "external"; }
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      var note = term["xml:lang"] || (term.datatype ? term.datatype.replace(/^.*[#\/]/, "") : "");
      if (note) {
        var small = document.createElement("span");
        small.className = "note";
        small.textContent = " " + note;
        td.appendChild(small);
      }
      if (/^-?[0-9.]+$/.test(term.value)) td.className = "num";
    }
    return td;
  }

  function showTable(json) {
    var vars = json.head.vars || [];
    var rows = json.results.bindings;
    var table = document.createElement("table");
    table.className = "data";
    table.id = "resultats";
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (binding) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(binding[v])); });
    });
    var count = document.createElement("p");
    count.textContent = rows.length + (rows.length === 1 ? " résultat" : " résultats");
    output.appendChild(count);
    output.appendChild(table);
  }

  function showText(text) {
    var pre = document.createElement("pre");
    pre.id = "resultats";
    pre.textContent = text;
    output.appendChild(pre);
  }

  function showError(status, text) {
    errorBox.hidden = false;
    errorBox.textContent = "Erreur " + status + "\n" + text;
  }

  function run(event) {
    if (event) event.preventDefault();
    var query = textarea.value;
    output.textContent = "";
    errorBox.hidden = true;
    state.textContent = "exécution…";
    var started = performance.now();
    // Keep the query in the address bar, so the page can be bookmarked and shared.
    history.replaceState(null, "", "?query=" + encodeURIComponent(query));
    fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9, */*;q=0.1"
      },
      body: "query=" + encodeURIComponent(query)
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) {
        var seconds = ((performance.now() - started) / 1000).toFixed(2);
        state.textContent = "";
        if (!response.ok) { showError(response.status, text); return; }
        state.textContent = "terminé en " + seconds + " s";
        if (type.indexOf("json") >= 0) {
          var json = JSON.parse(text);
          if (typeof json.boolean === "boolean") {
            showText(json.boolean ? "vrai (true)" : "faux (false)");
          } else {
            showTable(json);
          }
        } else {
          showText(text);
        }
      });
    }).catch(function (error) {
      state.textContent = "";
      showError("réseau", String(error));
    });
  }

  examples.addEventListener("change", function () {
    if (examples.value) textarea.value = examples.value;
  });
  form.addEventListener("submit", run);
  if (textarea.value.trim()) run();
})();
