using System.Runtime.InteropServices;
using Ort = Microsoft.ML.OnnxRuntime;

namespace QualityHub.Inference;

/// <summary>
/// A dense tensor over managed memory that ONNX Runtime reads and writes in place: the array is pinned for as
/// long as the tensor lives, and the native OrtValue over it is created once and reused by every Run.
/// Dispose it to unpin the array and release the native value.
/// </summary>
public sealed unsafe class Tensor : IDisposable
{
    private readonly long[] shape;
    private GCHandle pin;
    private Ort.OrtValue? value;

    private Tensor(Array data, TensorElementType elementType, long[] shape)
    {
        Data = data;
        ElementType = elementType;
        this.shape = shape;
        ElementCount = ElementCountOf(shape);
        if (ElementCount != data.LongLength)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {ElementCount} elements but the data has {data.LongLength}.", nameof(shape));
        }

        pin = GCHandle.Alloc(data, GCHandleType.Pinned);
    }

    public TensorElementType ElementType { get; }

    public ReadOnlySpan<long> Shape => shape;

    public long ElementCount { get; }

    internal bool IsDisposed => !pin.IsAllocated;

    /// <summary>The managed array holding the elements (e.g. float[]).</summary>
    public Array Data { get; }

    /// <summary>A tensor over <paramref name="data"/> (not copied) with the given shape.</summary>
    public static Tensor Create<T>(T[] data, params long[] shape)
        where T : unmanaged => new(data, TensorElementTypes.Of<T>(), (long[])shape.Clone());

    /// <summary>A zero-filled tensor of the given shape.</summary>
    public static Tensor Zeros<T>(params long[] shape)
        where T : unmanaged => new(new T[checked((int)ElementCountOf(shape))], TensorElementTypes.Of<T>(), (long[])shape.Clone());

    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        if (Data is not T[] array)
        {
            throw new InvalidOperationException($"This tensor holds {ElementType}, not {typeof(T).Name}.");
        }

        return array;
    }

    /// <summary>The native value over this tensor's memory (not a copy), created on first use and reused by every Run.</summary>
    internal Ort.OrtValue OrtValue
    {
        get
        {
            ObjectDisposedException.ThrowIf(!pin.IsAllocated, this);
            return value ??= Ort.OrtValue.CreateTensorValueWithData(
                Ort.OrtMemoryInfo.DefaultInstance, (Ort.Tensors.TensorElementType)ElementType, shape,
                pin.AddrOfPinnedObject(), ElementCount * TensorElementTypes.SizeOf(ElementType));
        }
    }

    /// <summary>Copies an ORT-owned tensor value into a new managed tensor.</summary>
    internal static Tensor CopyFrom(Ort.OrtValue ortValue)
    {
        if (!ortValue.IsTensor)
        {
            throw new NotSupportedException("The model produced a sequence or map; QualityHub reads tensor outputs only.");
        }

        var info = ortValue.GetTensorTypeAndShape();
        var type = (TensorElementType)info.ElementDataType;
        var dims = info.Shape;
        var count = checked((int)ElementCountOf(dims));
        var array = NewArray(type, count);
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            var source = ortValue.GetTensorMutableRawData();
            source.CopyTo(new Span<byte>((void*)handle.AddrOfPinnedObject(), source.Length));
        }
        finally
        {
            handle.Free();
        }

        return new Tensor(array, type, dims);
    }

    private static Array NewArray(TensorElementType type, int count) => type switch
    {
        TensorElementType.Float => new float[count],
        TensorElementType.Double => new double[count],
        TensorElementType.Int8 => new sbyte[count],
        TensorElementType.UInt8 => new byte[count],
        TensorElementType.Int16 => new short[count],
        TensorElementType.UInt16 => new ushort[count],
        TensorElementType.Int32 => new int[count],
        TensorElementType.UInt32 => new uint[count],
        TensorElementType.Int64 => new long[count],
        TensorElementType.UInt64 => new ulong[count],
        TensorElementType.Bool => new bool[count],
        TensorElementType.Float16 => new Half[count],
        _ => throw new NotSupportedException($"Tensors of {type} are not supported by QualityHub's engine."),
    };

    /// <summary>A tensor of any supported element type over a copy of raw little-endian element bytes.</summary>
    public static Tensor FromBytes(TensorElementType type, ReadOnlySpan<byte> bytes, params long[] shape)
    {
        var count = checked((int)ElementCountOf(shape));
        var size = TensorElementTypes.SizeOf(type);
        if (size == 0 || (long)count * size != bytes.Length)
        {
            throw new ArgumentException($"{bytes.Length} bytes do not make {count} elements of {type}.", nameof(bytes));
        }

        var array = NewArray(type, count);
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            bytes.CopyTo(new Span<byte>((void*)handle.AddrOfPinnedObject(), bytes.Length));
        }
        finally
        {
            handle.Free();
        }

        return new Tensor(array, type, (long[])shape.Clone());
    }

    /// <summary>The elements' bytes, little-endian, as ORT holds them.</summary>
    public ReadOnlySpan<byte> AsBytes()
    {
        ObjectDisposedException.ThrowIf(!pin.IsAllocated, this);
        return new ReadOnlySpan<byte>((void*)pin.AddrOfPinnedObject(), checked((int)(ElementCount * TensorElementTypes.SizeOf(ElementType))));
    }

    /// <summary>The number of elements of a shape (1 for a scalar); throws for negative dimensions.</summary>
    public static long ElementCountOf(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Dimension {dim} is negative; a tensor needs a concrete shape.");
            }

            count = checked(count * dim);
        }

        return count;
    }

    public void Dispose()
    {
        value?.Dispose();
        value = null;
        if (pin.IsAllocated)
        {
            pin.Free();
        }

        GC.SuppressFinalize(this);
    }

    // A tensor nobody disposed must not keep its array pinned forever; the OrtValue has its own finalizer.
    ~Tensor()
    {
        if (pin.IsAllocated)
        {
            pin.Free();
        }
    }
}
