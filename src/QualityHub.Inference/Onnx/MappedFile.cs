using System.IO.MemoryMappedFiles;

namespace QualityHub.Inference.Onnx;

/// <summary>Reads a model file through a memory map, so a model of hundreds of MB is never copied into managed memory.</summary>
/// <remarks>
/// The file must not be truncated while it is read (on Linux touching a mapped page past the new end kills the
/// process), so read files that are written once and then moved into place, as a model store does.
/// </remarks>
internal static class MappedFile
{
    /// <summary>What a reader makes of the file's bytes.</summary>
    public delegate T SpanReader<out T>(ReadOnlySpan<byte> bytes);

    public static unsafe T Read<T>(string path, SpanReader<T> read)
    {
        var length = new FileInfo(path).Length;
        if (length == 0)
        {
            return read([]);
        }

        if (length > int.MaxValue)
        {
            // No path in the message: it may reach a user, and the path is the server's business.
            throw new OnnxFormatException($"not an ONNX model: the file is {length} bytes, above protobuf's 2 GB limit for a model file");
        }

        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        var handle = view.SafeMemoryMappedViewHandle;
        byte* pointer = null;
        handle.AcquirePointer(ref pointer);
        try
        {
            return read(new ReadOnlySpan<byte>(pointer + view.PointerOffset, (int)length));
        }
        finally
        {
            handle.ReleasePointer();
        }
    }
}
