/* The report page's chart (/reports/): calls offered, answered and abandoned per
 * row of the table as bars, the service level (per cent) as a line on its own
 * axis. The figures come from the page (json_script "report-chart-data"); the
 * table below holds the same numbers for keyboards and screen readers.
 */
(function () {
  "use strict";
  const t = (s) => window.gettext(s);
  const canvas = document.getElementById("report-chart");
  const source = document.getElementById("report-chart-data");
  if (!canvas || !source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  // the canvas does not inherit the page's font: give it Pretendard for Hangul
  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: t("Calls offered"), data: data.offered, backgroundColor: "#9bbbe0", yAxisID: "calls" },
        { label: t("Calls answered"), data: data.answered, backgroundColor: "#0b5cad", yAxisID: "calls" },
        { label: t("Calls abandoned"), data: data.abandoned, backgroundColor: "#b3261e", yAxisID: "calls" },
        {
          label: t("Service level (%)"), data: data.service_level, type: "line", yAxisID: "percent",
          borderColor: "#a35b00", backgroundColor: "#a35b00", pointRadius: 2, tension: 0.2, spanGaps: true,
        },
      ],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: {
        calls: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 } },
        percent: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } },
      },
    },
  });
})();
