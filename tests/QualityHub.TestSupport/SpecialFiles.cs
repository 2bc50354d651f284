using System.Diagnostics;

namespace QualityHub.TestSupport;

/// <summary>Files that are hostile to read: FIFOs (opening one blocks until a writer comes) and huge sparse files.</summary>
public static class SpecialFiles
{
    /// <summary>Makes a FIFO at <paramref name="path"/> with mkfifo(1), which every Linux has.</summary>
    public static string Fifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} exited with {mkfifo.ExitCode}.");
        }

        return path;
    }

    /// <summary>A file of <paramref name="length"/> zero bytes that takes no disk space (a sparse file).</summary>
    public static string Sparse(string path, long length)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.SetLength(length);
        return path;
    }
}
