// Plotly behind one small module, used by the Plot component (Components/Shared/Plot.razor).
// plotly.min.js (copied from npm into lib/ by the build) is loaded once, on first use.
let plotlyLoading;

function loadPlotly() {
  if (window.Plotly) {
    return Promise.resolve(window.Plotly);
  }
  plotlyLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'lib/plotly.min.js';
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => {
      plotlyLoading = undefined;
      reject(new Error('plotly.js could not be loaded from lib/plotly.min.js'));
    };
    document.head.appendChild(script);
  });
  return plotlyLoading;
}

// Draws the figure, or updates the existing one in place.
// Nothing happens when the element left the page meanwhile (its component was removed while plotly loaded).
export async function render(element, figureJson) {
  const Plotly = await loadPlotly();
  if (!element || !element.isConnected) {
    return;
  }
  const figure = JSON.parse(figureJson);
  const config = { responsive: true, displaylogo: false, ...(figure.config ?? {}) };
  await Plotly.react(element, figure.data, figure.layout ?? {}, config);
}

export function purge(element) {
  if (window.Plotly && element) {
    window.Plotly.purge(element);
  }
}
