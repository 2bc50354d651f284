// The Compare page's inputs: any image the browser can decode (file or clipboard) or a drawing, converted to PNG
// here and held until .NET takes it as a stream. Only one pending image exists at a time.
let pending = null;
let pendingUrl = null;

async function toPng(source) {
  const bitmap = await createImageBitmap(source);
  try {
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d').drawImage(bitmap, 0, 0);
    return await new Promise((resolve, reject) =>
      canvas.toBlob(b => (b ? resolve(b) : reject(new Error('the browser could not encode it as PNG'))), 'image/png'));
  } finally {
    bitmap.close();
  }
}

async function hold(blob, name, maxBytes) {
  if (blob.size > maxBytes) {
    return { ok: false, error: `${name} is ${(blob.size / 1048576).toFixed(1)} MiB; the limit is ${(maxBytes / 1048576).toFixed(0)} MiB.` };
  }
  let png;
  try {
    png = blob.type === 'image/png' ? blob : await toPng(blob);
  } catch {
    return { ok: false, error: `${name} is not an image this browser can decode.` };
  }
  if (png.size > maxBytes) {
    return { ok: false, error: `${name} is ${(png.size / 1048576).toFixed(1)} MiB as PNG; the limit is ${(maxBytes / 1048576).toFixed(0)} MiB.` };
  }
  if (pendingUrl) {
    URL.revokeObjectURL(pendingUrl);
  }
  pending = png;
  pendingUrl = URL.createObjectURL(png);
  return { ok: true, previewUrl: pendingUrl, bytes: png.size };
}

// The file chosen in an <input type=file>, as PNG.
export function holdFile(input, maxBytes) {
  const file = input.files && input.files[0];
  if (!file) {
    return { ok: false, error: 'Choose an image file first.' };
  }
  return hold(file, file.name, maxBytes);
}

// What the canvas shows, as PNG.
export async function holdDrawing(canvas, maxBytes) {
  const blob = await new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
  return hold(blob, 'The drawing', maxBytes);
}

// The pending PNG's bytes; .NET reads them as a stream.
export async function takePending() {
  if (!pending) {
    return new Uint8Array(0);
  }
  return new Uint8Array(await pending.arrayBuffer());
}

// Pasting an image anywhere on the page makes it the input.
let pasteHandler = null;
export function listenForPaste(receiver, maxBytes) {
  stopListening();
  pasteHandler = async e => {
    const item = [...(e.clipboardData?.items ?? [])].find(i => i.kind === 'file' && i.type.startsWith('image/'));
    if (!item) {
      return;
    }
    e.preventDefault();
    const held = await hold(item.getAsFile(), 'The pasted image', maxBytes);
    receiver.invokeMethodAsync('OnPasted', held);
  };
  document.addEventListener('paste', pasteHandler);
}

export function stopListening() {
  if (pasteHandler) {
    document.removeEventListener('paste', pasteHandler);
    pasteHandler = null;
  }
}

// A black canvas to draw on in white, as Fashion-MNIST's images are.
export function setUpCanvas(canvas) {
  // Leaving Compare right after it rendered removes the canvas before this call arrives.
  if (!canvas?.isConnected) {
    return;
  }
  const context = canvas.getContext('2d');
  clearCanvas(canvas);
  let drawing = false;
  const at = e => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * (canvas.width / box.width), (e.clientY - box.top) * (canvas.height / box.height)];
  };
  canvas.addEventListener('pointerdown', e => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    context.beginPath();
    context.moveTo(...at(e));
  });
  canvas.addEventListener('pointermove', e => {
    if (!drawing) {
      return;
    }
    context.lineTo(...at(e));
    context.stroke();
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
}

export function clearCanvas(canvas) {
  if (!canvas?.isConnected) {
    return;
  }
  const context = canvas.getContext('2d');
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.strokeStyle = '#fff';
  context.lineWidth = canvas.width / 14;
  context.lineCap = 'round';
  context.lineJoin = 'round';
}
