using System.Runtime.InteropServices;

namespace QualityHub.Data.Registry;

/// <summary>What a path names on disk, a symbolic link at its end not followed.</summary>
internal enum EntryKind
{
    Missing,
    File,
    Directory,
    SymbolicLink,

    /// <summary>A device, FIFO or socket: reading one may never end (<c>/dev/zero</c>) or never begin (a FIFO).</summary>
    Other,
}

/// <summary>
/// Paths as the operating system opens them. <see cref="Path.GetFullPath(string)"/> is not enough to confine a path:
/// it takes '..' lexically, while the kernel takes it after following the symbolic link before it, and it follows no
/// links at all. <see cref="Resolve"/> walks the path part by part as the kernel does.
/// </summary>
internal static partial class PhysicalPaths
{
    // Linux's own limit before ELOOP.
    private const int MaxLinks = 40;

    // statx(2) rather than lstat(2): its struct statx has one layout on every Linux architecture, struct stat does not.
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int DirectoryType = 0x4000;
    private const int SymbolicLinkType = 0xA000;
    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    /// <summary>
    /// The real path of <paramref name="path"/> (absolute): every symbolic link followed, every '..' taken physically,
    /// and what it names. When a part is missing, the path it would have (the real part that exists, then the rest
    /// taken lexically) and <see cref="EntryKind.Missing"/>.
    /// </summary>
    public static (string Path, EntryKind Kind) Resolve(string path)
    {
        var current = System.IO.Path.GetPathRoot(path);
        if (string.IsNullOrEmpty(current))
        {
            throw new ArgumentException($"'{path}' is not an absolute path.", nameof(path));
        }

        var pending = new Stack<string>();
        PushParts(pending, path[current.Length..]);
        var kind = EntryKind.Directory;
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = System.IO.Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = System.IO.Path.Join(current, part);
            kind = KindOf(next);
            if (kind == EntryKind.SymbolicLink)
            {
                if (++links > MaxLinks)
                {
                    throw new IOException("The path has more than 40 symbolic links in a row (a loop?).");
                }

                // The link's own text, not ResolveLinkTarget's full path, which would take a '..' in it lexically.
                var target = new FileInfo(next).LinkTarget ?? "";
                if (System.IO.Path.GetPathRoot(target) is { Length: > 0 } root)
                {
                    (current, target) = (root, target[root.Length..]);
                }

                PushParts(pending, target);
                continue;
            }

            // A missing part, or a file with more parts after it, ends the walk where the kernel would fail.
            if (kind == EntryKind.Missing || (kind != EntryKind.Directory && pending.Count > 0))
            {
                return (System.IO.Path.GetFullPath(System.IO.Path.Join([next, .. pending])), EntryKind.Missing);
            }

            current = next;
        }

        return (current, kind);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or lies under it (both full paths).</summary>
    public static bool IsInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var trimmed = System.IO.Path.TrimEndingDirectorySeparator(folder);
        var prefix = System.IO.Path.EndsInDirectorySeparator(trimmed) ? trimmed : trimmed + System.IO.Path.DirectorySeparatorChar;
        return path.Equals(trimmed, comparison) || path.StartsWith(prefix, comparison);
    }

    /// <summary>What <paramref name="path"/> names, without following a symbolic link at its end.</summary>
    public static EntryKind KindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere .NET tells links, folders and files apart, but not devices or FIFOs from files; the app runs on Linux.
            var info = new FileInfo(path);
            return info.LinkTarget is not null ? EntryKind.SymbolicLink
                : info.Exists ? EntryKind.File
                : Directory.Exists(path) ? EntryKind.Directory
                : EntryKind.Missing;
        }

        var buffer = new byte[StatxSize];
        if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error is ENoEnt or ENotDir ? EntryKind.Missing : throw new IOException($"The path cannot be examined (error {error}).");
        }

        return (BitConverter.ToUInt16(buffer, StatxModeOffset) & FileTypeMask) switch
        {
            RegularFile => EntryKind.File,
            DirectoryType => EntryKind.Directory,
            SymbolicLinkType => EntryKind.SymbolicLink,
            _ => EntryKind.Other,
        };
    }

    private static void PushParts(Stack<string> pending, string relative)
    {
        var parts = relative.Split(['/', System.IO.Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte[] buffer);
}
