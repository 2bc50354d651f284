using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Registry;

namespace QualityHub.Cli.Commands;

internal sealed class AddModuleCommand : ICliCommand
{
    public string Name => "add-module";

    public string Summary => "Add a technical module (input → output) to register model versions to.";

    public string Usage => "--name NAME --task classification|text --input TEXT --output TEXT [--description TEXT]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "name", "task", "input", "output", "description" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var task = args.Get("task") switch
        {
            "classification" => TaskType.ImageClassification,
            "text" => TaskType.TextRecognition,
            var other => throw new UsageException($"--task is classification or text, not '{other}'."),
        };
        await context.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        try
        {
            var module = await context.Services.GetRequiredService<ModelRegistry>().AddModuleAsync(
                args.Get("name") ?? throw new UsageException("--name is required."), task,
                args.Get("input") ?? throw new UsageException("--input is required."),
                args.Get("output") ?? throw new UsageException("--output is required."),
                args.Get("description") ?? "", cancellationToken);
            await context.Out.WriteLineAsync($"added module {module.Id} '{module.Name}'");
            return 0;
        }
        catch (RegistrationException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }
}
