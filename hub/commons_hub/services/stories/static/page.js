// Static story pages and the gallery: draw the figures once plotly.js (served by the stories service, no CDN) has
// loaded, and turn each place chooser's plain list of links into a type-ahead search by name. Without JavaScript
// the lists of links work as they are.
(function () {
  var plots = window.commonsPlots || [];
  if (window.Plotly) {
    plots.forEach(function (p) { window.Plotly.newPlot(p[0], p[1], p[2], p[3]); });
  }

  function fold(text) {
    // Case, accents, "&"/"and", "St."/"St" and punctuation do not matter when looking for a name.
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/&/g, " and ")
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  function chooser(section) {
    var box = section.querySelector(".chooser-search");
    var input = box && box.querySelector("input");
    if (!input) { return; }
    var count = box.querySelector("[role=status]");
    var none = section.querySelector(".chooser-none");
    var noun = section.getAttribute("data-noun") || "place";
    var items = Array.prototype.slice.call(section.querySelectorAll("li"));
    items.forEach(function (li) { li.setAttribute("data-name", fold(li.textContent)); });
    var timer = null;
    box.hidden = false;

    function filter() {
      var words = fold(input.value).split(" ").filter(Boolean);
      var shown = 0;
      items.forEach(function (li) {
        var name = li.getAttribute("data-name");
        var match = words.every(function (w) { return name.indexOf(w) !== -1; });
        li.hidden = !match;
        if (match) { shown += 1; }
      });
      section.querySelectorAll(".chooser-group").forEach(function (group) {
        group.hidden = !group.querySelector("li:not([hidden])");
      });
      none.hidden = shown !== 0;
      clearTimeout(timer);
      timer = setTimeout(function () {
        count.textContent = words.length ? shown + " " + noun + (shown === 1 ? "" : "s") + " found" : "";
      }, 400);
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      var first = section.querySelector("li:not([hidden]) a");
      if (first && fold(input.value)) { event.preventDefault(); window.location.href = first.href; }
    });
  }

  document.querySelectorAll("[data-place-chooser]").forEach(chooser);
})();
