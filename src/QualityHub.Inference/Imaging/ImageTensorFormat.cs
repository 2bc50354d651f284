namespace QualityHub.Inference.Imaging;

/// <summary>How a model wants an image as floats: layout, channel count and per-channel value = (pixel · scale − mean) / std.</summary>
/// <remarks>Immutable, so one instance per model input can fill batches from several threads at once.</remarks>
public sealed class ImageTensorFormat
{
    private readonly float[] scale;
    private readonly float[] mean;
    private readonly float[] std;

    // Pixels are bytes, so every channel has only 256 possible outputs: computing them once makes a batch fill a
    // table lookup per element, and keeps the exact formula (no reciprocal-multiply rounding differences).
    private readonly float[] table;

    /// <summary>The same scale, mean and std for every channel.</summary>
    public ImageTensorFormat(TensorLayout layout, int channels, float scale = 1f, float mean = 0f, float std = 1f)
        : this(layout, channels, [scale], [mean], [std])
    {
    }

    /// <summary>Per-channel scale, mean and std; each has one value (used for every channel) or one per channel, in R, G, B order.</summary>
    public ImageTensorFormat(TensorLayout layout, int channels, ReadOnlySpan<float> scale, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (layout is not (TensorLayout.Nchw or TensorLayout.Nhwc))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Layout is NCHW or NHWC.");
        }

        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "A model input has 1 (gray) or 3 (RGB) channels.");
        }

        Layout = layout;
        Channels = channels;
        this.scale = PerChannel(scale, channels, nameof(scale));
        this.mean = PerChannel(mean, channels, nameof(mean));
        this.std = PerChannel(std, channels, nameof(std));
        table = new float[256 * channels];
        for (var c = 0; c < channels; c++)
        {
            if (this.std[c] == 0f || !float.IsFinite(this.std[c]) || !float.IsFinite(this.scale[c]) || !float.IsFinite(this.mean[c]))
            {
                throw new ArgumentException($"Channel {c}: scale, mean and std must be finite and std non-zero (scale {this.scale[c]}, mean {this.mean[c]}, std {this.std[c]}).");
            }

            for (var p = 0; p < 256; p++)
            {
                table[(c * 256) + p] = ((p * this.scale[c]) - this.mean[c]) / this.std[c];
            }
        }
    }

    /// <summary>RGB, scaled to [0, 1], then normalised with the ImageNet mean and standard deviation that torchvision's models expect.</summary>
    public static ImageTensorFormat ImageNet(TensorLayout layout) =>
        new(layout, 3, [1f / 255f], [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    public TensorLayout Layout { get; }

    public int Channels { get; }

    public IReadOnlyList<float> Scale => scale;

    public IReadOnlyList<float> Mean => mean;

    public IReadOnlyList<float> Std => std;

    /// <summary>Floats one image of this size takes: channels × width × height.</summary>
    public int ElementCount(int width, int height) => checked(Channels * width * height);

    /// <summary>
    /// Writes <paramref name="image"/> as one item of a batch into the start of <paramref name="destination"/> and returns how many
    /// floats it wrote, so a caller fills batch item i at destination[(i × ElementCount)..] without allocating.
    /// An image with other channels than the format is converted on the fly, as <see cref="Image.ToGray"/> or
    /// <see cref="Image.ToRgb"/> would (alpha over white). Resize first: the tensor takes the image's own width and height.
    /// </summary>
    public int Write(Image image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        var count = ElementCount(image.Width, image.Height);
        if (destination.Length < count)
        {
            throw new ArgumentException($"A {image.Width}x{image.Height} image with {Channels} channel(s) needs {count} floats; the destination has {destination.Length}.", nameof(destination));
        }

        var pixels = image.Pixels;
        var source = image.Channels;
        var plane = image.Width * image.Height;
        if (source == Channels)
        {
            WriteSameChannels(pixels.AsSpan(0, count), destination[..count], plane);
            return count;
        }

        var (pixelStep, channelStep) = Layout == TensorLayout.Nchw ? (1, plane) : (Channels, 1);
        for (int i = 0, s = 0, d = 0; i < plane; i++, s += source, d += pixelStep)
        {
            if (Channels == 1)
            {
                var gray = source switch
                {
                    1 => pixels[s],
                    3 => PixelConversion.Luma(pixels[s], pixels[s + 1], pixels[s + 2]),
                    _ => PixelConversion.Luma(
                        PixelConversion.OverWhite(pixels[s], pixels[s + 3]),
                        PixelConversion.OverWhite(pixels[s + 1], pixels[s + 3]),
                        PixelConversion.OverWhite(pixels[s + 2], pixels[s + 3])),
                };
                destination[d] = table[gray];
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                var value = source switch
                {
                    1 => pixels[s],
                    3 => pixels[s + c],
                    _ => PixelConversion.OverWhite(pixels[s + c], pixels[s + 3]),
                };
                destination[d + (c * channelStep)] = table[(c * 256) + value];
            }
        }

        return count;
    }

    // An image with the format's own channels (a gray image for a gray model, RGB for RGB): a table lookup per element
    // with no conversion, in the tensor's order. Every batch item of an evaluation goes through here.
    private void WriteSameChannels(ReadOnlySpan<byte> pixels, Span<float> destination, int plane)
    {
        if (Channels == 1)
        {
            var gray = table.AsSpan(0, 256);
            for (var i = 0; i < pixels.Length; i++)
            {
                destination[i] = gray[pixels[i]];
            }

            return;
        }

        ReadOnlySpan<float> red = table.AsSpan(0, 256), green = table.AsSpan(256, 256), blue = table.AsSpan(512, 256);
        if (Layout == TensorLayout.Nhwc)
        {
            for (var i = 0; i + 2 < pixels.Length; i += 3)
            {
                destination[i] = red[pixels[i]];
                destination[i + 1] = green[pixels[i + 1]];
                destination[i + 2] = blue[pixels[i + 2]];
            }

            return;
        }

        Span<float> r = destination[..plane], g = destination.Slice(plane, plane), b = destination.Slice(2 * plane, plane);
        for (int i = 0, s = 0; i < plane; i++, s += 3)
        {
            r[i] = red[pixels[s]];
            g[i] = green[pixels[s + 1]];
            b[i] = blue[pixels[s + 2]];
        }
    }

    private static float[] PerChannel(ReadOnlySpan<float> values, int channels, string name)
    {
        if (values.Length == 1)
        {
            var filled = new float[channels];
            Array.Fill(filled, values[0]);
            return filled;
        }

        if (values.Length != channels)
        {
            throw new ArgumentException($"Give one {name} value for all channels or one per channel ({channels}), not {values.Length}.", name);
        }

        return values.ToArray();
    }
}
