using System.IO.Compression;
using QualityHub.Inference.Imaging;

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

/// <summary>
/// Files in a folder. A file named must stay inside the folder once its symbolic links are followed, and be a regular
/// file: a link out of the folder, a device, a FIFO or a socket is refused before anything is opened, and a file is read
/// no further than the image limit.
/// </summary>
internal sealed class FolderFiles : IFileSet
{
    private readonly ImportFile folder;
    private readonly ByteLimit imageLimit;
    private readonly string? root;

    public FolderFiles(ImportFile folder, ByteLimit imageLimit)
    {
        (this.folder, this.imageLimit) = (folder, imageLimit);
        var (real, kind) = PhysicalPaths.Resolve(Path.GetFullPath(folder.Path));
        root = kind == EntryKind.Directory ? real : null;
    }

    public IEnumerable<ImportIssue> Precheck(RegistryOptions options) =>
        root is null ? [new ImportIssue(folder.Name, "the folder does not exist")] : [];

    public string? Check(string relativePath) => IFileSet.UnsafePathProblem(relativePath) ?? Locate(relativePath).Problem;

    public byte[] Read(string relativePath)
    {
        // Checked again: the file may have changed since Check.
        var (path, problem) = Locate(relativePath);
        return problem is null ? ImportFiles.ReadAllBytes(new ImportFile(path, $"'{relativePath}'"), imageLimit) : throw new IOException(problem);
    }

    private (string Path, string? Problem) Locate(string relativePath)
    {
        if (root is null)
        {
            return ("", "the folder does not exist");
        }

        if (IFileSet.UnsafePathProblem(relativePath) is { } unsafePath)
        {
            return ("", unsafePath);
        }

        var (path, kind) = PhysicalPaths.Resolve(Path.Join(root, relativePath));
        return (path, !PhysicalPaths.IsInside(path, root) ? $"'{relativePath}' leads out of the folder through a symbolic link; only files inside the import are allowed"
            : kind switch
            {
                EntryKind.File => null,
                EntryKind.Missing => $"'{relativePath}' does not exist",
                EntryKind.Directory => $"'{relativePath}' is a folder, not an image file",
                _ => $"'{relativePath}' is not a regular file (a device, FIFO or socket); only regular files are read",
            });
    }

    public void Dispose()
    {
    }
}

/// <summary>Entries of a zip: a labels file is read no further than the labels limit, an image no further than the image limit.</summary>
internal sealed class ZipFiles : IFileSet
{
    private readonly ZipArchive archive;
    private readonly string zipName;
    private readonly ImportLimits limits;

    public ZipFiles(ImportFile zip, ImportLimits limits)
    {
        (zipName, this.limits) = (Path.GetFileName(zip.Path), limits);
        var stream = ImportFiles.OpenRead(zip);
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public string? TryReadText(string name) =>
        archive.GetEntry(name) is { } entry ? System.Text.Encoding.UTF8.GetString(ReadEntry(entry, limits.LabelsFile)) : null;

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
            yield return new ImportIssue(zipName, $"inflates to {total / 1048576} MiB, more than the {options.MaxZipUncompressedMb} MiB allowed (Registry:MaxZipUncompressedMb)");
        }
    }

    public string? Check(string relativePath) =>
        IFileSet.UnsafePathProblem(relativePath) ?? (archive.GetEntry(relativePath.Replace('\\', '/')) is null ? $"'{relativePath}' is not in the zip" : null);

    public byte[] Read(string relativePath) => ReadEntry(archive.GetEntry(relativePath.Replace('\\', '/'))!, limits.ImageFile);

    // The declared size is checked first; the reading below stops at it, so an entry lying about its size gains nothing.
    private static byte[] ReadEntry(ZipArchiveEntry entry, ByteLimit limit)
    {
        if (entry.Length > limit.Bytes)
        {
            throw ImportFiles.TooLarge(entry.FullName, limit, entry.Length);
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
