using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace QualityHub.Web.Hosting;

/// <summary>
/// Plotly.Blazor loads plotly.js from its own package: the full bundle, 4.8 MB, or the basic one, which lacks heat maps
/// and histograms. Our charts use only 2D traces, so both addresses answer with Plotly's cartesian bundle (bar, scatter,
/// heatmap, histogram: 1.5 MB, 0.5 MB gzipped; wwwroot/lib, from npm) — to anyone, as the sign-in page's own scripts.
/// </summary>
public static partial class PartialPlotlyBundle
{
    public const string File = "lib/plotly-cartesian.min.js";

    [GeneratedRegex(@"^/_content/Plotly\.Blazor/plotly-(basic-)?[0-9.]+\.min\.js$")]
    private static partial Regex PackageBundle();

    public static WebApplication UsePartialPlotlyBundle(this WebApplication app)
    {
        var bundle = app.Environment.WebRootFileProvider.GetFileInfo(File);
        // Compressed once, on the first request that accepts gzip, and kept: every chart page asks for it.
        var gzipped = new Lazy<byte[]>(() => Gzip(bundle));
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) || !PackageBundle().IsMatch(context.Request.Path.Value ?? ""))
            {
                await next(context);
                return;
            }

            if (!bundle.Exists)
            {
                // The build copies it from node_modules; without it the charts cannot draw, and the page says nothing worse.
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var response = context.Response;
            response.ContentType = "text/javascript";
            response.Headers[HeaderNames.CacheControl] = "public, max-age=86400";
            response.Headers[HeaderNames.Vary] = HeaderNames.AcceptEncoding;
            if (context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[HeaderNames.ContentEncoding] = "gzip";
                response.ContentLength = gzipped.Value.Length;
                await response.Body.WriteAsync(gzipped.Value, context.RequestAborted);
                return;
            }

            response.ContentLength = bundle.Length;
            await response.SendFileAsync(bundle, context.RequestAborted);
        });
        return app;
    }

    private static byte[] Gzip(IFileInfo file)
    {
        using var source = file.CreateReadStream();
        using var target = new MemoryStream();
        using (var gzip = new GZipStream(target, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            source.CopyTo(gzip);
        }

        return target.ToArray();
    }
}
