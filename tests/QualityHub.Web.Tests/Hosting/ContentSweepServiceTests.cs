using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Web.Hosting;

namespace QualityHub.Web.Tests.Hosting;

/// <summary>The background sweep: one logged line per interval (its timer fired by the test's clock), none when off.</summary>
public sealed class ContentSweepServiceTests : IDisposable
{
    private readonly TempFolder folder = new();

    [Fact]
    public async Task Each_interval_sweeps_once_and_logs_one_line_with_the_report()
    {
        await using var services = await StorageAsync(interval: 360);
        var store = services.GetRequiredService<ContentStore>();
        var ticketImage = (await store.PutAsync(new byte[] { 1, 2, 3 })).Sha256;
        var orphan = (await store.PutAsync(new byte[] { 4, 5, 6 })).Sha256;
        File.SetLastWriteTimeUtc(store.PathOf(ticketImage), DateTime.UtcNow.AddHours(-5));
        File.SetLastWriteTimeUtc(store.PathOf(orphan), DateTime.UtcNow.AddHours(-5));
        await using (var db = await services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            db.VocTickets.Add(new VocTicket { Title = "t", InputImageSha256 = ticketImage, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var clock = new ManualClock();
        var log = new LineLog();
        using var service = Service(services, clock, log);

        await service.StartAsync(CancellationToken.None);
        await clock.TimerCreated;
        var beforeTick = log.Lines.Count;
        clock.FireTimers();
        var line = await log.FirstLine.WaitAsync(TimeSpan.FromMinutes(2)); // a guard against hanging, not a timing assertion
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(0, beforeTick);
        Assert.StartsWith("Content store sweep: 2 blobs: 1 referenced, 0 too young", line, StringComparison.Ordinal);
        Assert.Contains("deleted 1 (", line);
        Assert.Single(log.Lines);
        Assert.False(store.Contains(orphan));
        Assert.True(store.Contains(ticketImage));
    }

    [Fact]
    public async Task An_interval_of_0_turns_the_background_sweep_off()
    {
        await using var services = await StorageAsync(interval: 0);
        var clock = new ManualClock();
        var log = new LineLog();
        using var service = Service(services, clock, log);

        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!;

        Assert.False(clock.TimerCreated.IsCompleted);
        Assert.Empty(log.Lines);
    }

    [Fact]
    public async Task A_grace_window_under_a_minute_stops_the_start_naming_the_setting()
    {
        await using var services = await StorageAsync(interval: 360, grace: 0);
        using var service = Service(services, new ManualClock(), new LineLog());

        var refusal = await Assert.ThrowsAsync<StartupException>(() => service.StartAsync(CancellationToken.None));

        Assert.Contains("Storage:SweepGraceMinutes is 0", refusal.Message);
    }

    [Fact]
    public async Task The_app_runs_the_sweep_service()
    {
        await using var app = new QualityHubFactory();

        Assert.Single(app.Services.GetServices<IHostedService>().OfType<ContentSweepService>());
    }

    private static ContentSweepService Service(IServiceProvider services, TimeProvider clock, LineLog log) =>
        new(services.GetRequiredService<ContentSweeper>(), services.GetRequiredService<IOptions<StorageOptions>>(), clock, log);

    private async Task<ServiceProvider> StorageAsync(int interval, int grace = 60)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = folder.Path,
            ["Storage:SweepIntervalMinutes"] = interval.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage:SweepGraceMinutes"] = grace.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in TestDatabase.SettingsFor(folder.Path))
        {
            settings[key] = value;
        }

        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddQualityHubData(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var services = collection.BuildServiceProvider();
        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        return services;
    }

    public void Dispose() => folder.Dispose();

    /// <summary>The service's log, line by line as formatted.</summary>
    private sealed class LineLog : ILogger<ContentSweepService>
    {
        private readonly TaskCompletionSource<string> first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Lines { get; } = [];

        public Task<string> FirstLine => first.Task;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = formatter(state, exception);
            lock (Lines)
            {
                Lines.Add(line);
            }

            first.TrySetResult(line);
        }
    }
}
