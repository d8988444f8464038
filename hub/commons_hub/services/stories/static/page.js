// Draw the figures of a static story page once plotly.js (served by the stories service, no CDN) has loaded.
(function () {
  var plots = window.commonsPlots || [];
  if (!window.Plotly) { return; }
  plots.forEach(function (p) { window.Plotly.newPlot(p[0], p[1], p[2], p[3]); });
})();
