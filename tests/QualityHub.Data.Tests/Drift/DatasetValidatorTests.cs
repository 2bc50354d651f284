using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Drift;
using QualityHub.Data.Content;
using QualityHub.Data.Drift;
using QualityHub.Data.Registry;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Tests.Drift;

/// <summary>A dataset checked against its module's data rules at import and again on request.</summary>
public sealed class DatasetValidatorTests : IAsyncLifetime
{
    private readonly TempFolder input = new();
    private RegistryFixture fixture = null!;

    private static readonly DataRules Rules = new()
    {
        Labels = ["T-shirt", "Trouser"],
        Ranges = new Dictionary<string, ValueRange> { ["brightness"] = new(0.1, 0.9), ["inputWidth"] = new(4, 4), ["confidence"] = new(0.5, 1) },
        MaxMissingShare = new Dictionary<string, double> { ["brightness"] = 0, ["confidence"] = 0 },
    };

    private async Task SetRulesAsync(DataRules? rules)
    {
        await using var db = await fixture.Storage.CreateContextAsync();
        var module = await db.Modules.SingleAsync(m => m.Name == "fashion");
        module.DataRulesJson = rules is null ? null : System.Text.Json.JsonSerializer.Serialize(rules, DataRules.Json);
        await db.SaveChangesAsync();
    }

    // Three samples: a dark Bag (label and brightness out), a mid-grey Trouser, a mid-grey T-shirt 5 pixels wide (width out).
    private async Task<DatasetImportResult> ImportAsync(string name = "clothes")
    {
        static byte[] Png(byte value, int width)
        {
            var image = new Image(width, 4, 1);
            Array.Fill(image.Pixels, value);
            return PngEncoder.Encode(image);
        }

        await File.WriteAllBytesAsync(Path.Combine(input.Path, "dark.png"), Png(10, 4));
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "grey.png"), Png(128, 4));
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "wide.png"), Png(128, 5));
        var csv = Path.Combine(input.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, "file,label\ndark.png,Bag\ngrey.png,Trouser\nwide.png,T-shirt\n");
        var request = new DatasetImportRequest { Name = name, ModuleName = "fashion", LicenceId = "MIT", CommercialUseAllowed = true, Labels = ["T-shirt", "Trouser", "Bag"] };
        return await fixture.Storage.Get<DatasetImporter>().ImportAsync(request, DatasetSource.FromFolder(input.Path, csv));
    }

    [Fact]
    public async Task An_import_is_checked_against_the_modules_rules_and_the_check_is_stored_with_examples()
    {
        await SetRulesAsync(Rules);
        var result = await ImportAsync();

        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        var validation = result.Validation!;
        Assert.Equal((3, 3), (validation.Samples, validation.Described));
        RuleCount Rule(string prefix) => validation.Rules.Single(r => r.Key.StartsWith(prefix, StringComparison.Ordinal));
        void Broke(string prefix, string example)
        {
            Assert.Equal(1, Rule(prefix).Violations);
            Assert.Equal([example], Rule(prefix).Examples);
        }

        Broke("label:truth:", "0");
        Broke("range:brightness:", "0");
        Broke("range:inputWidth:", "2");
        Assert.Equal(0, Rule("missing:brightness").Violations);
        Assert.Equal(DriftStatus.Alert, Rule("label:truth:").Status); // a third of the samples, above the 1 % allowed
        Assert.Equal(DriftStatus.Alert, validation.Status);
        // Confidence is what a model answers, not what a dataset holds: its rules are not checked here.
        Assert.DoesNotContain(validation.Rules, r => r.Descriptor == "confidence");
        Assert.DoesNotContain(validation.Rules, r => r.Key.StartsWith("label:predicted:", StringComparison.Ordinal));

        var stored = await fixture.Storage.Get<DatasetValidator>().GetAsync(result.Dataset!.Id);
        Assert.Equal(validation.Rules.Select(r => (r.Key, r.Violations)), stored!.Rules.Select(r => (r.Key, r.Violations)));
    }

    [Fact]
    public async Task A_recheck_follows_changed_rules_counts_an_image_that_no_longer_decodes_as_missing_and_no_rules_clear_the_check()
    {
        await SetRulesAsync(Rules);
        var id = (await ImportAsync()).Dataset!.Id;
        var validator = fixture.Storage.Get<DatasetValidator>();

        await SetRulesAsync(Rules with { Labels = ["T-shirt", "Trouser", "Bag"] });
        var again = (await validator.ValidateAsync(id))!;
        Assert.Equal(0, again.Rules.Single(r => r.Key.StartsWith("label:truth:", StringComparison.Ordinal)).Violations);

        // The grey Trouser's image is lost from the store: it can no longer be described, so it lacks its brightness.
        await using (var db = await fixture.Storage.CreateContextAsync())
        {
            var sha = await db.Samples.Where(s => s.DatasetId == id && s.Ordinal == 1).Select(s => s.ImageSha256).SingleAsync();
            File.Delete(fixture.Storage.Get<ContentStore>().PathOf(sha));
        }

        var lost = (await validator.ValidateAsync(id))!;
        Assert.Equal(2, lost.Described);
        var missing = lost.Rules.Single(r => r.Key == "missing:brightness");
        Assert.Equal((1L, DriftStatus.Alert), (missing.Violations, missing.Status));
        Assert.Equal(["1"], missing.Examples);
        Assert.Equal(1, lost.Rules.Single(r => r.Key.StartsWith("range:brightness:", StringComparison.Ordinal)).Violations); // still only the dark one

        await SetRulesAsync(null);
        Assert.Null(await validator.ValidateAsync(id));
        Assert.Null(await validator.GetAsync(id));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => validator.ValidateAsync(987_654));
    }

    [Fact]
    public async Task A_module_without_rules_imports_as_before_with_no_check()
    {
        var result = await ImportAsync("unchecked");
        Assert.True(result.Succeeded);
        Assert.Null(result.Validation);
    }

    public async Task InitializeAsync() => fixture = await RegistryFixture.CreateAsync();

    public async Task DisposeAsync()
    {
        await fixture.DisposeAsync();
        input.Dispose();
    }
}
