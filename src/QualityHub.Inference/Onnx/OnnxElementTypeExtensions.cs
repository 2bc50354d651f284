namespace QualityHub.Inference.Onnx;

/// <summary>Sizes and ONNX names of <see cref="OnnxElementType"/> values.</summary>
public static class OnnxElementTypeExtensions
{
    /// <summary>Bits one element takes in a tensor buffer; 0 for strings (variable) and for unknown types.</summary>
    public static int SizeInBits(this OnnxElementType type) => type switch
    {
        OnnxElementType.UInt4 or OnnxElementType.Int4 or OnnxElementType.Float4E2M1 => 4,
        OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Bool
            or OnnxElementType.Float8E4M3FN or OnnxElementType.Float8E4M3FNUZ
            or OnnxElementType.Float8E5M2 or OnnxElementType.Float8E5M2FNUZ => 8,
        OnnxElementType.UInt16 or OnnxElementType.Int16 or OnnxElementType.Float16 or OnnxElementType.BFloat16 => 16,
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 32,
        OnnxElementType.Int64 or OnnxElementType.UInt64 or OnnxElementType.Double or OnnxElementType.Complex64 => 64,
        OnnxElementType.Complex128 => 128,
        _ => 0,
    };

    /// <summary>The name ONNX uses in type strings such as tensor(float).</summary>
    public static string OnnxName(this OnnxElementType type) => type switch
    {
        OnnxElementType.Float => "float",
        OnnxElementType.UInt8 => "uint8",
        OnnxElementType.Int8 => "int8",
        OnnxElementType.UInt16 => "uint16",
        OnnxElementType.Int16 => "int16",
        OnnxElementType.Int32 => "int32",
        OnnxElementType.Int64 => "int64",
        OnnxElementType.String => "string",
        OnnxElementType.Bool => "bool",
        OnnxElementType.Float16 => "float16",
        OnnxElementType.Double => "double",
        OnnxElementType.UInt32 => "uint32",
        OnnxElementType.UInt64 => "uint64",
        OnnxElementType.Complex64 => "complex64",
        OnnxElementType.Complex128 => "complex128",
        OnnxElementType.BFloat16 => "bfloat16",
        OnnxElementType.Float8E4M3FN => "float8e4m3fn",
        OnnxElementType.Float8E4M3FNUZ => "float8e4m3fnuz",
        OnnxElementType.Float8E5M2 => "float8e5m2",
        OnnxElementType.Float8E5M2FNUZ => "float8e5m2fnuz",
        OnnxElementType.UInt4 => "uint4",
        OnnxElementType.Int4 => "int4",
        OnnxElementType.Float4E2M1 => "float4e2m1",
        OnnxElementType.Undefined => "undefined",
        _ => $"type {(int)type}",
    };

    /// <summary>Bytes that <paramref name="elements"/> elements take in a tensor buffer; 4-bit types pack two per byte.</summary>
    internal static long ByteCount(this OnnxElementType type, long elements)
    {
        var bits = type.SizeInBits();
        return bits == 4 ? (elements + 1) / 2 : checked(elements * (bits / 8));
    }
}
