namespace QualityHub.Data.Registry;

/// <summary>Limits of the model and dataset registry (configuration section "Registry").</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>Largest model upload, in MiB; bigger uploads are refused while streaming.</summary>
    public long MaxUploadMb { get; set; } = 1024;

    /// <summary>
    /// How long ONNX Runtime may take to load an uploaded model on the CPU before registration gives up on it, in
    /// seconds (at least 1); a model is registered only once it has loaded.
    /// </summary>
    public int ValidationTimeoutSeconds { get; set; } = 30;

    /// <summary>Largest dataset upload (a zip, or an IDX pair, with its form fields), in MiB; bigger uploads are refused while streaming.</summary>
    public long MaxDatasetUploadMb { get; set; } = 2048;

    /// <summary>Largest total uncompressed size of a zip import, in MiB (zip bombs stop here).</summary>
    public long MaxZipUncompressedMb { get; set; } = 4096;

    /// <summary>Largest image in a dataset import, in pixels.</summary>
    public long MaxImagePixels { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Largest image file in a dataset import (in a folder or a zip), in MiB; checked before the file is read. 256 MiB
    /// holds any image within <see cref="MaxImagePixels"/>, even an uncompressed BMP.
    /// </summary>
    public long MaxImageFileMb { get; set; } = 256;

    /// <summary>
    /// Largest labels file (a CSV or JSONL, on disk or in a zip), in MiB; checked before the file is read. It is held in
    /// memory several times over while parsed, and 64 MiB is about a million rows.
    /// </summary>
    public long MaxLabelsFileMb { get; set; } = 64;

    /// <summary>
    /// Largest IDX data (images or labels, after gzip), in MiB; checked from the IDX header before anything is allocated.
    /// The largest MNIST-family set, EMNIST ByClass's training images, is about 530 MiB.
    /// </summary>
    public long MaxIdxFileMb { get; set; } = 1024;

    /// <summary>
    /// Folders on the server that POST /api/datasets/import may read (Registry:ImportRoots:0, :1, …); none by default,
    /// which turns importing from server paths off. Every path a request names must resolve, symbolic links followed,
    /// to a regular file (or, for a folder import, a folder) inside one of them. The CLI and the demo content read
    /// local files directly and are not restricted by this list.
    /// </summary>
    public IList<string> ImportRoots { get; set; } = [];

    /// <summary>Load the demo content (Fashion-MNIST classifiers, card-text recogniser) into an empty database.</summary>
    public bool LoadDemoContent { get; set; } = true;

    /// <summary>Queue an evaluation of every demo model on its demo test set once the demo content is loaded.</summary>
    public bool EvaluateDemoModels { get; set; } = true;

    /// <summary>
    /// With <see cref="EvaluateDemoModels"/>, evaluate the demo pipeline too (the card reader reads its 320 photos one
    /// at a time, under a minute on two cores); off, the pipeline waits for someone to evaluate it.
    /// </summary>
    public bool EvaluateDemoPipelines { get; set; } = true;
}
