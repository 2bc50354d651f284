using System.Buffers.Binary;
using System.Text;

namespace QualityHub.TestSupport;

/// <summary>Builds protobuf bytes field by field, so tests state exactly what is on the wire.</summary>
public sealed class ProtoBytes
{
    private readonly List<byte> bytes = [];

    public static byte[] EncodeVarint(ulong value)
    {
        var encoded = new List<byte>();
        while (value >= 0x80)
        {
            encoded.Add((byte)(value | 0x80));
            value >>= 7;
        }

        encoded.Add((byte)value);
        return [.. encoded];
    }

    public ProtoBytes Tag(int field, int wireType) => Raw(EncodeVarint((ulong)((field << 3) | wireType)));

    public ProtoBytes Varint(int field, long value) => Tag(field, 0).Raw(EncodeVarint((ulong)value));

    public ProtoBytes Fixed64(int field, ulong value)
    {
        var buffer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        return Tag(field, 1).Raw(buffer);
    }

    public ProtoBytes Fixed32(int field, uint value)
    {
        var buffer = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        return Tag(field, 5).Raw(buffer);
    }

    public ProtoBytes Float(int field, float value) => Fixed32(field, BitConverter.SingleToUInt32Bits(value));

    public ProtoBytes Double(int field, double value) => Fixed64(field, BitConverter.DoubleToUInt64Bits(value));

    public ProtoBytes Bytes(int field, byte[] value) => Tag(field, 2).Raw(EncodeVarint((ulong)value.Length)).Raw(value);

    public ProtoBytes String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoBytes Message(int field, ProtoBytes message) => Bytes(field, message.ToArray());

    public ProtoBytes PackedVarints(int field, params long[] values) =>
        Bytes(field, [.. values.SelectMany(value => EncodeVarint((ulong)value))]);

    public ProtoBytes PackedFloats(int field, params float[] values)
    {
        var buffer = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), values[i]);
        }

        return Bytes(field, buffer);
    }

    public ProtoBytes PackedDoubles(int field, params double[] values)
    {
        var buffer = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(i * 8), values[i]);
        }

        return Bytes(field, buffer);
    }

    public ProtoBytes Raw(params byte[] raw)
    {
        bytes.AddRange(raw);
        return this;
    }

    public byte[] ToArray() => [.. bytes];
}
