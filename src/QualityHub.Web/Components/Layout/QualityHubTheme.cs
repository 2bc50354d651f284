using MudBlazor;

namespace QualityHub.Web.Components.Layout;

/// <summary>The portal's two palettes: calm blues and greys for reading numbers all day, light by default.</summary>
public static class QualityHubTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2f5d8a",
            Secondary = "#5c6b7a",
            Tertiary = "#2e7d6b",
            Info = "#1f78b4",
            Success = "#2e7d32",
            Warning = "#b26a00",
            Error = "#c62828",
            Background = "#f5f7fa",
            Surface = "#ffffff",
            AppbarBackground = "#23395b",
            AppbarText = "#ffffff",
            DrawerBackground = "#ffffff",
            DrawerText = "#26313d",
            DrawerIcon = "#55657a",
            TextPrimary = "#1f2933",
            TextSecondary = "#52606d",
            ActionDefault = "#52606d",
            LinesDefault = "#dde2e8",
            Divider = "#dde2e8",
            TableLines = "#e4e8ed",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8ab4f8",
            PrimaryContrastText = "#0b1b33",
            Secondary = "#a0aec0",
            Tertiary = "#6fcfb8",
            Info = "#64b5f6",
            Success = "#81c784",
            Warning = "#ffb74d",
            Error = "#ef9a9a",
            Background = "#12161c",
            Surface = "#1b2129",
            AppbarBackground = "#1b2636",
            AppbarText = "#e6eaf0",
            DrawerBackground = "#161b22",
            DrawerText = "#d5dbe3",
            DrawerIcon = "#9aa6b5",
            TextPrimary = "#e6eaf0",
            TextSecondary = "#a9b4c2",
            ActionDefault = "#b8c2cf",
            LinesDefault = "#2c3440",
            Divider = "#2c3440",
            TableLines = "#2c3440",
        },
        LayoutProperties = new LayoutProperties
        {
            DrawerWidthLeft = "232px",
            AppbarHeight = "56px",
        },
    };
}
