namespace QualityHub.Inference.Onnx;

/// <summary>How a protobuf field's value is encoded: the low three bits of its tag.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>A decoded protobuf tag: which field follows and how its value is encoded.</summary>
internal readonly record struct ProtoField(int Number, WireType WireType);
