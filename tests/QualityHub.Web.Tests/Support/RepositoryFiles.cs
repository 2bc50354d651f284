namespace QualityHub.Web.Tests.Support;

/// <summary>Files of the repository the tests run from (demo data, models).</summary>
internal static class RepositoryFiles
{
    public static string Path(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(dir!.FullName, "QualityHub.sln")))
        {
            dir = dir.Parent;
        }

        return System.IO.Path.Combine([dir.FullName, .. parts]);
    }
}
