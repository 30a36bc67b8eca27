/* Supervision dashboard charts (Apache ECharts, served locally from static/vendor/echarts). The data
   comes from the page through json_script; every chart has the same data in a table next to it. */
(function () {
  "use strict";
  var node = document.getElementById("supervision-charts");
  if (!node || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;
  var charts = [];

  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 10000) / 100; }

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    option.aria = { enabled: true };
    option.animation = false;  // figures appear at once (and in screenshots); no motion to sit through
    option.tooltip = option.tooltip || { trigger: "axis" };
    option.grid = { left: 48, right: 16, top: 40, bottom: 64, containLabel: true };
    chart.setOption(option);
    charts.push(chart);
  }

  make("chart-trend", {
    legend: { data: [L.accepted, L.concluded] },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: L.accepted, type: "line", data: data.accepted, showSymbol: true, symbolSize: 8 },
      { name: L.concluded, type: "line", data: data.concluded, showSymbol: true, symbolSize: 8 }
    ]
  });

  make("chart-dept", {
    legend: { data: [L.completion, L.on_time, L.satisfaction] },
    xAxis: { type: "category", data: data.departments, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: L.completion, type: "bar", data: data.dept_completion.map(pct) },
      { name: L.on_time, type: "bar", data: data.dept_on_time.map(pct) },
      { name: L.satisfaction, type: "bar", data: data.dept_satisfaction.map(pct) }
    ]
  });

  make("chart-items", {
    legend: { data: [L.statutory, L.promised, L.actual] },
    xAxis: { type: "category", data: data.items, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value" },
    series: [
      { name: L.statutory, type: "bar", data: data.item_statutory },
      { name: L.promised, type: "bar", data: data.item_promised },
      { name: L.actual, type: "bar", data: data.item_actual }
    ]
  });

  if (data.hall_days && data.hall_days.length) {
    make("chart-hall", {
      legend: { data: [L.hall_mean, L.hall_p90] },
      xAxis: { type: "category", data: data.hall_days },
      yAxis: { type: "value" },
      series: [
        { name: L.hall_mean, type: "line", data: data.hall_mean, showSymbol: true, symbolSize: 8 },
        { name: L.hall_p90, type: "line", data: data.hall_p90, showSymbol: true, symbolSize: 8 }
      ]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
}());
