namespace QualityHub.Data.Registry;

/// <summary>
/// The folders a request may import from (<see cref="RegistryOptions.ImportRoots"/>) and the check of each path it names.
/// A path must be absolute, without '..', lie under a root as written, and still lie inside a root once every symbolic
/// link in it is followed; only then is it looked at further. A path outside the roots is refused the same way whether
/// or not it exists, so the check reveals nothing about the rest of the server's disk.
/// </summary>
public sealed class ImportRoots
{
    public const string Setting = "Registry:ImportRoots";

    private readonly IReadOnlyList<string> configured;

    public ImportRoots(IEnumerable<string> roots)
    {
        configured = roots.Where(r => !string.IsNullOrWhiteSpace(r) && Path.IsPathFullyQualified(r)).Select(Path.GetFullPath).ToList();
    }

    /// <summary>Whether any root is configured; with none, importing from server paths is off.</summary>
    public bool Any => configured.Count > 0;

    /// <summary>
    /// The regular file (or, with <paramref name="folder"/>, the folder) that <paramref name="path"/> names, at its real
    /// path and named by <paramref name="field"/> and its path inside its root; else a <see cref="ServerPathException"/>.
    /// </summary>
    public ImportFile Resolve(string field, string path, bool folder = false)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            throw new ServerPathException(field, forbidden: false, $"'{field}' must be an absolute path on the server.");
        }

        var roots = RealRoots();
        var full = Path.GetFullPath(path);
        if (path.Split('/', Path.DirectorySeparatorChar).Contains("..") || !roots.Any(r => PhysicalPaths.IsInside(full, r.Configured) || PhysicalPaths.IsInside(full, r.Real)))
        {
            throw Outside(field);
        }

        var (real, kind) = PhysicalPaths.Resolve(full);
        var root = roots.Select(r => r.Real).FirstOrDefault(r => PhysicalPaths.IsInside(real, r)) ?? throw Outside(field);
        var name = $"{field} ({Relative(root, real)})";
        var problem = (kind, folder) switch
        {
            (EntryKind.Missing, _) => "was not found",
            (EntryKind.File, false) or (EntryKind.Directory, true) => null,
            (EntryKind.Directory, false) => "is a folder, not a file",
            (EntryKind.File, true) => "is a file, not a folder",
            _ => "is not a regular file (a device, FIFO or socket); only regular files are imported",
        };
        return problem is null ? new ImportFile(real, name) : throw new ServerPathException(field, forbidden: false, $"'{field}' ({Relative(root, real)}) {problem}.");
    }

    /// <summary>Each configured root that exists as a folder, with its real path.</summary>
    private List<(string Configured, string Real)> RealRoots() =>
        configured.Select(c => (Configured: c, Resolved: PhysicalPaths.Resolve(c)))
            .Where(r => r.Resolved.Kind == EntryKind.Directory)
            .Select(r => (r.Configured, r.Resolved.Path))
            .ToList();

    private static string Relative(string root, string path) => path == root ? "." : Path.GetRelativePath(root, path);

    private static ServerPathException Outside(string field) =>
        new(field, forbidden: true, $"'{field}' is not inside a folder this server imports from; an administrator lists those in {Setting}.");
}

/// <summary>A path a request names is refused: outside the import roots (<see cref="Forbidden"/>), or unusable inside them.</summary>
public sealed class ServerPathException(string field, bool forbidden, string message) : Exception(message)
{
    /// <summary>The request's field that named the path.</summary>
    public string Field { get; } = field;

    /// <summary>True when the path leads outside every import root (403); false when it is inside but unusable (400).</summary>
    public bool Forbidden { get; } = forbidden;
}
