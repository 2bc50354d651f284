// A dataset's thumbnail grid: the virtual grid (virtual-grid.js) over /api/datasets/{id}/samples (optionally one
// label and/or one kind), small images inline as data: URLs; each thumbnail links to the sample opened beside the
// grid (?sample=ID). Used by Features/Datasets/SampleGrid.razor.
import { VirtualGrid } from './virtual-grid.js';

export function mount(element, { datasetId, total, perRow, rowHeight, label, tag }) {
  dispose(element);
  const filter = (label ? `&label=${encodeURIComponent(label)}` : '') + (tag ? `&tag=${encodeURIComponent(tag)}` : '');
  const link = (sampleId) => `datasets/${datasetId}?sample=${sampleId}${filter}`;
  element.qhGrid = new VirtualGrid(element, {
    total,
    perRow,
    rowHeight,
    pageUrl: (skip, take) => `api/datasets/${datasetId}/samples?skip=${skip}&take=${take}&inline=true${filter}`,
    createCell,
    fillCell: (view, sample) => fillCell(view, sample, link(sample.id)),
    clearCell,
  });
}

export function dispose(element) {
  element?.qhGrid?.destroy();
  if (element) {
    delete element.qhGrid;
  }
}

function createCell() {
  const cell = document.createElement('a');
  cell.className = 'qh-thumb';
  cell.setAttribute('role', 'listitem');
  const img = document.createElement('img');
  img.decoding = 'async';
  img.width = 80;
  img.height = 80;
  const truth = document.createElement('div');
  truth.className = 'qh-truth';
  const tags = document.createElement('div');
  tags.className = 'qh-tags';
  cell.append(img, truth, tags);
  return { cell, img, truth, tags };
}

function fillCell(view, sample, href) {
  view.cell.href = href;
  view.cell.dataset.sample = sample.id;
  view.img.src = sample.imageData ?? sample.imageUrl; // small images come inside the page: no request per thumbnail
  view.img.alt = `Sample ${sample.ordinal}: ${sample.groundTruth}`;
  view.truth.textContent = sample.groundTruth;
  view.tags.textContent = sample.tags.join(' · ');
  view.cell.title = `#${sample.ordinal}: ${sample.groundTruth}`;
}

function clearCell(view, ordinal) {
  view.cell.removeAttribute('href');
  delete view.cell.dataset.sample;
  view.img.removeAttribute('src');
  view.img.alt = '';
  view.truth.textContent = '';
  view.tags.textContent = '';
  view.cell.title = `#${ordinal}`;
}
