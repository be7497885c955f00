/* The organiser dashboard's charts (vendored Chart.js, fed by the page's JSON data) and the summary's print button. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var numbers = function (values) { return values.map(Number); };
    var base = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true } }
    };
    var make = function (id, type, labels, values, options, label) {
      var canvas = document.getElementById(id);
      if (!canvas) { return; }
      new Chart(canvas, {
        type: type,
        data: { labels: labels, datasets: [{ label: label || data.text.cny, data: numbers(values), backgroundColor: "#0172ad" }] },
        options: Object.assign({}, base, options || {})
      });
    };
    make("chart-hours", "bar", data.hours.labels, data.hours.values, { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }, data.text.meetings);
    make("chart-days", "bar", data.days.labels, data.days.values);
    make("chart-fabrics", "bar", data.fabrics.labels, data.fabrics.values, { indexAxis: "y", scales: { x: { beginAtZero: true } } });
    make("chart-exhibitors", "bar", data.exhibitors.labels, data.exhibitors.values, { indexAxis: "y", scales: { x: { beginAtZero: true } } });
  }
  function init() {
    draw();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
