namespace QualityHub.Cli.Commands;

internal sealed class ConformanceCommand : ICliCommand
{
    public string Name => "conformance";

    public string Summary => "Run the ONNX backend test cases through our binding and report pass/fail/skip per case.";

    public string Usage => "[--data DIR] [--report FILE]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "data", "report" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        await context.Error.WriteLineAsync("conformance is not available yet: the ONNX test-data reader is still being written.");
        return 1;
    }
}
