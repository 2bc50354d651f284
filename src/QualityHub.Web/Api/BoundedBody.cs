using System.Text;

namespace QualityHub.Web.Api;

/// <summary>A small request body read whole, never past its limit: a bigger one is a 413 before it fills memory.</summary>
public static class BoundedBody
{
    /// <summary>The body's bytes, or null when it is over <paramref name="maxBytes"/> (declared or as it streams).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The body as UTF-8 text, or null when it is over <paramref name="maxBytes"/>.</summary>
    public static async Task<string?> ReadTextAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken) =>
        await ReadAsync(request, maxBytes, cancellationToken) is { } body ? Encoding.UTF8.GetString(body.Span) : null;

    public static IResult TooLarge(long maxBytes) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: $"The body is larger than the {maxBytes / 1024:N0} KiB accepted here.");
}
