// Streams the file chosen in an <input type=file> to a URL as multipart/form-data, reporting progress to .NET.
// The file is read from the input at the moment of the call, so nothing depends on when the input changed.
export function upload(input, url, fieldName, receiver) {
  const file = input.files && input.files[0];
  if (!file) {
    receiver.invokeMethodAsync('OnUploadFinished', 0, '{"detail":"Choose an .onnx file first."}');
    return;
  }
  const form = new FormData();
  form.append(fieldName, file, file.name);
  const request = new XMLHttpRequest();
  request.upload.onprogress = e => {
    if (e.lengthComputable) {
      receiver.invokeMethodAsync('OnUploadProgress', e.loaded, e.total);
    }
  };
  request.onload = () => receiver.invokeMethodAsync('OnUploadFinished', request.status, request.responseText);
  request.onerror = () => receiver.invokeMethodAsync('OnUploadFinished', 0, '{"detail":"The upload failed: the connection to the server was lost."}');
  request.open('POST', url);
  request.send(form);
}
