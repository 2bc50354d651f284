using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;
using QualityHub.Inference;
using QualityHub.Inference.Tasks;

namespace QualityHub.Worker;

/// <summary>The protocol's data types by name, and FP32 tensors to and from the raw little-endian bytes it carries.</summary>
public static class TensorData
{
    public const string Fp32 = "FP32";

    /// <summary>The protocol's name for an ONNX element type (its specification's table of tensor data types).</summary>
    public static string DatatypeOf(TensorElementType type) => type switch
    {
        TensorElementType.Bool => "BOOL",
        TensorElementType.UInt8 => "UINT8",
        TensorElementType.UInt16 => "UINT16",
        TensorElementType.UInt32 => "UINT32",
        TensorElementType.UInt64 => "UINT64",
        TensorElementType.Int8 => "INT8",
        TensorElementType.Int16 => "INT16",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.Float16 => "FP16",
        TensorElementType.Float => Fp32,
        TensorElementType.Double => "FP64",
        TensorElementType.String => "BYTES",
        TensorElementType.BFloat16 => "BF16",
        _ => type.ToString().ToUpperInvariant(),
    };

    /// <summary>Raw little-endian bytes of <paramref name="values"/>, copied once into the message.</summary>
    public static ByteString RawOf(ReadOnlySpan<float> values) => ByteString.CopyFrom(MemoryMarshal.AsBytes(values));

    /// <summary>
    /// The raw little-endian bytes of <paramref name="values"/> without a copy: the message reads the array itself, so
    /// the array must not change until the message is sent. A batch's input is past 85 KB; a copy per request would
    /// land on the large-object heap and its collections would take the cores the model needs.
    /// </summary>
    public static ByteString RawView(float[] values) => UnsafeByteOperations.UnsafeWrap(new FloatBytes(values).Memory);

    /// <summary>
    /// The floats in raw little-endian bytes, in a buffer of <paramref name="pool"/> (to give back once nothing reads
    /// it); null when the byte count is not <paramref name="count"/> floats.
    /// </summary>
    public static float[]? FloatsOf(ByteString raw, int count, BatchBufferPool pool)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(pool);
        if (count < 0 || raw.Length != (long)count * sizeof(float))
        {
            return null;
        }

        var values = pool.Rent(count);
        raw.Span.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    // The bytes of a float array as memory a ByteString can hold.
    private sealed class FloatBytes(float[] values) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(values.AsSpan());

        public override unsafe MemoryHandle Pin(int elementIndex = 0)
        {
            var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
            return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    /// <summary>The floats in raw little-endian bytes; null when the byte count is not a whole number of floats.</summary>
    public static float[]? FloatsOf(ByteString raw)
    {
        if (raw.Length % sizeof(float) != 0)
        {
            return null;
        }

        var values = new float[raw.Length / sizeof(float)];
        raw.Span.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>The number of elements of a shape; -1 when a dimension is negative or the count overflows.</summary>
    public static long ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                return -1;
            }

            try
            {
                count = checked(count * d);
            }
            catch (OverflowException)
            {
                return -1;
            }
        }

        return count;
    }

    public static string Describe(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
