// The light/dark choice for this browser, for a year; the server reads it when it renders the next page.
export function remember(name, value) {
    const secure = location.protocol === 'https:' ? '; secure' : '';
    document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax${secure}`;
}
