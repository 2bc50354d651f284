using System.Runtime.InteropServices;
using QualityHub.Inference.Imaging;
using SkiaSharp;

namespace QualityHub.Web.Tests.Support;

/// <summary>JPEG bytes of an image, made with Skia's encoder, for the API tests of non-PNG uploads.</summary>
internal static class TestJpeg
{
    public static byte[] Of(Image image, int quality = 95)
    {
        var colour = image.Channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888;
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, colour, SKAlphaType.Opaque));
        var pixels = image.Channels == 1 ? image.Pixels : image.ToRgba().Pixels;
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }
}
