namespace QualityHub.Inference.Onnx;

/// <summary>Sizes and ONNX names of <see cref="TensorElementType"/> values.</summary>
public static class TensorElementTypeExtensions
{
    /// <summary>Bits one element takes in a tensor buffer; 0 for strings (variable) and for unknown types.</summary>
    public static int SizeInBits(this TensorElementType type) => type switch
    {
        TensorElementType.UInt4 or TensorElementType.Int4 or TensorElementType.Float4E2M1 => 4,
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool
            or TensorElementType.Float8E4M3FN or TensorElementType.Float8E4M3FNUZ
            or TensorElementType.Float8E5M2 or TensorElementType.Float8E5M2FNUZ => 8,
        TensorElementType.UInt16 or TensorElementType.Int16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 16,
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 32,
        TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double or TensorElementType.Complex64 => 64,
        TensorElementType.Complex128 => 128,
        _ => 0,
    };

    /// <summary>The name ONNX uses in type strings such as tensor(float).</summary>
    public static string OnnxName(this TensorElementType type) => type switch
    {
        TensorElementType.Float => "float",
        TensorElementType.UInt8 => "uint8",
        TensorElementType.Int8 => "int8",
        TensorElementType.UInt16 => "uint16",
        TensorElementType.Int16 => "int16",
        TensorElementType.Int32 => "int32",
        TensorElementType.Int64 => "int64",
        TensorElementType.String => "string",
        TensorElementType.Bool => "bool",
        TensorElementType.Float16 => "float16",
        TensorElementType.Double => "double",
        TensorElementType.UInt32 => "uint32",
        TensorElementType.UInt64 => "uint64",
        TensorElementType.Complex64 => "complex64",
        TensorElementType.Complex128 => "complex128",
        TensorElementType.BFloat16 => "bfloat16",
        TensorElementType.Float8E4M3FN => "float8e4m3fn",
        TensorElementType.Float8E4M3FNUZ => "float8e4m3fnuz",
        TensorElementType.Float8E5M2 => "float8e5m2",
        TensorElementType.Float8E5M2FNUZ => "float8e5m2fnuz",
        TensorElementType.UInt4 => "uint4",
        TensorElementType.Int4 => "int4",
        TensorElementType.Float4E2M1 => "float4e2m1",
        TensorElementType.Undefined => "undefined",
        _ => $"type {(int)type}",
    };

    /// <summary>Bytes that <paramref name="elements"/> elements take in a tensor buffer; 4-bit types pack two per byte.</summary>
    internal static long ByteCount(this TensorElementType type, long elements)
    {
        var bits = type.SizeInBits();
        return bits == 4 ? (elements + 1) / 2 : checked(elements * (bits / 8));
    }
}
