using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Registry;

namespace QualityHub.Cli.Commands;

internal sealed class ImportModelCommand : ICliCommand
{
    public string Name => "import-model";

    public string Summary => "Register an ONNX model as a version of a module (stored by content hash).";

    public string Usage => "--module NAME --version NAME --file MODEL.onnx [--card CARD.json] [--status candidate|retired] [--notes TEXT]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "module", "version", "file", "card", "status", "notes" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var module = args.Get("module") ?? throw new UsageException("--module is required.");
        var version = args.Get("version") ?? throw new UsageException("--version is required.");
        var file = args.Get("file") ?? throw new UsageException("--file is required.");
        var status = ModelStatus.Candidate;
        if (args.Get("status") is { } statusText && (!Enum.TryParse(statusText, ignoreCase: true, out status) || !ModelStatusRules.SetByHand(status)))
        {
            throw new UsageException($"--status is candidate or retired (released follows an approved release), not '{statusText}'.");
        }

        if (!File.Exists(file))
        {
            await context.Error.WriteLineAsync($"No model file at {file}.");
            return 1;
        }

        string? card = null;
        if (args.Get("card") is { } cardPath)
        {
            if (!File.Exists(cardPath))
            {
                await context.Error.WriteLineAsync($"No model card at {cardPath}.");
                return 1;
            }

            // Resolve a charset file beside the card, so the stored card stands alone.
            try
            {
                card = Inference.Tasks.ModelCard.Load(cardPath) is var loaded && loaded.Ctc is { } ctc
                    ? (loaded with { Ctc = ctc with { CharsetFile = null, AppendSpace = false } }).ToJson()
                    : loaded.ToJson();
            }
            catch (Inference.Tasks.InvalidModelCardException e)
            {
                await context.Error.WriteLineAsync($"The model card {cardPath} is not usable: {e.Message}");
                return 1;
            }
        }

        await context.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        try
        {
            await using var stream = File.OpenRead(file);
            var result = await context.Services.GetRequiredService<ModelRegistry>().ImportAsync(
                new ModelImportRequest(module, version, Path.GetFileName(file), status, args.Get("notes") ?? "", ModelCardJson: card), stream, cancellationToken: cancellationToken);
            await context.Out.WriteLineAsync($"registered {module}/{result.Version.Name} as model version {result.Version.Id} (sha256 {result.Version.Sha256}, {result.Version.SizeBytes:N0} bytes, {result.Version.ParameterCount?.ToString("N0") ?? "uncounted"} parameters)");
            await context.Out.WriteLineAsync(result.Card is null ? $"no model card: {result.CardProblem}" : $"model card: {result.Card.Task} ({(card is null ? "proposed: check it" : "as given")})");
            return 0;
        }
        catch (RegistrationException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }
}
