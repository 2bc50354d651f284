// Plotly behind one small module, used by the Plot component (Components/Shared/Plot.razor).
// plotly-cartesian.min.js (Plotly's 2D bundle: bar, scatter, heatmap, histogram…; copied from npm into lib/ by the build) is loaded once, on first use.
let plotlyLoading;

function loadPlotly() {
  if (window.Plotly) {
    return Promise.resolve(window.Plotly);
  }
  plotlyLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'lib/plotly-cartesian.min.js';
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => {
      plotlyLoading = undefined;
      reject(new Error('plotly.js could not be loaded from lib/plotly-cartesian.min.js'));
    };
    document.head.appendChild(script);
  });
  return plotlyLoading;
}

// Draws the figure, or updates the existing one in place.
// Nothing happens when the element left the page meanwhile (its component was removed while plotly loaded).
// With a .NET reference, clicks on points are reported to its PointClicked (once per element).
export async function render(element, figureJson, dotnet) {
  const Plotly = await loadPlotly();
  if (!element || !element.isConnected) {
    return;
  }
  const figure = JSON.parse(figureJson);
  const config = { responsive: true, displaylogo: false, ...(figure.config ?? {}) };
  await Plotly.react(element, figure.data, figure.layout ?? {}, config);
  if (dotnet && !element.qhClicks) {
    element.qhClicks = true;
    element.on('plotly_click', event => {
      const point = event.points?.[0];
      if (point) {
        const text = v => (v === undefined || v === null ? null : String(v));
        const raw = point.pointIndex ?? point.pointNumber ?? 0;
        const index = Array.isArray(raw) ? raw[0] : raw; // heat maps give [row, column]; x and y name the cell
        dotnet.invokeMethodAsync('PointClicked', text(point.x), text(point.y), point.curveNumber ?? 0, index)
          .catch(() => { /* the page went away */ });
      }
    });
  }
}

export function purge(element) {
  if (window.Plotly && element) {
    window.Plotly.purge(element);
  }
}
