namespace QualityHub.Data.Registry;

/// <summary>Limits of the model and dataset registry (configuration section "Registry").</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>Largest model upload, in MiB; bigger uploads are refused while streaming.</summary>
    public long MaxUploadMb { get; set; } = 1024;

    /// <summary>Largest dataset upload (a zip, or an IDX pair, with its form fields), in MiB; bigger uploads are refused while streaming.</summary>
    public long MaxDatasetUploadMb { get; set; } = 2048;

    /// <summary>Largest total uncompressed size of a zip import, in MiB (zip bombs stop here).</summary>
    public long MaxZipUncompressedMb { get; set; } = 4096;

    /// <summary>Largest image in a dataset import, in pixels.</summary>
    public long MaxImagePixels { get; set; } = 64L * 1024 * 1024;

    /// <summary>Load the demo content (Fashion-MNIST classifiers, card-text recogniser) into an empty database.</summary>
    public bool LoadDemoContent { get; set; } = true;

    /// <summary>Queue an evaluation of every demo model on its demo test set once the demo content is loaded.</summary>
    public bool EvaluateDemoModels { get; set; } = true;
}
