namespace QualityHub.Inference.Imaging;

/// <summary>
/// The most bytes a reader accepts, and the setting that says so, so that the message refusing a bigger file tells the
/// operator what to raise.
/// </summary>
public readonly record struct ByteLimit(long Bytes, string Setting)
{
    public static ByteLimit Megabytes(long megabytes, string setting) => new(megabytes * 1024 * 1024, setting);

    /// <summary>"64 MiB (Registry:MaxLabelsFileMb)".</summary>
    public override string ToString() => $"{Bytes / 1048576.0:#,0.#} MiB ({Setting})";
}
