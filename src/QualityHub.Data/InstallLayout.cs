namespace QualityHub.Data;

/// <summary>
/// Where the installation's folders are. Run from a clone, that is the repository (found by QualityHub.sln
/// above the app's binaries), whatever the current directory; published, the folder the app runs from.
/// </summary>
public static class InstallLayout
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The repository root when running from a clone, else the app's own folder.</summary>
    public static string RootDirectory => Root.Value;

    public static string DefaultDataDirectory => Path.Combine(RootDirectory, "data");

    public static string DefaultWebRoot => Path.Combine(RootDirectory, "wwwroot");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QualityHub.sln")))
            {
                return dir.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
