namespace QualityHub.Inference.Engine;

/// <summary>The smallest useful ONNX model, written out in protobuf by hand: y = Identity(x), x and y float [1].</summary>
internal static class IdentityModel
{
    public static byte[] Bytes { get; } = Build();

    private static byte[] Build()
    {
        // ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type: FLOAT, shape: { dim: { dim_value: 1 } } } } }
        static byte[] ValueInfo(string name) => Message(
            Field(1, Text(name)),
            Field(2, Message(Field(1, Message(Varint(1, 1), Field(2, Message(Field(1, Message(Varint(1, 1))))))))));

        var node = Message(Field(1, Text("x")), Field(2, Text("y")), Field(4, Text("Identity")));
        var graph = Message(Field(1, node), Field(2, Text("probe")), Field(11, ValueInfo("x")), Field(12, ValueInfo("y")));
        var opset = Message(Varint(2, 13));
        return Message(Varint(1, 8), Field(7, graph), Field(8, opset));
    }

    private static byte[] Text(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    private static byte[] Message(params byte[][] fields) => fields.SelectMany(f => f).ToArray();

    // A length-delimited field (wire type 2).
    private static byte[] Field(int number, byte[] payload) => [.. VarintBytes((ulong)(number << 3 | 2)), .. VarintBytes((ulong)payload.Length), .. payload];

    // A varint field (wire type 0).
    private static byte[] Varint(int number, long value) => [.. VarintBytes((ulong)(number << 3)), .. VarintBytes((ulong)value)];

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return bytes.ToArray();
    }
}
