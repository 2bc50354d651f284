using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QualityHub.Inference.Onnx;

/// <summary>A decoded ONNX tensor: element type, shape, and its elements as ORT-layout bytes or, for strings, as text.</summary>
/// <remarks>
/// <see cref="Data"/> holds the elements little-endian and densely packed in row-major order, two per byte for
/// the 4-bit types (first element in the low nibble), which is the buffer ONNX Runtime expects for a tensor.
/// </remarks>
public sealed class OnnxTensor
{
    public OnnxTensor(string name, TensorElementType elementType, long[] shape, byte[] data, string[]? strings)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
        Data = data;
        Strings = strings;
        ElementCount = shape.Aggregate(1L, (count, dim) => count * dim);
    }

    /// <summary>The tensor's name in the file; may be empty.</summary>
    public string Name { get; }

    public TensorElementType ElementType { get; }

    /// <summary>The dimensions; empty for a scalar.</summary>
    public long[] Shape { get; }

    public long ElementCount { get; }

    /// <summary>The element bytes (ORT layout); empty for string tensors.</summary>
    public byte[] Data { get; }

    /// <summary>The elements of a string tensor, decoded from UTF-8; null for every other element type.</summary>
    public string[]? Strings { get; }

    /// <summary>The elements as <typeparamref name="T"/>, which must have the element type's size (float for FLOAT, ushort for FLOAT16, …).</summary>
    public ReadOnlySpan<T> Values<T>()
        where T : unmanaged
    {
        var bits = ElementType.SizeInBits();
        if (bits < 8 || Unsafe.SizeOf<T>() * 8 != bits)
        {
            throw new InvalidOperationException($"A {ElementType.OnnxName()} tensor cannot be read as {typeof(T).Name} values.");
        }

        // Data is little-endian; every platform .NET and ONNX Runtime run on here is too.
        return MemoryMarshal.Cast<byte, T>(Data);
    }

    public override string ToString() => $"'{Name}' {ElementType.OnnxName()}[{string.Join(",", Shape)}]";
}
