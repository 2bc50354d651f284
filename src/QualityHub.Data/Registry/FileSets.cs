using System.IO.Compression;

namespace QualityHub.Data.Registry;

/// <summary>Files an import names by relative path: in a folder or in a zip. Paths that climb out are refused.</summary>
internal interface IFileSet : IDisposable
{
    IEnumerable<ImportIssue> Precheck(RegistryOptions options);

    /// <summary>Null when the path is safe and the file exists, else what is wrong.</summary>
    string? Check(string relativePath);

    byte[] Read(string relativePath);

    /// <summary>A relative path that stays inside: no rooted paths, drive letters or ".." segments.</summary>
    static string? UnsafePathProblem(string path) =>
        path.Length == 0 ? "the path is empty"
        : Path.IsPathRooted(path) || path.StartsWith('/') || path.StartsWith('\\') || (path.Length > 1 && path[1] == ':') ? $"'{path}' is an absolute path; only paths inside the import are allowed"
        : path.Replace('\\', '/').Split('/').Contains("..") ? $"'{path}' climbs out of the import with '..'"
        : null;
}

internal sealed class FolderFiles(string folder) : IFileSet
{
    private readonly string root = Path.GetFullPath(folder);

    public IEnumerable<ImportIssue> Precheck(RegistryOptions options) =>
        Directory.Exists(root) ? [] : [new ImportIssue(root, "the folder does not exist")];

    public string? Check(string relativePath) =>
        IFileSet.UnsafePathProblem(relativePath) ?? (File.Exists(Path.Combine(root, relativePath)) ? null : $"'{relativePath}' does not exist");

    public byte[] Read(string relativePath) => File.ReadAllBytes(Path.Combine(root, relativePath));

    public void Dispose()
    {
    }
}

internal sealed class ZipFiles(string zipPath) : IFileSet
{
    private readonly ZipArchive archive = ZipFile.OpenRead(zipPath);

    public string? TryReadText(string name) =>
        archive.GetEntry(name) is { } entry ? System.Text.Encoding.UTF8.GetString(ReadEntry(entry, 64L * 1024 * 1024)) : null;

    // Declared sizes first: a zip bomb is refused before anything is inflated; reading is bounded again below.
    public IEnumerable<ImportIssue> Precheck(RegistryOptions options)
    {
        var limit = options.MaxZipUncompressedMb * 1024 * 1024;
        long total = 0;
        foreach (var entry in archive.Entries)
        {
            if (IFileSet.UnsafePathProblem(entry.FullName) is { } unsafePath)
            {
                yield return new ImportIssue($"zip entry {entry.FullName}", unsafePath);
            }

            total += entry.Length;
            if (entry.CompressedLength > 0 && entry.Length / entry.CompressedLength > 200 && entry.Length > 16 * 1024 * 1024)
            {
                yield return new ImportIssue($"zip entry {entry.FullName}", $"inflates {entry.Length / entry.CompressedLength}-fold to {entry.Length / 1048576} MiB: refused as a zip bomb");
            }
        }

        if (total > limit)
        {
            yield return new ImportIssue(Path.GetFileName(zipPath), $"inflates to {total / 1048576} MiB, more than the {options.MaxZipUncompressedMb} MiB allowed (Registry:MaxZipUncompressedMb)");
        }
    }

    public string? Check(string relativePath) =>
        IFileSet.UnsafePathProblem(relativePath) ?? (archive.GetEntry(relativePath.Replace('\\', '/')) is null ? $"'{relativePath}' is not in the zip" : null);

    public byte[] Read(string relativePath) => ReadEntry(archive.GetEntry(relativePath.Replace('\\', '/'))!, 256L * 1024 * 1024);

    private static byte[] ReadEntry(ZipArchiveEntry entry, long limit)
    {
        if (entry.Length > limit)
        {
            throw new InvalidDataException($"{entry.FullName} inflates to {entry.Length / 1048576} MiB, more than {limit / 1048576} MiB");
        }

        using var stream = entry.Open();
        using var buffer = new MemoryStream((int)entry.Length);
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > entry.Length)
            {
                throw new InvalidDataException($"{entry.FullName} inflates to more than the {entry.Length} bytes it declares");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public void Dispose() => archive.Dispose();
}
