// The reconnect dialog (Components/Layout/ReconnectModal.razor): blazor.web.js reports the circuit's state on it; this
// opens and closes it, retries when asked or when the tab comes back into view, and reloads when nothing else works.
const dialog = document.getElementById('components-reconnect-modal');
const retryButton = document.getElementById('components-reconnect-button');
const resumeButton = document.getElementById('components-resume-button');

if (dialog && retryButton && resumeButton) {
  dialog.addEventListener('components-reconnect-state-changed', event => {
    switch (event.detail.state) {
      case 'show':
        if (!dialog.open) {
          dialog.showModal();
        }
        break;
      case 'hide':
        dialog.close();
        break;
      case 'failed':
        document.addEventListener('visibilitychange', retryWhenVisible);
        break;
      case 'rejected':
        // The server is back but no longer knows this circuit: a fresh page is all that is left.
        location.reload();
        break;
    }
  });
  retryButton.addEventListener('click', retry);
  resumeButton.addEventListener('click', resume);
}

async function retry() {
  document.removeEventListener('visibilitychange', retryWhenVisible);
  try {
    if (await Blazor.reconnect()) {
      return;
    }
    // Reached the server, which dropped the circuit: take the page's state to a new one, or start afresh.
    await resume();
  } catch {
    document.addEventListener('visibilitychange', retryWhenVisible);
  }
}

async function resume() {
  try {
    if (await Blazor.resumeCircuit()) {
      dialog.close();
      return;
    }
  } catch {
    // fall through to a reload
  }
  location.reload();
}

async function retryWhenVisible() {
  if (document.visibilityState === 'visible') {
    await retry();
  }
}
