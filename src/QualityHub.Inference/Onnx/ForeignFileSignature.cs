namespace QualityHub.Inference.Onnx;

/// <summary>Recognises files people upload by mistake instead of an ONNX model, so the refusal can name what they sent.</summary>
internal static class ForeignFileSignature
{
    // A serialized ModelProto opens with the tag of one of its own fields (0x08 for ir_version, 0x12, 0x3A, …);
    // none of these signatures starts with such a byte, so matching them never refuses a real model.
    private static readonly (byte[] Magic, string Description)[] Signatures =
    [
        ([0x89, (byte)'P', (byte)'N', (byte)'G'], "a PNG image"),
        ([0xFF, 0xD8, 0xFF], "a JPEG image"),
        ("GIF8"u8.ToArray(), "a GIF image"),
        ("PK\u0003\u0004"u8.ToArray(), "a ZIP archive (a PyTorch checkpoint or .npz is one)"),
        ([0x1F, 0x8B], "a gzip archive"),
        ("%PDF"u8.ToArray(), "a PDF document"),
        ([0x7F, (byte)'E', (byte)'L', (byte)'F'], "an ELF executable or shared library"),
        ([0x89, (byte)'H', (byte)'D', (byte)'F'], "an HDF5 file (a Keras .h5 model is one)"),
    ];

    /// <summary>What the bytes are when they open with a well-known signature, else null.</summary>
    public static string? Describe(ReadOnlySpan<byte> bytes)
    {
        foreach (var (magic, description) in Signatures)
        {
            if (bytes.StartsWith(magic))
            {
                return $"the bytes look like {description}";
            }
        }

        return null;
    }

    /// <summary>"the bytes look like text" when the start has no control characters but tabs and line breaks.</summary>
    /// <remarks>Only asked after parsing failed: a tiny model can, by chance, open with printable bytes.</remarks>
    public static string? DescribeText(ReadOnlySpan<byte> bytes)
    {
        var start = bytes[..Math.Min(bytes.Length, 512)];
        foreach (var b in start)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                return null;
            }

            if (b == 0x7F)
            {
                return null;
            }
        }

        return start.IsEmpty ? null : "the bytes look like text";
    }
}
