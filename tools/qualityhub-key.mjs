// The API key the benchmark and measurement tools send (X-Api-Key), from QUALITYHUB_API_KEY: QualityHub answers
// strangers with 401 or the sign-in page. Pages accept the key too, so a browser context with this header is signed in.
const key = process.env.QUALITYHUB_API_KEY;

/** Headers for fetch and for Playwright's extraHTTPHeaders. */
export const keyHeaders = () => (key ? { 'x-api-key': key } : {});

/** fetch with the key. */
export const fetchWithKey = (url, init = {}) => fetch(url, { ...init, headers: { ...(init.headers ?? {}), ...keyHeaders() } });
