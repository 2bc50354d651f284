using System.Buffers.Binary;
using System.Text;

namespace QualityHub.Inference.Onnx;

/// <summary>Reads protobuf wire format from a span; every malformation becomes an <see cref="OnnxFormatException"/>.</summary>
/// <remarks>
/// Length-delimited values come back as slices of the input, so skipping a 500 MB raw_data field costs nothing.
/// Offsets in error messages are counted from the start of the outermost buffer, whatever message is being read.
/// Every loop consumes at least one byte per step, so no input can make the reader spin.
/// </remarks>
internal ref struct ProtoReader
{
    /// <summary>Protobuf's own default recursion limit; anything deeper is hostile input, not a real model.</summary>
    public const int MaxDepth = 100;

    private const int MaxVarintBytes = 10;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> data;
    private readonly int origin;
    private readonly int depth;
    private int position;
    private int fieldStart;

    public ProtoReader(ReadOnlySpan<byte> data, string messageName)
        : this(data, messageName, origin: 0, depth: 0)
    {
    }

    private ProtoReader(ReadOnlySpan<byte> data, string messageName, int origin, int depth)
    {
        this.data = data;
        this.origin = origin;
        this.depth = depth;
        MessageName = messageName;
    }

    /// <summary>The protobuf message being read, named in every error.</summary>
    public string MessageName { get; }

    public readonly bool AtEnd => position >= data.Length;

    /// <summary>Reads the next tag, or returns false at the end of the message.</summary>
    public bool TryReadField(out ProtoField field)
    {
        if (AtEnd)
        {
            field = default;
            return false;
        }

        fieldStart = position;
        var tag = ReadVarint();
        var number = tag >> 3;
        var wireType = (int)(tag & 7);
        if (number == 0)
        {
            throw Malformed("field number 0 is not allowed", fieldStart);
        }

        if (number > (1 << 29) - 1)
        {
            throw Malformed($"field number {number} is above protobuf's maximum of 536870911", fieldStart);
        }

        if (wireType > (int)WireType.Fixed32)
        {
            throw Malformed($"field {number} has invalid wire type {wireType}", fieldStart);
        }

        field = new ProtoField((int)number, (WireType)wireType);
        return true;
    }

    public ulong ReadVarint()
    {
        var start = position;
        ulong value = 0;
        for (var i = 0; i < MaxVarintBytes; i++)
        {
            if (position >= data.Length)
            {
                throw Malformed("truncated varint", start);
            }

            var b = data[position++];
            if (i == MaxVarintBytes - 1)
            {
                if (b >= 0x80)
                {
                    throw Malformed("varint longer than 10 bytes", start);
                }

                // The tenth byte holds only bit 63; anything more is a value that does not fit in 64 bits.
                if (b > 1)
                {
                    throw Malformed("varint overflows 64 bits", start);
                }
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed("varint longer than 10 bytes", start);
    }

    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "fixed32"));

    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "fixed64"));

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var start = position;
        var length = ReadVarint();
        var left = data.Length - position;
        if (length > (ulong)left)
        {
            throw Malformed($"length {length} runs past the end ({left} bytes left)", start);
        }

        var value = data.Slice(position, (int)length);
        position += (int)length;
        return value;
    }

    public long ReadInt64(ProtoField field, string name)
    {
        Expect(field, WireType.Varint, name);
        return (long)ReadVarint();
    }

    public int ReadInt32(ProtoField field, string name)
    {
        Expect(field, WireType.Varint, name);
        var start = position;
        return ToInt32((long)ReadVarint(), name, start);
    }

    public ReadOnlySpan<byte> ReadBytes(ProtoField field, string name)
    {
        Expect(field, WireType.LengthDelimited, name);
        return ReadLengthDelimited();
    }

    public string ReadString(ProtoField field, string name)
    {
        var start = position;
        var bytes = ReadBytes(field, name);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed($"{name} is not valid UTF-8", start);
        }
    }

    /// <summary>Reads an embedded message, one level deeper than this one.</summary>
    public ProtoReader ReadMessage(ProtoField field, string name, string messageName)
    {
        var body = ReadBytes(field, name);
        if (depth + 1 > MaxDepth)
        {
            throw Malformed($"{name}: messages nested deeper than {MaxDepth} levels", fieldStart);
        }

        return new ProtoReader(body, messageName, origin + position - body.Length, depth + 1);
    }

    /// <summary>Appends one value of a repeated int64 field, packed or not.</summary>
    public void ReadRepeatedInt64(ProtoField field, string name, List<long> values)
    {
        if (IsSingle(field, WireType.Varint, name))
        {
            values.Add((long)ReadVarint());
            return;
        }

        var packed = ReadPacked(name, fixedSize: 0);
        while (!packed.AtEnd)
        {
            values.Add((long)packed.ReadVarint());
        }
    }

    public void ReadRepeatedUInt64(ProtoField field, string name, List<ulong> values)
    {
        if (IsSingle(field, WireType.Varint, name))
        {
            values.Add(ReadVarint());
            return;
        }

        var packed = ReadPacked(name, fixedSize: 0);
        while (!packed.AtEnd)
        {
            values.Add(packed.ReadVarint());
        }
    }

    public void ReadRepeatedInt32(ProtoField field, string name, List<int> values)
    {
        if (IsSingle(field, WireType.Varint, name))
        {
            var start = position;
            values.Add(ToInt32((long)ReadVarint(), name, start));
            return;
        }

        var packed = ReadPacked(name, fixedSize: 0);
        while (!packed.AtEnd)
        {
            var start = packed.position;
            values.Add(packed.ToInt32((long)packed.ReadVarint(), name, start));
        }
    }

    /// <summary>Appends the bits of a repeated float field (fixed32), packed or not; bits keep NaN payloads exact.</summary>
    public void ReadRepeatedFixed32(ProtoField field, string name, List<uint> values)
    {
        if (IsSingle(field, WireType.Fixed32, name))
        {
            values.Add(ReadFixed32());
            return;
        }

        var packed = ReadPacked(name, fixedSize: 4);
        while (!packed.AtEnd)
        {
            values.Add(packed.ReadFixed32());
        }
    }

    public void ReadRepeatedFixed64(ProtoField field, string name, List<ulong> values)
    {
        if (IsSingle(field, WireType.Fixed64, name))
        {
            values.Add(ReadFixed64());
            return;
        }

        var packed = ReadPacked(name, fixedSize: 8);
        while (!packed.AtEnd)
        {
            values.Add(packed.ReadFixed64());
        }
    }

    /// <summary>Skips a field this reader does not know, whatever its wire type.</summary>
    public void Skip(ProtoField field)
    {
        switch (field.WireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Take(8, "fixed64");
                break;
            case WireType.Fixed32:
                Take(4, "fixed32");
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.StartGroup:
                SkipGroup(field.Number, depth + 1);
                break;
            default:
                throw Malformed($"end-group for field {field.Number} without a start-group", fieldStart);
        }
    }

    /// <summary>An error about this message, pointing at the byte where the trouble starts.</summary>
    private readonly OnnxFormatException Malformed(string problem, int at) =>
        new($"{MessageName}: {problem} (at byte {(long)origin + at})");

    /// <summary>An error about the field just read.</summary>
    private readonly OnnxFormatException Malformed(string problem) => Malformed(problem, fieldStart);

    private void SkipGroup(int number, int groupDepth)
    {
        var start = fieldStart;
        if (groupDepth > MaxDepth)
        {
            throw Malformed($"groups nested deeper than {MaxDepth} levels", start);
        }

        while (TryReadField(out var inner))
        {
            if (inner.WireType == WireType.EndGroup)
            {
                if (inner.Number != number)
                {
                    throw Malformed($"end-group for field {inner.Number} closes the group of field {number}", fieldStart);
                }

                return;
            }

            if (inner.WireType == WireType.StartGroup)
            {
                SkipGroup(inner.Number, groupDepth + 1);
            }
            else
            {
                Skip(inner);
            }
        }

        throw Malformed($"group of field {number} is not closed", start);
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (data.Length - position < count)
        {
            throw Malformed($"truncated {what} ({data.Length - position} of {count} bytes left)", position);
        }

        var value = data.Slice(position, count);
        position += count;
        return value;
    }

    private readonly void Expect(ProtoField field, WireType expected, string name)
    {
        if (field.WireType != expected)
        {
            throw WrongWireType(field, name, Describe(expected));
        }
    }

    /// <summary>True for one unpacked value; false when the field is a packed run (length-delimited).</summary>
    private readonly bool IsSingle(ProtoField field, WireType element, string name)
    {
        if (field.WireType == element)
        {
            return true;
        }

        if (field.WireType == WireType.LengthDelimited)
        {
            return false;
        }

        throw WrongWireType(field, name, $"{Describe(element)} or packed");
    }

    private ProtoReader ReadPacked(string name, int fixedSize)
    {
        var start = position;
        var body = ReadLengthDelimited();
        if (fixedSize > 0 && body.Length % fixedSize != 0)
        {
            throw Malformed($"packed {name} is {body.Length} bytes, not a multiple of {fixedSize}", start);
        }

        return new ProtoReader(body, MessageName, origin + position - body.Length, depth);
    }

    private readonly int ToInt32(long value, string name, int at) =>
        value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Malformed($"{name} value {value} does not fit in int32", at);

    private readonly OnnxFormatException WrongWireType(ProtoField field, string name, string expected) =>
        Malformed($"{name} (field {field.Number}) has wire type {Describe(field.WireType)}, expected {expected}");

    private static string Describe(WireType wireType) => wireType switch
    {
        WireType.Varint => "varint",
        WireType.Fixed64 => "fixed64",
        WireType.LengthDelimited => "length-delimited",
        WireType.StartGroup => "start-group",
        WireType.EndGroup => "end-group",
        _ => "fixed32",
    };
}
