using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Data;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Web.Features.Demo;
using QualityHub.Web.Features.Live;

namespace QualityHub.Web.Features.Health;

/// <summary>
/// GET /health: anonymous, the status alone — ok, or degraded (503 when the database does not answer; 200 when only
/// ONNX Runtime or a configured Redis is missing) — for load balancers and probes. GET /api/admin/health: the same check
/// in detail (database file, migrations, ONNX Runtime and its library, the engine, the demo content, Redis), for admins only: paths and versions help an attacker more than a probe.
/// </summary>
public static class HealthEndpoint
{
    public static IEndpointRouteBuilder MapHealthEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", StatusAsync).WithName("Health").AllowAnonymous()
            .Produces<HealthStatus>().Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    public static RouteGroupBuilder MapHealthDetailApi(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/health", CheckAsync).RequireAuthorization(Accounts.Policies.Administer)
            .Produces<HealthReport>().Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    private static async Task<IResult> StatusAsync(
        IDbContextFactory<QualityHubDbContext> contextFactory, IOptions<StorageOptions> storage, [FromServices] RedisLink? redis, CancellationToken cancellationToken)
    {
        var database = await CheckDatabaseAsync(contextFactory, storage.Value, cancellationToken);
        var live = redis?.Describe();
        return Results.Json(new HealthStatus(Overall(database, OnnxRuntimeInfo.Current.Available, live)), statusCode: StatusCode(database));
    }

    private static async Task<IResult> CheckAsync(
        IDbContextFactory<QualityHubDbContext> contextFactory, IOptions<StorageOptions> storage, InferenceEngine engine, DemoContentLoader demo,
        [FromServices] RedisLink? redis, CancellationToken cancellationToken)
    {
        var database = await CheckDatabaseAsync(contextFactory, storage.Value, cancellationToken);
        var onnx = OnnxRuntimeInfo.Current;
        var live = redis?.Describe();
        var report = new HealthReport(
            Status: Overall(database, onnx.Available, live),
            Database: database,
            OnnxRuntime: new OnnxRuntimeHealth(onnx.Available ? "ok" : "unavailable", onnx.Version, onnx.LibraryPath, onnx.Error),
            Inference: onnx.Available ? DescribeInference(engine) : null,
            DemoContent: demo.State,
            LiveUpdates: live);
        return Results.Json(report, statusCode: StatusCode(database));
    }

    // Without Redis (when one is configured) the instance serves everything but other instances' live news.
    private static string Overall(DatabaseHealth database, bool onnxRuntime, LiveHealth? live) =>
        database.Status == "ok" && onnxRuntime && live?.Status is null or "ok" ? "ok" : "degraded";

    // Without its database (or with migrations pending) the portal cannot serve; without ONNX Runtime it still shows everything stored.
    private static int StatusCode(DatabaseHealth database) => database.Status == "ok" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;

    private static async Task<DatabaseHealth> CheckDatabaseAsync(
        IDbContextFactory<QualityHubDbContext> contextFactory, StorageOptions storage, CancellationToken cancellationToken)
    {
        var path = storage.DescribeDatabase();
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
            var pending = db.Database.GetMigrations().Except(applied).ToList();
            return pending.Count == 0
                ? new DatabaseHealth("ok", path, applied.LastOrDefault(), null)
                : new DatabaseHealth("migrations pending", path, applied.LastOrDefault(), $"{pending.Count} migration(s) not applied");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new DatabaseHealth("error", path, null, e.Message);
        }
    }

    // The provider comes from loading a one-node model with the configured preference, so it is the one that runs.
    private static InferenceHealth DescribeInference(InferenceEngine engine)
    {
        var probe = engine.Provider;
        var snapshot = engine.Snapshot();
        return new InferenceHealth(
            Preference: probe.Preference.ToString().ToLowerInvariant(),
            Provider: probe.Provider?.ToString().ToUpperInvariant(),
            FallbackReason: probe.Reason,
            CompiledProviders: probe.CompiledProviders,
            Gpu: probe.Gpu,
            LoadedModels: snapshot.Models.Select(m => new LoadedModelHealth(m.DisplayName, m.Provider.ToString().ToUpperInvariant(), m.SizeBytes, m.QueueDepth)).ToList(),
            UsedBytes: snapshot.UsedBytes,
            BudgetBytes: snapshot.BudgetBytes,
            Evictions: snapshot.Evictions);
    }

    /// <summary>What anyone may know: ok, or degraded (the database, its migrations or ONNX Runtime are not right).</summary>
    public sealed record HealthStatus(string Status);

    /// <summary>The detail; <paramref name="LiveUpdates"/> is null on an instance without SignalR:Redis.</summary>
    public sealed record HealthReport(
        string Status, DatabaseHealth Database, OnnxRuntimeHealth OnnxRuntime, InferenceHealth? Inference, string DemoContent, LiveHealth? LiveUpdates);

    public sealed record InferenceHealth(
        string Preference, string? Provider, string? FallbackReason, IReadOnlyList<string> CompiledProviders, GpuDevice? Gpu,
        IReadOnlyList<LoadedModelHealth> LoadedModels, long UsedBytes, long BudgetBytes, long Evictions);

    public sealed record LoadedModelHealth(string Model, string Provider, long SizeBytes, int QueueDepth);

    public sealed record DatabaseHealth(string Status, string Path, string? Migration, string? Error);

    public sealed record OnnxRuntimeHealth(string Status, string? Version, string Library, string? Error);
}
