// The report pages' charts (web/console/pages/reports.py): each element with a
// data-vega-spec holds a Vega-Lite spec (made by Altair on the hub) that vega-embed
// draws, on the page's first load and after each htmx refresh of the filters. The PNG
// and SVG buttons export the drawn chart (view.toImageURL).
//
// Within the console's Content-Security-Policy: Vega's expression interpreter instead
// of eval (ast: true), and no <style> injected by vega-embed (defaultStyle: false) nor
// by its tooltips (disableDefaultStyle: static/vega/vega-tooltip.css has their rules).
(function () {
  "use strict";

  const views = new WeakMap(); // chart element -> its Vega view

  function draw(element) {
    let spec;
    try {
      spec = JSON.parse(element.dataset.vegaSpec);
    } catch (error) {
      element.textContent = "The chart's data could not be read.";
      return;
    }
    const options = {
      actions: false,
      renderer: "canvas",
      defaultStyle: false,
      ast: true,
      expr: window.vega.expressionInterpreter,
      // Its rules are in static/vega/vega-tooltip.css: no injected <style>.
      tooltip: { disableDefaultStyle: true },
    };
    window.vegaEmbed(element, spec, options).then(
      (result) => {
        views.set(element, result.view);
        element.dataset.chartDrawn = "true";
      },
      (error) => {
        element.textContent = "The chart could not be drawn: " + error.message;
      },
    );
  }

  function drawAll(root) {
    root.querySelectorAll("[data-vega-spec]").forEach(draw);
  }

  function download(button) {
    const figure = button.closest("figure");
    const chart = figure && figure.querySelector("[data-vega-spec]");
    const view = chart && views.get(chart);
    if (!view) {
      return;
    }
    const format = button.dataset.chartExport;
    view.toImageURL(format, format === "png" ? 2 : 1).then((url) => {
      const link = document.createElement("a");
      link.href = url;
      link.download = (chart.dataset.chartName || "chart") + "." + format;
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.detail.elt));
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-chart-export]");
    if (button) {
      download(button);
    }
  });
})();
