// Draws each dashboard chart from the JSON the server put beside its canvas.
// The table under every chart holds the same figures: without this script,
// or without Chart.js, nothing is lost. Suppressed figures are null: a gap.
(function () {
  "use strict";
  var COLOURS = ["#0b5c8a", "#e07b00", "#2a9d5c", "#a4161a", "#6a4c93", "#7f8c8d", "#c9a227", "#1b998b"];

  function datasetsOf(spec) {
    return spec.datasets.map(function (d, i) {
      return {label: d.label, data: d.data, backgroundColor: COLOURS[i % COLOURS.length], borderWidth: 0};
    });
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || !window.Chart) { return; }
    var spec = JSON.parse(source.textContent);
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var stacked = spec.type === "stacked";
    new window.Chart(canvas, {
      type: "bar",
      data: {labels: spec.labels, datasets: datasetsOf(spec)},
      options: {
        indexAxis: spec.type === "hbar" ? "y" : "x",
        maintainAspectRatio: false,
        animation: still ? false : {duration: 300},
        locale: document.documentElement.lang,
        plugins: {legend: {display: spec.datasets.length > 1}},
        scales: {x: {stacked: stacked}, y: {stacked: stacked, beginAtZero: true}}
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  });
})();
