using Microsoft.AspNetCore.Components;

namespace QualityHub.Web.Components.Layout;

/// <summary>The portal's shell: app bar with the theme toggle and the user, the navigation drawer, the page.</summary>
public partial class MainLayout
{
    private bool drawerOpen = true;

    [Inject]
    private ThemeChoice Theme { get; set; } = null!;

    private string ToggleLabel => Theme.IsDark ? "Switch to the light theme" : "Switch to the dark theme";

    private void ToggleDrawer() => drawerOpen = !drawerOpen;

    private Task ToggleThemeAsync() => Theme.ToggleAsync();
}
