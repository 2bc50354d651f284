namespace QualityHub.TestSupport;

/// <summary>Files of the repository the tests run from (demo data, models, tools), found from the test's build output.</summary>
public static class RepositoryFiles
{
    /// <summary>The folder that holds QualityHub.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path below the repository root, e.g. <c>Path("data", "demo")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "QualityHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No QualityHub.sln above {AppContext.BaseDirectory}: the tests run from a build output inside the repository.");
    }
}
