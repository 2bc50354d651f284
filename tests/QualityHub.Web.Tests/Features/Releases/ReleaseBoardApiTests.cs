using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Releases;

/// <summary>
/// GET /api/release-board over the evaluated demo: production and each candidate measured on one test set, the
/// change with its paired test, processing time one input at a time, and exactly what stops a candidate.
/// </summary>
public sealed class ReleaseBoardApiTests(EvaluatedDemoQualityHubFactory factory) : EvaluatedDemoTests(factory)
{
    private async Task<JsonElement> ModuleAsync(string name) =>
        (await Client.GetFromJsonAsync<JsonElement>("/api/release-board")).GetProperty("modules").EnumerateArray()
            .Single(m => m.GetProperty("module").GetString() == name);

    private static JsonElement Candidate(JsonElement module, string version) =>
        module.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("version").GetString() == version);

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    private async Task<int> AddVersionAsync(int moduleId, string name)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var like = await db.ModelVersions.FirstAsync();
        var version = new ModelVersion { ModuleId = moduleId, Name = name, Sha256 = like.Sha256, FileName = like.FileName, SizeBytes = like.SizeBytes, CreatedAt = DateTimeOffset.UtcNow };
        db.ModelVersions.Add(version);
        await db.SaveChangesAsync();
        return version.Id;
    }

    [Fact]
    public async Task The_demo_CNN_stands_against_the_MLP_in_production_with_the_paired_test_of_their_runs()
    {
        var fashion = await ModuleAsync(DemoContentLoader.FashionModule);
        var production = fashion.GetProperty("production");
        var cnn = Candidate(fashion, "fashion-cnn-v1");

        Assert.Equal(("fashion-mlp-v1", "2026.10"), (production.GetProperty("version").GetString(), production.GetProperty("release").GetString()));
        Assert.Equal("fashion-mnist-test-2000", fashion.GetProperty("dataset").GetString());
        Assert.Equal(RunOf("fashion-mlp-v1").GetProperty("id").GetInt32(), production.GetProperty("runId").GetInt32());
        Assert.Equal(RunOf("fashion-cnn-v1").GetProperty("id").GetInt32(), cnn.GetProperty("runId").GetInt32());

        // 1,825 against 1,790 right of the same 2,000 (the torch reference of both models).
        Assert.Equal(0.0175, cnn.GetProperty("delta").GetDouble(), precision: 9);
        Assert.InRange(cnn.GetProperty("pValue").GetDouble(), 0.002, 0.005);
        Assert.True(cnn.GetProperty("significant").GetBoolean());
        Assert.StartsWith("McNemar", cnn.GetProperty("test").GetString());

        // The same figures as the run comparison of the two runs: one rule, one answer.
        var compared = await Client.GetFromJsonAsync<JsonElement>(
            $"/api/evaluations/compare?ids={production.GetProperty("runId").GetInt32()},{cnn.GetProperty("runId").GetInt32()}");
        var pair = compared.GetProperty("pairs")[0];
        Assert.Equal(pair.GetProperty("pValue").GetDouble(), cnn.GetProperty("pValue").GetDouble());
        Assert.Equal((pair.GetProperty("regressions").GetInt32(), pair.GetProperty("fixes").GetInt32()), (cnn.GetProperty("regressions").GetInt32(), cnn.GetProperty("fixes").GetInt32()));
        Assert.Equal(35, cnn.GetProperty("fixes").GetInt32() - cnn.GetProperty("regressions").GetInt32());

        var time = cnn.GetProperty("processingTimeMs");
        Assert.Equal(500, time.GetProperty("samples").GetInt32());
        Assert.InRange(time.GetProperty("p95").GetDouble(), time.GetProperty("p95Low").GetDouble(), time.GetProperty("p95High").GetDouble());
        Assert.True(time.GetProperty("p50").GetDouble() <= time.GetProperty("p95").GetDouble());
        Assert.True(cnn.GetProperty("itemsPerSecond").GetDouble() > 0);
        Assert.True(production.GetProperty("online").GetProperty("events").GetInt64() >= 0);
    }

    [Fact]
    public async Task Without_a_requirement_nothing_is_ready_with_one_the_CNN_is_and_a_processing_time_target_it_misses_says_by_how_much()
    {
        // The demo has no requirement: the board says so instead of passing the CNN.
        var before = await ModuleAsync(DemoContentLoader.FashionModule);
        Assert.False(Candidate(before, "fashion-cnn-v1").GetProperty("ready").GetBoolean());
        Assert.Contains("No requirement to check it against.", Strings(Candidate(before, "fashion-cnn-v1").GetProperty("reasons")));
        Assert.Contains(Strings(before.GetProperty("notes")), n => n.StartsWith("No requirement for this module", StringComparison.Ordinal));

        var moduleId = ModuleOf("fashion-cnn-v1");
        var dataset = RunOf("fashion-cnn-v1").GetProperty("datasetId").GetInt32();
        var first = await Client.PostAsJsonAsync($"/api/modules/{moduleId}/requirements", new
        {
            accuracyMetric = "accuracy",
            accuracyThreshold = 0.9,
            accuracyDatasetId = dataset,
            rationale = "The shop's search needs nine in ten right.",
        });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var fashion = await ModuleAsync(DemoContentLoader.FashionModule);
        var cnn = Candidate(fashion, "fashion-cnn-v1");
        Assert.True(cnn.GetProperty("ready").GetBoolean(), string.Join("; ", Strings(cnn.GetProperty("reasons"))));
        Assert.Empty(Strings(cnn.GetProperty("reasons")));
        Assert.Contains(Strings(fashion.GetProperty("notes")), n => n.Contains("sets no processing-time target", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Null, fashion.GetProperty("processingTimeTargetMs").ValueKind);

        var second = await Client.PostAsJsonAsync($"/api/modules/{moduleId}/requirements", new
        {
            offlineP95Ms = 0.001,
            accuracyMetric = "accuracy",
            accuracyThreshold = 0.9,
            accuracyDatasetId = dataset,
            rationale = "A microsecond.",
            basedOnVersion = 1,
        });
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        fashion = await ModuleAsync(DemoContentLoader.FashionModule);
        cnn = Candidate(fashion, "fashion-cnn-v1");
        Assert.False(cnn.GetProperty("ready").GetBoolean());
        var reason = Assert.Single(Strings(cnn.GetProperty("reasons")));
        Assert.StartsWith("Processing time p95 fails: ", reason);
        Assert.EndsWith("against ≤ 0.001 ms.", reason);
        Assert.Equal(0.001, fashion.GetProperty("processingTimeTargetMs").GetDouble());
    }

    [Fact]
    public async Task A_candidate_with_no_run_and_a_module_with_nothing_in_production_or_to_measure_on_say_which()
    {
        var moduleId = ModuleOf("fashion-cnn-v1");
        await AddVersionAsync(moduleId, "fashion-unevaluated");
        int newModule;
        await using (var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            var module = new Module { Name = "board-new-module", TaskType = TaskType.ImageClassification, InputDescription = "an image", OutputDescription = "a class", CreatedAt = DateTimeOffset.UtcNow };
            db.Modules.Add(module);
            await db.SaveChangesAsync();
            newModule = module.Id;
        }

        await AddVersionAsync(newModule, "first-try");

        var unevaluated = Candidate(await ModuleAsync(DemoContentLoader.FashionModule), "fashion-unevaluated");
        Assert.False(unevaluated.GetProperty("ready").GetBoolean());
        Assert.Contains("No completed run on fashion-mnist-test-2000: evaluate it there first.", Strings(unevaluated.GetProperty("reasons")));
        Assert.Equal(JsonValueKind.Null, unevaluated.GetProperty("headline").ValueKind);
        Assert.Equal("not compared", unevaluated.GetProperty("verdict").GetString());

        var fresh = await ModuleAsync("board-new-module");
        Assert.Equal(JsonValueKind.Null, fresh.GetProperty("production").ValueKind);
        var notes = Strings(fresh.GetProperty("notes"));
        Assert.Contains(notes, n => n.StartsWith("Nothing of this module is in production yet", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("No test set", StringComparison.Ordinal));
        var first = Candidate(fresh, "first-try");
        Assert.Equal("first version in production", first.GetProperty("verdict").GetString());
        Assert.False(first.GetProperty("ready").GetBoolean());
    }
}
