// A dataset's thumbnail grid, rendered in the browser so that scrolling never waits for the server: a fixed pool
// of row elements is recycled as the list scrolls (only the rows in view, plus a few, exist), and samples are
// fetched from /api/datasets/{id}/samples a page at a time (small images inline, as data: URLs), cached, and the requests for pages scrolled far
// away are aborted. Used by Features/Datasets/SampleGrid.razor.
const PAGE_SIZE = 240; // samples per request: 30 rows of 8
const OVERSCAN_ROWS = 6;
const KEEP_PAGES = 60;

export function mount(element, options) {
  dispose(element);
  element.qhGrid = new SampleGrid(element, options);
}

export function dispose(element) {
  element?.qhGrid?.destroy();
  if (element) {
    delete element.qhGrid;
  }
}

class SampleGrid {
  constructor(root, { datasetId, total, perRow, rowHeight }) {
    this.root = root;
    this.datasetId = datasetId;
    this.total = total;
    this.perRow = perRow;
    this.rowHeight = rowHeight;
    this.rowCount = Math.ceil(total / perRow);
    this.pages = new Map(); // page index -> { items, controller, used }
    this.rows = []; // pooled row elements
    this.frame = 0;
    this.tick = 0;

    root.replaceChildren();
    this.spacer = document.createElement('div');
    this.spacer.className = 'qh-grid-spacer';
    this.spacer.style.height = `${this.rowCount * rowHeight}px`;
    root.appendChild(this.spacer);

    this.onScroll = () => this.schedule();
    root.addEventListener('scroll', this.onScroll, { passive: true });
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(root);
    root.dataset.ready = 'true';
    this.render();
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.root.removeEventListener('scroll', this.onScroll);
    this.resize.disconnect();
    for (const page of this.pages.values()) {
      page.controller?.abort();
    }
    this.pages.clear();
  }

  schedule() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
      });
    }
  }

  render() {
    const top = this.root.scrollTop;
    const height = this.root.clientHeight || this.rowHeight * 4;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN_ROWS);
    const last = Math.min(this.rowCount - 1, Math.ceil((top + height) / this.rowHeight) + OVERSCAN_ROWS);
    const needed = Math.max(0, last - first + 1);
    while (this.rows.length < needed) {
      this.rows.push(this.createRow());
    }

    this.tick++;
    const wanted = new Set();
    for (let i = 0; i < this.rows.length; i++) {
      const row = this.rows[i];
      const index = first + i;
      if (i >= needed) {
        row.style.display = 'none';
        row.qhIndex = -1;
        continue;
      }
      row.style.display = '';
      const startPage = Math.floor((index * this.perRow) / PAGE_SIZE);
      wanted.add(startPage);
      this.fillRow(row, index);
    }

    for (const page of wanted) {
      this.load(page);
    }
    this.forgetFarPages(wanted);
  }

  createRow() {
    const row = document.createElement('div');
    row.className = 'qh-thumbs-row qh-grid-row';
    row.qhIndex = -1;
    row.qhCells = [];
    for (let c = 0; c < this.perRow; c++) {
      const cell = document.createElement('div');
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
      row.appendChild(cell);
      row.qhCells.push({ cell, img, truth, tags, sampleId: null });
    }
    this.spacer.appendChild(row);
    return row;
  }

  // Places the row and shows its samples, or placeholders until their page arrives.
  fillRow(row, index) {
    if (row.qhIndex !== index) {
      row.qhIndex = index;
      row.style.transform = `translateY(${index * this.rowHeight}px)`;
      row.dataset.row = index;
    }
    for (let c = 0; c < this.perRow; c++) {
      const ordinal = index * this.perRow + c;
      const view = row.qhCells[c];
      view.cell.dataset.ordinal = ordinal;
      const page = this.pages.get(Math.floor(ordinal / PAGE_SIZE));
      const sample = ordinal < this.total ? page?.items?.[ordinal % PAGE_SIZE] : undefined;
      if (page) {
        page.used = this.tick;
      }
      if (ordinal >= this.total) {
        view.cell.style.visibility = 'hidden';
        continue;
      }
      view.cell.style.visibility = '';
      if (!sample) {
        if (view.sampleId !== null) {
          view.sampleId = null;
          view.img.removeAttribute('src');
          view.img.alt = '';
          view.truth.textContent = '';
          view.tags.textContent = '';
          view.cell.title = `#${ordinal}`;
        }
        view.cell.classList.add('qh-thumb-loading');
        continue;
      }
      view.cell.classList.remove('qh-thumb-loading');
      if (view.sampleId === sample.id) {
        continue;
      }
      view.sampleId = sample.id;
      view.img.src = sample.imageData ?? sample.imageUrl; // small images come inside the page: no request per thumbnail
      view.img.alt = `Sample ${sample.ordinal}: ${sample.groundTruth}`;
      view.truth.textContent = sample.groundTruth;
      view.tags.textContent = sample.tags.join(' · ');
      view.cell.title = `#${sample.ordinal}: ${sample.groundTruth}`;
    }
  }

  load(pageIndex) {
    // The page holding the row's first sample, and the next (a row can straddle two pages).
    for (const index of [pageIndex, pageIndex + 1]) {
      if (index * PAGE_SIZE >= this.total || this.pages.has(index)) {
        continue;
      }
      const controller = new AbortController();
      const entry = { items: null, controller, used: this.tick };
      this.pages.set(index, entry);
      fetch(`api/datasets/${this.datasetId}/samples?skip=${index * PAGE_SIZE}&take=${PAGE_SIZE}&inline=true`, { signal: controller.signal })
        .then(response => {
          if (!response.ok) {
            throw new Error(`samples page ${index}: HTTP ${response.status}`);
          }
          return response.json();
        })
        .then(page => {
          entry.items = page.items;
          entry.controller = null;
          this.schedule();
        })
        .catch(() => {
          // Aborted (scrolled away) or failed: forget it, so scrolling back asks again.
          if (this.pages.get(index) === entry) {
            this.pages.delete(index);
          }
        });
    }
  }

  // Aborts requests for pages no longer near the view, and keeps at most KEEP_PAGES loaded pages.
  forgetFarPages(wanted) {
    const near = new Set();
    for (const page of wanted) {
      near.add(page - 1).add(page).add(page + 1).add(page + 2);
    }
    for (const [index, page] of this.pages) {
      if (!near.has(index) && page.controller) {
        page.controller.abort();
        this.pages.delete(index);
      }
    }
    if (this.pages.size > KEEP_PAGES) {
      const oldest = [...this.pages.entries()].filter(([index]) => !near.has(index)).sort((a, b) => a[1].used - b[1].used);
      for (const [index] of oldest.slice(0, this.pages.size - KEEP_PAGES)) {
        this.pages.delete(index);
      }
    }
  }
}
