using QualityHub.Inference.Onnx;

namespace QualityHub.Inference;

/// <summary>Tensor element types, numbered as ONNX's TensorProto.DataType (and ORT's ONNXTensorElementDataType).</summary>
public enum TensorElementType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
    Float8E4M3FN = 17,
    Float8E4M3FNUZ = 18,
    Float8E5M2 = 19,
    Float8E5M2FNUZ = 20,
    UInt4 = 21,
    Int4 = 22,
    Float4E2M1 = 23,
}

/// <summary>Sizes and .NET types of tensor elements.</summary>
public static class TensorElementTypes
{
    /// <summary>Bytes per element, or 0 for types without a whole-byte fixed size (string, 4-bit, undefined).</summary>
    public static int SizeOf(TensorElementType type) => type.SizeInBits() is var bits && bits % 8 == 0 ? bits / 8 : 0;

    /// <summary>The element type a .NET type maps to; throws for types ORT tensors cannot hold.</summary>
    public static TensorElementType Of<T>()
        where T : unmanaged => typeof(T) switch
        {
            var t when t == typeof(float) => TensorElementType.Float,
            var t when t == typeof(double) => TensorElementType.Double,
            var t when t == typeof(sbyte) => TensorElementType.Int8,
            var t when t == typeof(byte) => TensorElementType.UInt8,
            var t when t == typeof(short) => TensorElementType.Int16,
            var t when t == typeof(ushort) => TensorElementType.UInt16,
            var t when t == typeof(int) => TensorElementType.Int32,
            var t when t == typeof(uint) => TensorElementType.UInt32,
            var t when t == typeof(long) => TensorElementType.Int64,
            var t when t == typeof(ulong) => TensorElementType.UInt64,
            var t when t == typeof(bool) => TensorElementType.Bool,
            var t when t == typeof(Half) => TensorElementType.Float16,
            _ => throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type."),
        };
}
