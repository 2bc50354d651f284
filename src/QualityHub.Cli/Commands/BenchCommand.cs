using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QualityHub.Data;
using QualityHub.Inference;

namespace QualityHub.Cli.Commands;

/// <summary>
/// Throughput and latency of our engine (ONNX Runtime's managed API from NuGet, through an I/O binding over
/// pre-allocated inputs and outputs) against onnxruntime-node, same model and thread settings, in alternating rounds
/// on this machine, with the managed bytes allocated per Run. With --provider cuda ours runs on the GPU (where it
/// can) and the reference stays on the CPU: the ratio is then GPU ÷ CPU.
/// </summary>
internal sealed class BenchCommand : ICliCommand
{
    private const int WarmupRuns = 20;

    private static string NodeBenchScript => Path.Combine(InstallLayout.RootDirectory, "tools", "bench", "ort-node-bench.mjs");

    public string Name => "bench";

    public string Summary => "Measure throughput and latency of our engine and of onnxruntime-node on one model.";

    public string Usage => "--model FILE [--batch 1,32] [--seconds 5] [--threads 1] [--rounds 3] [--provider cpu|cuda|auto]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "model", "batch", "seconds", "threads", "rounds", "provider" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var model = context.Args.Get("model") ?? throw new UsageException("--model is required.");
        var batches = context.Args.GetPositiveIntegers("batch", [1, 32]);
        var seconds = context.Args.GetPositive("seconds", 5);
        var threads = (int)context.Args.GetPositive("threads", 1);
        var rounds = (int)context.Args.GetPositive("rounds", 3);
        if (!File.Exists(model))
        {
            await context.Error.WriteLineAsync($"No model file at {model}.");
            return 1;
        }

        if (!File.Exists(NodeBenchScript))
        {
            await context.Error.WriteLineAsync($"The reference benchmark {NodeBenchScript} is missing; run bench from a QualityHub clone.");
            return 1;
        }

        var settings = new SessionSettings { Provider = context.Args.GetProvider(), IntraOpThreads = threads, InterOpThreads = 1, ExecutionMode = ExecutionMode.Sequential };
        using var session = OnnxSession.Load(Path.GetFullPath(model), settings);
        await context.Out.WriteLineAsync(
            $"model {Path.GetFileName(model)} ({new FileInfo(model).Length / 1048576.0:F1} MiB), ONNX Runtime {OnnxRuntimeInfo.Current.Version} on {session.Provider.ToString().ToUpperInvariant()}" +
            (session.ProviderFallbackReason is { } reason ? $" ({reason})" : "") + $", {threads} intra-op thread(s), " +
            $"{rounds} alternating round(s) of {seconds:0.#} s per engine and batch size");
        await context.Out.WriteLineAsync($"{"batch",5}  {"engine",-17} {"items/s",10} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"bytes/run",10}");

        var ratios = new List<string>();
        foreach (var batch in batches)
        {
            var ours = new List<Measurement>();
            var node = new List<Measurement>();
            string? skipped = null;
            for (var round = 0; round < rounds && skipped is null; round++)
            {
                var measured = MeasureOurs(session, batch, seconds, out skipped);
                if (skipped is not null)
                {
                    break;
                }

                ours.Add(measured!);
                node.Add(await MeasureNodeAsync(model, batch, seconds, threads, cancellationToken));
            }

            if (skipped is not null)
            {
                await context.Out.WriteLineAsync($"{batch,5}  skipped: {skipped}");
                ratios.Add($"n/a (batch {batch})");
                continue;
            }

            var ourMedian = Median(ours);
            var nodeMedian = Median(node);
            await context.Out.WriteLineAsync(Row(batch, "qualityhub", ourMedian));
            await context.Out.WriteLineAsync(Row(batch, "onnxruntime-node", nodeMedian));
            ratios.Add($"{ourMedian.ItemsPerSecond / nodeMedian.ItemsPerSecond:F2} (batch {batch})");
        }

        await context.Out.WriteLineAsync($"throughput ratio vs onnxruntime-node: {string.Join(", ", ratios)}");
        return 0;
    }

    private static string Row(int batch, string engine, Measurement m) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{batch,5}  {engine,-17} {m.ItemsPerSecond,10:N0} {m.P50Ms,8:F3} {m.P95Ms,8:F3} {m.P99Ms,8:F3} {(m.BytesPerRun is { } b ? b.ToString("F1", CultureInfo.InvariantCulture) : "n/a"),10}");

    // The round with the median throughput, so its latencies belong to one real run.
    private static Measurement Median(List<Measurement> rounds) => rounds.OrderBy(r => r.ItemsPerSecond).ElementAt(rounds.Count / 2);

    internal static Measurement? MeasureOurs(OnnxSession session, int batch, double seconds, out string? skipped)
    {
        skipped = null;
        var input = session.Inputs[0];
        if (session.Inputs.Count != 1 || input.ElementType != TensorElementType.Float)
        {
            skipped = $"the bench feeds one float32 input; the model takes {string.Join("; ", session.Inputs)}";
            return null;
        }

        if (!input.HasDynamicBatch && batch != (input.Shape.Length > 0 ? input.Shape[0] : 1))
        {
            skipped = "the model has a fixed batch dimension";
            return null;
        }

        var inputShape = input.Shape.Select((d, i) => i == 0 && d < 0 ? batch : Math.Max(d, 1)).ToArray();
        var random = new Random(20261122);
        var data = new float[Tensor.ElementCountOf(inputShape)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = random.NextSingle();
        }

        using var inputTensor = Tensor.Create(data, inputShape);
        Tensor[] inputs = [inputTensor];
        var outputs = PreallocateOutputs(session, batch);
        try
        {
            for (var i = 0; i < WarmupRuns; i++)
            {
                RunOnce(session, inputs, outputs);
            }

            var latencies = new double[1 << 22];
            var runs = 0;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            var stopAt = start + (long)(seconds * Stopwatch.Frequency);
            long now;
            do
            {
                var before = Stopwatch.GetTimestamp();
                RunOnce(session, inputs, outputs);
                now = Stopwatch.GetTimestamp();
                if (runs < latencies.Length)
                {
                    latencies[runs] = (now - before) * 1000.0 / Stopwatch.Frequency;
                }

                runs++;
            }
            while (now < stopAt);

            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            var elapsed = (now - start) / (double)Stopwatch.Frequency;
            var sorted = latencies.AsSpan(0, Math.Min(runs, latencies.Length)).ToArray();
            Array.Sort(sorted);
            return new Measurement(batch * runs / elapsed, Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), outputs is null ? null : (double)allocated / runs);
        }
        finally
        {
            foreach (var output in outputs ?? [])
            {
                output.Dispose();
            }
        }
    }

    private static void RunOnce(OnnxSession session, Tensor[] inputs, Tensor[]? outputs)
    {
        if (outputs is not null)
        {
            session.Run(inputs, outputs);
        }
        else
        {
            foreach (var output in session.Run(inputs))
            {
                output.Dispose();
            }
        }
    }

    // Outputs whose only unknown dimension is the batch can be allocated once; others are left to ORT.
    private static Tensor[]? PreallocateOutputs(OnnxSession session, int batch)
    {
        if (session.Outputs.Any(o => o.ElementType != TensorElementType.Float || o.Shape.Skip(1).Any(d => d < 0)))
        {
            return null;
        }

        return session.Outputs.Select(o => Tensor.Zeros<float>(o.Shape.Select((d, i) => i == 0 && d < 0 ? batch : d).ToArray())).ToArray();
    }

    // Nearest rank: the ⌈p/100·n⌉-th smallest, as tools/bench/ort-node-bench.mjs computes it.
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task<Measurement> MeasureNodeAsync(string model, int batch, double seconds, int threads, CancellationToken cancellationToken)
    {
        var script = NodeBenchScript;

        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            script, "--model", Path.GetFullPath(model), "--batch", batch.ToString(CultureInfo.InvariantCulture),
            "--seconds", seconds.ToString(CultureInfo.InvariantCulture), "--intra-op-threads", threads.ToString(CultureInfo.InvariantCulture),
            "--inter-op-threads", "1",
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"onnxruntime-node benchmark failed: {(await stderr).Trim()}");
        }

        var line = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        return new Measurement(
            root.GetProperty("itemsPerSecond").GetDouble(), root.GetProperty("p50Ms").GetDouble(),
            root.GetProperty("p95Ms").GetDouble(), root.GetProperty("p99Ms").GetDouble(), null);
    }

    internal sealed record Measurement(double ItemsPerSecond, double P50Ms, double P95Ms, double P99Ms, double? BytesPerRun);
}
