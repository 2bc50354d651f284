// A thumbnail grid rendered in the browser so that scrolling never waits for the server: a fixed pool of row
// elements is recycled as the list scrolls (only the rows in view, plus a few, exist), and items are fetched a page
// at a time, cached, and the requests for pages scrolled far away are aborted. What a cell shows is up to the caller:
//   new VirtualGrid(root, { total, perRow, rowHeight, pageUrl(skip, take), createCell(), fillCell(view, item), clearCell(view, ordinal) })
// createCell returns { cell, ... } (cell is the element; the rest is the caller's); fillCell and clearCell update it.
// Used by sample-grid.js (a dataset's samples) and gallery-grid.js (a run's gallery).
export const PAGE_SIZE = 240; // items per request: 30 rows of 8
const OVERSCAN_ROWS = 6;
const KEEP_PAGES = 60;

export class VirtualGrid {
  constructor(root, { total, perRow, rowHeight, pageUrl, createCell, fillCell, clearCell }) {
    this.root = root;
    this.total = total;
    this.perRow = perRow;
    this.rowHeight = rowHeight;
    this.pageUrl = pageUrl;
    this.createCell = createCell;
    this.fillCell = fillCell;
    this.clearCell = clearCell;
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

  // Redraws every visible cell (after the caller changed what cells show, e.g. the selection).
  refresh() {
    for (const row of this.rows) {
      for (const view of row.qhCells) {
        view.item = undefined;
      }
    }
    this.schedule();
  }

  // Forgets the loaded pages (after the items themselves changed, e.g. new tags) and loads them again.
  reload() {
    for (const page of this.pages.values()) {
      page.controller?.abort();
    }
    this.pages.clear();
    this.refresh();
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
      wanted.add(Math.floor((index * this.perRow) / PAGE_SIZE));
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
      const view = this.createCell();
      view.item = null;
      row.appendChild(view.cell);
      row.qhCells.push(view);
    }
    this.spacer.appendChild(row);
    return row;
  }

  // Places the row and shows its items, or placeholders until their page arrives.
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
      const item = ordinal < this.total ? page?.items?.[ordinal % PAGE_SIZE] : undefined;
      if (page) {
        page.used = this.tick;
      }
      if (ordinal >= this.total) {
        view.cell.style.visibility = 'hidden';
        continue;
      }
      view.cell.style.visibility = '';
      if (!item) {
        if (view.item !== null) {
          view.item = null;
          this.clearCell(view, ordinal);
        }
        view.cell.classList.add('qh-thumb-loading');
        continue;
      }
      view.cell.classList.remove('qh-thumb-loading');
      if (view.item === item) {
        continue;
      }
      view.item = item;
      this.fillCell(view, item);
    }
  }

  load(pageIndex) {
    // The page holding the row's first item, and the next (a row can straddle two pages).
    for (const index of [pageIndex, pageIndex + 1]) {
      if (index * PAGE_SIZE >= this.total || this.pages.has(index)) {
        continue;
      }
      const controller = new AbortController();
      const entry = { items: null, controller, used: this.tick };
      this.pages.set(index, entry);
      fetch(this.pageUrl(index * PAGE_SIZE, PAGE_SIZE), { signal: controller.signal })
        .then(response => {
          if (!response.ok) {
            throw new Error(`page ${index}: HTTP ${response.status}`);
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
