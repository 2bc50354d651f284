using System.Diagnostics;
using QualityHub.Data;
using QualityHub.Inference.Imaging;

namespace QualityHub.Cli.Commands;

/// <summary>
/// Our PNG decoder against Skia's on the same PNG bytes, in one process and alternating rounds: the Fashion-MNIST demo
/// set (28×28 gray, encoded as the importer stores it) and the card-text demo images (RGB text lines). Prints µs per image.
/// </summary>
internal sealed class BenchDecodeCommand : ICliCommand
{
    public string Name => "bench-decode";

    public string Summary => "Measure PNG decoding, our decoder against Skia's, on the demo images (µs per image, per round).";

    public string Usage => "[--rounds 5] [--seconds 1]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "rounds", "seconds" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var rounds = (int)context.Args.GetPositive("rounds", 5);
        var seconds = context.Args.GetPositive("seconds", 1);
        var demo = Path.Combine(InstallLayout.RootDirectory, "data", "demo");
        var idx = IdxImages.Load(Path.Combine(demo, "fashion-mnist", "test-2000-images-idx3-ubyte.gz"));
        var fashion = Enumerable.Range(0, idx.Count).Select(i => PngEncoder.Encode(idx.GetImage(i))).ToArray();
        var cardText = Directory.GetFiles(Path.Combine(demo, "card-text", "images"), "*.png").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();

        await context.Out.WriteLineAsync($"{rounds} round(s) of about {seconds:0.#} s per decoder per set; the same PNG bytes for both decoders");
        await context.Out.WriteLineAsync($"{"set",-34} {"round",5} {"ours µs/image",14} {"Skia µs/image",14} {"Skia/ours",10}");
        foreach (var (name, images) in new[] { ($"fashion-mnist demo ({fashion.Length}, 28x28 gray)", fashion), ($"card-text demo ({cardText.Length}, RGB lines)", cardText) })
        {
            foreach (var png in images)
            {
                if (!PngDecoder.Decode(png).Pixels.AsSpan().SequenceEqual(SkiaImageDecoder.Decode(png, PngDecoder.DefaultMaxPixels).Pixels))
                {
                    await context.Error.WriteLineAsync($"{name}: the two decoders disagree on an image; no timing is meaningful.");
                    return 1;
                }
            }

            var ratios = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ours = MicrosecondsPerImage(images, seconds, png => PngDecoder.Decode(png));
                var skia = MicrosecondsPerImage(images, seconds, png => SkiaImageDecoder.Decode(png, PngDecoder.DefaultMaxPixels));
                ratios.Add(skia / ours);
                await context.Out.WriteLineAsync($"{name,-34} {round,5} {ours,14:F2} {skia,14:F2} {skia / ours,10:F2}");
            }

            await context.Out.WriteLineAsync($"{name,-34} median Skia/ours: {ratios.Order().ElementAt(ratios.Count / 2):F2}");
        }

        return 0;
    }

    // Whole passes over the set until the time is up, so every image counts equally.
    private static double MicrosecondsPerImage(byte[][] images, double seconds, Func<byte[], Image> decode)
    {
        long decoded = 0;
        var started = Stopwatch.GetTimestamp();
        do
        {
            foreach (var png in images)
            {
                decode(png);
            }

            decoded += images.Length;
        }
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds);

        return Stopwatch.GetElapsedTime(started).TotalMicroseconds / decoded;
    }
}
