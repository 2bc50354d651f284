using System.Buffers.Binary;
using System.Text;

namespace QualityHub.Inference.Onnx;

/// <summary>Decodes an ONNX TensorProto (a backend test's input_0.pb, an initializer) into an <see cref="OnnxTensor"/>.</summary>
/// <remarks>
/// Data comes from raw_data when present, else from the typed field ONNX assigns to the element type: int32_data
/// for every type of 16 bits or fewer (one value per element, or one byte of two 4-bit elements per value),
/// uint64_data for uint32/uint64, float_data for float and complex64, double_data for double and complex128.
/// </remarks>
public static class TensorProtoReader
{
    private const string Message = "TensorProto";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static OnnxTensor Read(ReadOnlySpan<byte> message) => Read(new ProtoReader(message, Message));

    internal static OnnxTensor Read(ProtoReader reader)
    {
        var fields = ReadFields(reader, withData: true);
        var label = fields.Name.Length > 0 ? $"tensor '{fields.Name}'" : "unnamed tensor";
        var type = ElementTypeOf(fields.DataType, label);
        CheckLocation(fields.DataLocation, label);
        var shape = fields.Dims.ToArray();
        var count = ElementCount(shape, label);
        var what = $"{label} has shape {Describe(shape)} ({count} {type.OnnxName()} elements)";
        CheckOnlyCarrierIsUsed(fields, type, what);

        if (type == TensorElementType.String)
        {
            if (fields.HasRawData)
            {
                throw Malformed($"{label} is a string tensor with raw_data; ONNX keeps strings in string_data");
            }

            var strings = fields.StringData ?? [];
            return strings.Count == count
                ? new OnnxTensor(fields.Name, type, shape, [], [.. strings])
                : throw Malformed($"{what} but string_data holds {strings.Count}");
        }

        var data = fields.HasRawData ? FromRawData(fields.RawData, type, count, what) : FromTypedData(fields, type, count, what);
        return new OnnxTensor(fields.Name, type, shape, data, null);
    }

    /// <summary>Name and element count of a tensor without decoding its data: how initializers are counted.</summary>
    internal static (string Name, long ElementCount) ReadNameAndCount(ProtoReader reader)
    {
        var fields = ReadFields(reader, withData: false);
        var label = fields.Name.Length > 0 ? $"tensor '{fields.Name}'" : "unnamed tensor";
        return (fields.Name, ElementCount(fields.Dims, label));
    }

    /// <summary>Product of the dimensions (1 for a scalar), refusing negative sizes and shapes too large to address.</summary>
    internal static long ElementCount(IReadOnlyList<long> dims, string label)
    {
        var count = 1L;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw Malformed($"{label} has negative dimension {dim} in shape {Describe(dims)}");
            }

            // The bound keeps byte counts (up to 16 bytes an element) inside a long, whatever the element type.
            if (dim != 0 && count > long.MaxValue / 16 / dim)
            {
                throw Malformed($"{label} has shape {Describe(dims)}, too many elements to address");
            }

            count *= dim;
        }

        return count;
    }

    internal static string Describe(IEnumerable<long> shape) => $"[{string.Join(",", shape)}]";

    private static TensorFields ReadFields(ProtoReader reader, bool withData)
    {
        var fields = new TensorFields { Name = "", Dims = [] };
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    reader.ReadRepeatedInt64(field, "dims", fields.Dims);
                    break;
                case 2:
                    fields.DataType = reader.ReadInt32(field, "data_type");
                    break;
                case 8:
                    fields.Name = reader.ReadString(field, "name");
                    break;
                case 9:
                    // A slice of the input, so even the header-only read of a huge initializer copies nothing.
                    fields.RawData = reader.ReadBytes(field, "raw_data");
                    fields.HasRawData = true;
                    break;
                case 14:
                    fields.DataLocation = reader.ReadInt32(field, "data_location");
                    break;
                case 4 when withData:
                    reader.ReadRepeatedFixed32(field, "float_data", fields.FloatData ??= []);
                    break;
                case 5 when withData:
                    reader.ReadRepeatedInt32(field, "int32_data", fields.Int32Data ??= []);
                    break;
                case 6 when withData:
                    fields.StringData ??= [];
                    fields.StringData.Add(DecodeString(reader.ReadBytes(field, "string_data"), fields.StringData.Count));
                    break;
                case 7 when withData:
                    reader.ReadRepeatedInt64(field, "int64_data", fields.Int64Data ??= []);
                    break;
                case 10 when withData:
                    reader.ReadRepeatedFixed64(field, "double_data", fields.DoubleData ??= []);
                    break;
                case 11 when withData:
                    reader.ReadRepeatedUInt64(field, "uint64_data", fields.UInt64Data ??= []);
                    break;
                default:
                    // segment (3), doc_string (12), external_data (13) and fields newer than this reader.
                    reader.Skip(field);
                    break;
            }
        }

        return fields;
    }

    private static TensorElementType ElementTypeOf(int dataType, string label)
    {
        if (dataType == 0)
        {
            throw Malformed($"{label} has no data_type");
        }

        if (dataType < 0)
        {
            throw Malformed($"{label} has invalid data_type {dataType}");
        }

        return Enum.IsDefined((TensorElementType)dataType)
            ? (TensorElementType)dataType
            : throw new OnnxUnsupportedException($"{Message}: {label} has element type {dataType}, which QualityHub does not read");
    }

    private static void CheckLocation(int dataLocation, string label)
    {
        switch (dataLocation)
        {
            case 0:
                return;
            case 1:
                throw new OnnxUnsupportedException($"{Message}: {label} keeps its data in an external file (data_location EXTERNAL), which is not supported");
            default:
                throw Malformed($"{label} has data_location {dataLocation}; ONNX defines only DEFAULT (0) and EXTERNAL (1)");
        }
    }

    /// <summary>The typed field ONNX assigns to an element type.</summary>
    private static string CarrierOf(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Complex64 => "float_data",
        TensorElementType.Double or TensorElementType.Complex128 => "double_data",
        TensorElementType.Int64 => "int64_data",
        TensorElementType.UInt32 or TensorElementType.UInt64 => "uint64_data",
        TensorElementType.String => "string_data",
        _ => "int32_data",
    };

    private static void CheckOnlyCarrierIsUsed(TensorFields fields, TensorElementType type, string what)
    {
        var carrier = CarrierOf(type);
        foreach (var (name, count) in fields.TypedFieldCounts())
        {
            if (count > 0 && name != carrier)
            {
                throw Malformed($"{what} but carries {name}, which ONNX does not use for {type.OnnxName()} (it uses {carrier})");
            }
        }
    }

    private static byte[] FromRawData(ReadOnlySpan<byte> raw, TensorElementType type, long count, string what)
    {
        var expected = type.ByteCount(count);
        return raw.Length == expected
            ? raw.ToArray()
            : throw Malformed($"{what}, which take {expected} bytes, but raw_data holds {raw.Length}");
    }

    private static byte[] FromTypedData(TensorFields fields, TensorElementType type, long count, string what)
    {
        var carrier = CarrierOf(type);
        var expected = type switch
        {
            TensorElementType.Complex64 or TensorElementType.Complex128 => count * 2,
            _ when type.SizeInBits() == 4 => (count + 1) / 2,
            _ => count,
        };
        var held = fields.TypedFieldCounts().First(f => f.Name == carrier).Count;
        if (held != expected)
        {
            throw Malformed($"{what}, which need {expected} {carrier} values, but {carrier} holds {held}");
        }

        var data = new byte[type.ByteCount(count)];
        switch (carrier)
        {
            case "float_data":
                Write(fields.FloatData, data, 4, BinaryPrimitives.WriteUInt32LittleEndian);
                break;
            case "double_data":
                Write(fields.DoubleData, data, 8, BinaryPrimitives.WriteUInt64LittleEndian);
                break;
            case "int64_data":
                Write(fields.Int64Data, data, 8, BinaryPrimitives.WriteInt64LittleEndian);
                break;
            case "uint64_data" when type == TensorElementType.UInt32:
                Write(fields.UInt64Data, data, 4, (span, value) => BinaryPrimitives.WriteUInt32LittleEndian(span, value <= uint.MaxValue
                    ? (uint)value
                    : throw Malformed($"uint64_data value {value} is out of range for uint32")));
                break;
            case "uint64_data":
                Write(fields.UInt64Data, data, 8, BinaryPrimitives.WriteUInt64LittleEndian);
                break;
            default:
                WriteNarrowed(fields.Int32Data, data, type);
                break;
        }

        return data;
    }

    private static void Write<T>(List<T>? values, byte[] data, int size, Action<Span<byte>, T> write)
    {
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            write(data.AsSpan(i * size, size), values![i]);
        }
    }

    /// <summary>Narrows int32_data to the element type's width, refusing values the type cannot hold.</summary>
    private static void WriteNarrowed(List<int>? values, byte[] data, TensorElementType type)
    {
        var (min, max) = type switch
        {
            TensorElementType.Int32 => (int.MinValue, int.MaxValue),
            TensorElementType.Int16 => (short.MinValue, short.MaxValue),
            TensorElementType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            TensorElementType.Bool => (0, 1),
            // float16, bfloat16 and uint16 travel as their 16-bit patterns; float8 and packed 4-bit pairs as bytes.
            _ when type.SizeInBits() == 16 => (0, ushort.MaxValue),
            _ => (0, byte.MaxValue),
        };
        var size = Math.Max(1, type.SizeInBits() / 8);
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            var value = values![i];
            if (value < min || value > max)
            {
                throw Malformed($"int32_data value {value} (at index {i}) is out of range for {type.OnnxName()}");
            }

            var target = data.AsSpan(i * size, size);
            switch (size)
            {
                case 1:
                    target[0] = (byte)value;
                    break;
                case 2:
                    BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)value);
                    break;
                default:
                    BinaryPrimitives.WriteInt32LittleEndian(target, value);
                    break;
            }
        }
    }

    private static string DecodeString(ReadOnlySpan<byte> bytes, int index)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // ONNX strings are arbitrary bytes; ours are .NET strings, so non-UTF-8 text cannot be carried faithfully.
            throw new OnnxUnsupportedException($"{Message}: string_data element {index} is not valid UTF-8, which QualityHub does not read");
        }
    }

    private static OnnxFormatException Malformed(string problem) => new($"{Message}: {problem}");

    /// <summary>The fields of one TensorProto as read, before they are checked against each other.</summary>
    private ref struct TensorFields
    {
        public string Name;
        public int DataType;
        public List<long> Dims;
        public int DataLocation;
        public bool HasRawData;
        public ReadOnlySpan<byte> RawData;
        public List<uint>? FloatData;
        public List<int>? Int32Data;
        public List<string>? StringData;
        public List<long>? Int64Data;
        public List<ulong>? DoubleData;
        public List<ulong>? UInt64Data;

        public readonly (string Name, int Count)[] TypedFieldCounts() =>
        [
            ("float_data", FloatData?.Count ?? 0),
            ("int32_data", Int32Data?.Count ?? 0),
            ("string_data", StringData?.Count ?? 0),
            ("int64_data", Int64Data?.Count ?? 0),
            ("double_data", DoubleData?.Count ?? 0),
            ("uint64_data", UInt64Data?.Count ?? 0),
        ];
    }
}
