using System.Runtime.InteropServices;
using Google.Protobuf;
using QualityHub.Inference;

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
