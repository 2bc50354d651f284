using Microsoft.JSInterop;

namespace QualityHub.Web.Components.Layout;

/// <summary>
/// Light or dark for this browser. Kept in a cookie, not on the account: the server reads it while it renders the
/// first HTML (so no page flashes the wrong palette), and the sign-in page, where nobody is known yet, follows it too.
/// </summary>
public sealed class ThemeChoice(IJSRuntime js)
{
    public const string CookieName = "qualityhub-theme";

    private const string Dark = "dark";
    private const string Light = "light";

    public bool IsDark { get; private set; }

    /// <summary>Raised after the palette flips, for what paints itself outside MudBlazor's styles (the charts).</summary>
    public event Action? Changed;

    /// <summary>Starts from the cookie's value as the request brought it; anything but "dark" is light.</summary>
    public void Start(string? cookieValue) => IsDark = cookieValue == Dark;

    /// <summary>Flips the palette (MudBlazor's through the layouts, the charts through Changed) and writes the cookie, so a reload or the next sign-in on this browser keeps it.</summary>
    public async Task ToggleAsync()
    {
        IsDark = !IsDark;
        Changed?.Invoke();
        await using var module = await js.InvokeAsync<IJSObjectReference>("import", "./js/theme.js");
        await module.InvokeVoidAsync("remember", CookieName, IsDark ? Dark : Light);
    }
}
