using System.Diagnostics;
using QualityHub.Inference;
using QualityHub.Inference.Conformance;
using QualityHub.Inference.Onnx;

namespace QualityHub.Cli.Commands;

/// <summary>Every ONNX backend test case through our engine, one report line per case and a closing count.</summary>
internal sealed class ConformanceCommand : ICliCommand
{
    public string Name => "conformance";

    public string Summary => "Run the ONNX backend test cases through our engine and report pass/fail/skip per case.";

    public string Usage => $"[--data DIR (default {BackendTestCase.DebianRoot})] [--report FILE] [--filter TEXT] [--provider cpu|cuda|auto]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "data", "report", "filter", "provider" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var root = context.Args.Get("data") ?? BackendTestCase.DebianRoot;
        if (!Directory.Exists(root))
        {
            await context.Error.WriteLineAsync($"No ONNX backend test data at {root}. Install Debian's libonnx-testdata (./test.sh does) or pass --data DIR.");
            return 1;
        }

        var filter = context.Args.Get("filter");
        var cases = BackendTestCase.Discover(root).Where(c => filter is null || c.ToString().Contains(filter, StringComparison.Ordinal)).ToList();
        if (cases.Count == 0)
        {
            await context.Error.WriteLineAsync($"No test cases under {root}{(filter is null ? "" : $" matching '{filter}'")}.");
            return 1;
        }

        var reportPath = context.Args.Get("report");
        await using var report = reportPath is null ? null : new StreamWriter(reportPath);
        var settings = new SessionSettings { Provider = context.Args.GetProvider(), IntraOpThreads = 1 };
        var runner = new ConformanceRunner(settings);
        await context.Error.WriteLineAsync($"conformance: {cases.Count} cases, {ProviderLine(settings)}");
        var counts = new Dictionary<CaseOutcome, int> { [CaseOutcome.Pass] = 0, [CaseOutcome.Fail] = 0, [CaseOutcome.Skip] = 0 };
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < cases.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = runner.Run(cases[i]);
            counts[result.Outcome]++;
            if (report is not null)
            {
                await report.WriteLineAsync(result.ToReportLine());
            }

            if (result.Outcome == CaseOutcome.Fail || report is null)
            {
                await context.Out.WriteLineAsync(result.ToReportLine());
            }

            if ((i + 1) % 100 == 0)
            {
                await context.Error.WriteLineAsync($"conformance: {i + 1}/{cases.Count} cases, {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            }
        }

        var summary = $"{counts[CaseOutcome.Pass]} passed, {counts[CaseOutcome.Fail]} failed, {counts[CaseOutcome.Skip]} skipped";
        if (report is not null)
        {
            await report.WriteLineAsync(summary);
        }

        await context.Out.WriteLineAsync(summary);
        return 0;
    }

    /// <summary>"runs on CUDA (asked: cuda)", or "runs on CPU (asked: cuda; CUDA unavailable: …)": what a one-node model gets.</summary>
    internal static string ProviderLine(SessionSettings settings)
    {
        using var session = OnnxSession.Load(QualityHub.Inference.Engine.ProviderProbe.ProbeModel, "provider-probe", settings);
        var asked = settings.Provider.ToString().ToLowerInvariant();
        return $"runs on {session.Provider.ToString().ToUpperInvariant()} (asked: {asked}{(session.ProviderFallbackReason is { } reason ? $"; {reason}" : "")})";
    }
}
