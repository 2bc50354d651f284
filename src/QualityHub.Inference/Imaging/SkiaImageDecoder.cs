using System.Runtime.InteropServices;
using SkiaSharp;

namespace QualityHub.Inference.Imaging;

/// <summary>JPEG, PNG, WebP, BMP and GIF through Skia's codecs, into an upright 8-bit <see cref="Image"/>.</summary>
public static class SkiaImageDecoder
{
    public static unsafe Image Decode(ReadOnlySpan<byte> data, long maxPixels)
    {
        if (data.IsEmpty)
        {
            throw new InvalidImageException("The image is empty: 0 bytes.");
        }

        // Skia reads the caller's bytes in place (no copy); they stay pinned until the codec is gone.
        fixed (byte* address = data)
        {
            using var skData = SKData.Create((IntPtr)address, data.Length);
            return Decode(skData, data.Length, maxPixels);
        }
    }

    private static Image Decode(SKData skData, int length, long maxPixels)
    {
        using var codec = SKCodec.Create(skData)
            ?? throw new InvalidImageException($"Not a readable image: the data ({length:N0} bytes) is no {ImageDecoder.AcceptedFormats} that can be read, or its header is damaged.");
        var format = codec.EncodedFormat;
        if (format is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Webp or SKEncodedImageFormat.Bmp or SKEncodedImageFormat.Gif))
        {
            throw new InvalidImageException($"{format} images are not accepted; use {ImageDecoder.AcceptedFormats}.");
        }

        // Only the header has been read so far: a huge declared size is refused here, before any pixel memory exists.
        var info = codec.Info;
        var pixels = (long)info.Width * info.Height;
        if (pixels > maxPixels)
        {
            throw new InvalidImageException($"The {format} image is {info.Width}x{info.Height} = {pixels:N0} pixels, more than the limit of {maxPixels:N0} pixels.");
        }

        var image = info.ColorType == SKColorType.Gray8
            ? DecodeGray(codec, format)
            : DecodeColour(codec, format, opaque: info.AlphaType == SKAlphaType.Opaque);
        return ExifOrientation.Apply(image, (int)codec.EncodedOrigin);
    }

    private static Image DecodeGray(SKCodec codec, SKEncodedImageFormat format)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        var image = new Image(info.Width, info.Height, 1);
        Read(codec, format, info, image.Pixels);
        return image;
    }

    private static Image DecodeColour(SKCodec codec, SKEncodedImageFormat format, bool opaque)
    {
        // Straight alpha, as Image keeps it; a 16-bit or CMYK source is converted to 8-bit RGBA by the codec.
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new Image(info.Width, info.Height, 4);
        Read(codec, format, info, rgba.Pixels);
        if (!opaque)
        {
            return rgba;
        }

        var rgb = new Image(info.Width, info.Height, 3);
        var source = rgba.Pixels;
        var target = rgb.Pixels;
        for (int s = 0, t = 0; t < target.Length; s += 4, t += 3)
        {
            target[t] = source[s];
            target[t + 1] = source[s + 1];
            target[t + 2] = source[s + 2];
        }

        return rgb;
    }

    private static void Read(SKCodec codec, SKEncodedImageFormat format, SKImageInfo info, byte[] target)
    {
        var handle = GCHandle.Alloc(target, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            // Frame 0: an animated GIF or WebP gives its first frame, as a still of it would show.
            result = codec.GetPixels(info, handle.AddrOfPinnedObject(), info.RowBytes, new SKCodecOptions(0));
        }
        finally
        {
            handle.Free();
        }

        switch (result)
        {
            case SKCodecResult.Success:
                return;
            case SKCodecResult.IncompleteInput:
                throw new InvalidImageException($"The {format} image is truncated: its data ends before all {info.Width}x{info.Height} pixels are decoded.");
            case SKCodecResult.ErrorInInput:
            case SKCodecResult.InvalidInput:
                throw new InvalidImageException($"The {format} image is corrupt: its compressed data cannot be decoded ({result}).");
            default:
                throw new InvalidImageException($"The {format} image cannot be decoded to 8-bit {(info.ColorType == SKColorType.Gray8 ? "gray" : "RGBA")}: {result}.");
        }
    }
}
