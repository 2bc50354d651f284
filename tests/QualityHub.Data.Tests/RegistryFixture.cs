using QualityHub.Core.Domain;

namespace QualityHub.Data.Tests;

/// <summary>A migrated database in a temp folder with the two modules the registry tests register into.</summary>
public sealed class RegistryFixture : IAsyncDisposable
{
    private readonly TempFolder folder = new();

    private RegistryFixture(IDictionary<string, string?>? settings) => Storage = new Storage(folder.Path, more: settings);

    public Storage Storage { get; }

    public string DataDirectory => folder.Path;

    public static async Task<RegistryFixture> CreateAsync(IDictionary<string, string?>? settings = null)
    {
        var fixture = new RegistryFixture(settings);
        await fixture.Storage.Initializer.InitializeAsync();
        await using var db = await fixture.Storage.CreateContextAsync();
        db.Modules.Add(new Module { Name = "fashion", TaskType = TaskType.ImageClassification, InputDescription = "28×28 gray image", OutputDescription = "one of 10 classes", CreatedAt = DateTimeOffset.UtcNow });
        db.Modules.Add(new Module { Name = "card-text", TaskType = TaskType.TextRecognition, InputDescription = "text-line image", OutputDescription = "string", CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return fixture;
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        folder.Dispose();
    }
}
