namespace QualityHub.Inference.Imaging;

/// <summary>Thrown when image data (an image file or an IDX file) is malformed, truncated, hostile or beyond a configured limit.</summary>
public sealed class InvalidImageException : Exception
{
    public InvalidImageException(string message)
        : base(message)
    {
    }

    public InvalidImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
