// A run's error gallery: the virtual grid (virtual-grid.js) over /api/evaluations/{id}/gallery with the page's
// filter, cells that show truth → output, confidence, error tags and the suspect flag, and a selection kept here
// (ids, or "all matching" the filter) so that tagging ten thousand items sends one request to /api/gallery/tags
// instead of ids through the circuit. Used by Features/Gallery/GalleryGrid.razor.
import { VirtualGrid } from './virtual-grid.js';

export function mount(element, { runId, query, total, perRow, rowHeight, dotnet }) {
  dispose(element);
  const state = { runId, query, selected: new Set(), allMatching: false, total, dotnet };
  const grid = new VirtualGrid(element, {
    total,
    perRow,
    rowHeight,
    pageUrl: (skip, take) => `api/evaluations/${runId}/gallery?${query}${query ? '&' : ''}skip=${skip}&take=${take}&inline=true`,
    createCell: () => createCell(state),
    fillCell: (view, item) => fillCell(state, view, item),
    clearCell,
  });
  element.qhGallery = { grid, state };
}

export function dispose(element) {
  element?.qhGallery?.grid.destroy();
  if (element) {
    delete element.qhGallery;
  }
}

export function selectAllMatching(element, on) {
  const gallery = element?.qhGallery;
  if (!gallery) {
    return;
  }
  gallery.state.allMatching = on;
  gallery.state.selected.clear();
  changed(gallery);
}

export function clearSelection(element) {
  selectAllMatching(element, false);
}

// Tags (or untags) the selection; answers { ok, message } for the page to show.
export async function applyTag(element, tag, remove, create) {
  const gallery = element?.qhGallery;
  if (!gallery) {
    return { ok: false, message: 'The gallery is not ready yet.' };
  }
  const { state } = gallery;
  const body = { tag, runId: state.runId, remove, create };
  if (state.allMatching) {
    body.filter = state.query;
  } else {
    body.sampleIds = [...state.selected];
  }
  try {
    const response = await fetch('api/gallery/tags', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      return { ok: false, message: answer.detail ?? `The server answered ${response.status}.` };
    }
    gallery.grid.reload();
    const what = remove ? `Removed '${answer.tag}' from` : `Tagged`;
    const items = `${answer.matched.toLocaleString('en')} item${answer.matched === 1 ? '' : 's'}`;
    const changedCount = answer.changed.toLocaleString('en');
    return { ok: true, message: remove ? `${what} ${items} (${changedCount} had it).` : `${what} ${items} '${answer.tag}' (${changedCount} new).` };
  } catch (e) {
    return { ok: false, message: `The request failed: ${e.message}` };
  }
}

function changed(gallery) {
  const { state, grid } = gallery;
  grid.refresh();
  const count = state.allMatching ? state.total : state.selected.size;
  state.dotnet.invokeMethodAsync('SelectionChanged', count, state.allMatching).catch(() => {});
}

function createCell(state) {
  const cell = document.createElement('div');
  cell.className = 'qh-thumb qh-gallery-item';
  cell.setAttribute('role', 'listitem');
  cell.tabIndex = 0;
  const check = document.createElement('input');
  check.type = 'checkbox';
  check.className = 'qh-select';
  const img = document.createElement('img');
  img.decoding = 'async';
  img.width = 80;
  img.height = 80;
  const truth = document.createElement('div');
  truth.className = 'qh-truth';
  const output = document.createElement('div');
  output.className = 'qh-output';
  const tags = document.createElement('div');
  tags.className = 'qh-tags';
  cell.append(check, img, truth, output, tags);
  const view = { cell, check, img, truth, output, tags };

  check.addEventListener('click', e => {
    e.stopPropagation();
    const item = view.item;
    const gallery = cell.closest('.qh-gallery-grid')?.qhGallery;
    if (!item || !gallery) {
      return;
    }
    if (state.allMatching) {
      // Leaving "all matching" for an explicit selection: start from nothing but this item.
      state.allMatching = false;
      state.selected.clear();
    }
    if (check.checked) {
      state.selected.add(item.sampleId);
    } else {
      state.selected.delete(item.sampleId);
    }
    changed(gallery);
  });
  const open = () => view.item && state.dotnet.invokeMethodAsync('OpenItem', view.item.sampleId).catch(() => {});
  cell.addEventListener('click', open);
  cell.addEventListener('keydown', e => {
    if (e.key === 'Enter') {
      open();
    }
  });
  return view;
}

function fillCell(state, view, item) {
  view.cell.dataset.sampleId = item.sampleId;
  view.img.src = item.imageData ?? item.imageUrl;
  view.img.alt = `Sample ${item.ordinal}: ${item.groundTruth}`;
  const said = item.error ? 'error' : item.output;
  const confidence = item.confidence == null ? '' : ` ${(item.confidence * 100).toFixed(0)}%`;
  if (item.diff) {
    // A text answer: both strings aligned character by character, substitutions, insertions and deletions marked.
    writeDiff(view.truth, item.diff, step => step.expected, '');
    writeDiff(view.output, item.diff, step => step.actual, confidence);
    view.cell.dataset.diff = 'true';
  } else {
    view.truth.textContent = item.groundTruth;
    view.output.textContent = `→ ${said}${confidence}`;
    delete view.cell.dataset.diff;
  }
  view.output.className = `qh-output ${item.correct ? 'qh-right' : 'qh-wrong'}`;
  view.tags.textContent = [...(item.suspect ? ['⚑ truth?'] : []), ...item.errorTags].join(' · ');
  view.cell.classList.toggle('qh-suspect', item.suspect);
  const selected = state.allMatching || state.selected.has(item.sampleId);
  view.check.checked = selected;
  view.cell.classList.toggle('qh-selected', selected);
  view.check.setAttribute('aria-label', `Select sample ${item.ordinal}`);
  const details = [item.error ? `error: ${item.error}` : `output ${item.output}${confidence}`];
  if (item.loss != null) {
    details.push(`loss ${item.loss.toFixed(2)}`);
  }
  if (item.editDistance != null) {
    details.push(`edit distance ${item.editDistance}`);
  }
  view.cell.title = `#${item.ordinal}: truth ${item.groundTruth}; ${details.join(', ')}`;
}

// One row of a character diff, as text nodes in spans (never HTML): the side's character at each step, a gap where it has none.
function writeDiff(row, diff, side, suffix) {
  row.replaceChildren();
  for (const step of diff) {
    const span = document.createElement('span');
    span.className = `qh-ch ${diffClass(step.kind)}`;
    span.textContent = side(step) ?? '·';
    row.append(span);
  }
  if (suffix) {
    row.append(document.createTextNode(suffix));
  }
}

function diffClass(kind) {
  switch (kind) {
    case 'Substituted': return 'qh-ch-sub';
    case 'Inserted': return 'qh-ch-ins';
    case 'Deleted': return 'qh-ch-del';
    default: return '';
  }
}

function clearCell(view, ordinal) {
  delete view.cell.dataset.diff;
  delete view.cell.dataset.sampleId;
  view.img.removeAttribute('src');
  view.img.alt = '';
  view.truth.textContent = '';
  view.output.textContent = '';
  view.tags.textContent = '';
  view.check.checked = false;
  view.cell.classList.remove('qh-selected', 'qh-suspect');
  view.cell.title = `#${ordinal}`;
}

export function reload(element) {
  element?.qhGallery?.grid.reload();
}
