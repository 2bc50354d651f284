// Streams files chosen in <input type=file> elements to a URL as multipart/form-data by XHR, reporting to .NET.
// Files are read from the inputs at the moment of the call, so nothing depends on when an input changed.
// The page's antiforgery token goes in a header: the server refuses cookie-signed multipart posts without it.

// One file under fieldName, with upload progress (OnUploadProgress) and the answer (OnUploadFinished).
export function upload(input, url, fieldName, receiver, token) {
  const file = input.files && input.files[0];
  if (!file) {
    receiver.invokeMethodAsync('OnUploadFinished', 0, JSON.stringify({ detail: 'Choose an .onnx file first.', field: fieldName }));
    return;
  }
  const form = new FormData();
  form.append(fieldName, file, file.name);
  post(url, form, receiver, true, token);
}

// Text fields, then one file per named input; only the answer (OnUploadFinished) is reported, the server tells
// progress its own way. Returns a handle whose abort() cancels the request, or null when a file was not chosen.
export function send(url, fields, inputs, receiver, token) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    form.append(name, value);
  }
  for (const [name, input] of Object.entries(inputs)) {
    const file = input.files && input.files[0];
    if (!file) {
      const label = input.getAttribute('aria-label') || name;
      receiver.invokeMethodAsync('OnUploadFinished', 0, JSON.stringify({ detail: `Choose a file for "${label}" first.` }));
      return null;
    }
    form.append(name, file, file.name);
  }
  return post(url, form, receiver, false, token);
}

function post(url, form, receiver, reportProgress, token) {
  const request = new XMLHttpRequest();
  if (reportProgress) {
    request.upload.onprogress = e => {
      if (e.lengthComputable) {
        receiver.invokeMethodAsync('OnUploadProgress', e.loaded, e.total);
      }
    };
  }
  request.onload = () => receiver.invokeMethodAsync('OnUploadFinished', request.status, request.responseText);
  request.onerror = () => receiver.invokeMethodAsync('OnUploadFinished', 0, '{"detail":"The upload failed: the connection to the server was lost."}');
  request.onabort = () => receiver.invokeMethodAsync('OnUploadFinished', 0, '{"detail":"Cancelled."}');
  request.open('POST', url);
  if (token) {
    request.setRequestHeader('RequestVerificationToken', token);
  }
  request.send(form);
  return { abort: () => request.abort() };
}
