using System.Globalization;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Capacity;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Requirements;

/// <summary>
/// Where the capacity planner starts for one version: what its measuring run measured (session memory, QPS per
/// instance, the device's ceiling, the device) and what its module's current requirement asks (QPS, the stated GPU's
/// memory, the budget). <see cref="Missing"/> says what was not measured, so the page and the API say it rather than
/// guess.
/// </summary>
public sealed record CapacityStart(
    int ModelVersionId, string Version, int? RunId, string? Dataset, CapacityMeasurement? Measured,
    double? TargetQps, double? RequiredDeviceMemoryGb, decimal? BudgetPerMonth, IReadOnlyList<string> Missing)
{
    /// <summary>The device memory to plan for: the requirement's stated hardware, else the measuring device's.</summary>
    public double? DeviceMemoryGb => RequiredDeviceMemoryGb ?? Measured?.DeviceMemoryGb;

    /// <summary>
    /// What a question asks beyond what was measured — each such value is a what-if, and the answer says so (a different
    /// device keeps the measured device's compute ceiling: only its memory is modelled).
    /// </summary>
    public IReadOnlyList<string> WhatIfs(CapacityQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var notes = new List<string>();
        static bool Differs(double asked, double? measured) => measured is { } m && Math.Abs(asked - m) > Math.Max(1e-12, Math.Abs(m) * 0.005);
        static string Gb(double value) => value.ToString(value < 0.1 ? "0.#####" : "0.##", CultureInfo.InvariantCulture);
        if (Measured is not { } measured)
        {
            return notes;
        }

        if (Differs(question.ModelMemoryGb, measured.SessionMemoryGb))
        {
            notes.Add($"Model memory {Gb(question.ModelMemoryGb)} GB is a what-if: run #{RunId} measured {Gb(measured.SessionMemoryGb!.Value)} GB per session.");
        }

        if (question.QpsPerInstance is { } qps && Differs(qps, measured.QpsPerInstance))
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{qps:N0} QPS per instance is a what-if: run #{RunId} measured {measured.QpsPerInstance:N0} (one input at a time)."));
        }

        if (question.DeviceQpsCeiling is { } ceiling && Differs(ceiling, measured.DeviceQpsCeiling))
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"A device ceiling of {ceiling:N0} QPS is a what-if: run #{RunId} measured {measured.DeviceQpsCeiling:N0} QPS with batching."));
        }

        if (Differs(question.DeviceMemoryGb, measured.DeviceMemoryGb))
        {
            notes.Add($"The {Gb(question.DeviceMemoryGb)} GB device was not measured ({measured.Device}, {Gb(measured.DeviceMemoryGb!.Value)} GB, was): " +
                "instances are modelled from its memory, and its compute is taken to be the measured device's.");
        }

        return notes;
    }
}

/// <summary>Reads <see cref="CapacityStart"/>s from the measuring runs (the one rule of <see cref="MeasuringRuns"/>) and the requirements.</summary>
public sealed class CapacityStarts(IDbContextFactory<QualityHubDbContext> contextFactory, MeasuringRuns measuring)
{
    /// <summary>The start of every version of a module that is neither retired nor superseded, measured ones first.</summary>
    public async Task<IReadOnlyList<CapacityStart>> ForModuleAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var versions = await db.ModelVersions.AsNoTracking()
            .Where(v => v.ModuleId == moduleId && v.Status != ModelStatus.Retired && v.Status != ModelStatus.Superseded)
            .OrderBy(v => v.CreatedAt).ThenBy(v => v.Id).Select(v => new { v.Id, v.Name }).ToListAsync(cancellationToken);
        var requirement = await db.Requirements.AsNoTracking().Where(r => r.ModuleId == moduleId).OrderByDescending(r => r.Version).FirstOrDefaultAsync(cancellationToken);
        var testSet = await measuring.TestSetAsync(moduleId, cancellationToken);
        var runs = testSet is null ? new Dictionary<int, MeasuringRun>() : await measuring.OfVersionsAsync(versions.Select(v => v.Id).ToList(), testSet.DatasetId, cancellationToken);
        return versions
            .Select(v => Start(v.Id, v.Name, runs.GetValueOrDefault(v.Id), testSet, requirement))
            .OrderBy(s => s.Measured?.SessionMemoryGb is null ? 1 : 0)
            .ToList();
    }

    /// <summary>The start of one version; null when there is no such version.</summary>
    public async Task<CapacityStart?> ForVersionAsync(int versionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await db.ModelVersions.Where(v => v.Id == versionId).Select(v => new { v.ModuleId, v.Name }).SingleOrDefaultAsync(cancellationToken) is not { } found)
        {
            return null;
        }

        var (moduleId, version) = (found.ModuleId, found.Name);
        var requirement = await db.Requirements.AsNoTracking().Where(r => r.ModuleId == moduleId).OrderByDescending(r => r.Version).FirstOrDefaultAsync(cancellationToken);
        var testSet = await measuring.TestSetAsync(moduleId, cancellationToken);
        var run = testSet is null ? null : await measuring.OfVersionAsync(versionId, testSet.DatasetId, cancellationToken);
        return Start(versionId, version, run, testSet, requirement);
    }

    private static CapacityStart Start(int versionId, string version, MeasuringRun? run, ModuleTestSet? testSet, Requirement? requirement)
    {
        var measured = run is null ? null : CapacityMeasurement.Of(run.RunId, run.Metrics);
        var missing = new List<string>();
        if (testSet is null)
        {
            missing.Add("The module has no test set to measure on.");
        }
        else if (run is null)
        {
            missing.Add($"{version} has no completed run on {testSet.Dataset}.");
        }
        else
        {
            if (measured!.SessionMemoryGb is null)
            {
                missing.Add($"Run #{run.RunId} predates memory measurement: evaluate {version} again to measure a session's memory.");
            }

            if (measured.QpsPerInstance is null)
            {
                missing.Add($"Run #{run.RunId} measured no throughput.");
            }
        }

        if (requirement?.TargetQps is null)
        {
            missing.Add("The module's requirement states no target QPS.");
        }

        return new CapacityStart(versionId, version, run?.RunId, run?.Dataset, measured, requirement?.TargetQps, requirement?.GpuMemoryGb, requirement?.BudgetPerMonth, missing);
    }
}
