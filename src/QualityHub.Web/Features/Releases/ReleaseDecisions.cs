using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Requirements;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Requirements;

namespace QualityHub.Web.Features.Releases;

/// <summary>A requirement the quality manager accepts a release without, and why.</summary>
public sealed record WaiverInput(int ModuleId, string? Requirement, string? Reason);

/// <summary>The body of POST /api/releases/{id}/approve.</summary>
public sealed record ApprovalRequest(bool SignOff, IReadOnlyList<WaiverInput>? Waivers);

/// <summary>One line of a release's checklist: a module's version against one requirement, and whether it is waived.</summary>
public sealed record ChecklistItem(
    int ModuleId, string Module, int? ModelVersionId, string? Version, string Requirement, CheckOutcome Outcome, string Detail, bool Waivable, string? WaivedBecause)
{
    public bool Settled => Outcome == CheckOutcome.Pass || WaivedBecause is not null;
}

/// <summary>Everything a release must satisfy before it can be approved, and whether it does.</summary>
public sealed record ReleaseChecklist(int ReleaseId, string Release, ReleaseStatus Status, IReadOnlyList<string> MissingModules, IReadOnlyList<ChecklistItem> Items)
{
    public bool Ready => MissingModules.Count == 0 && Items.All(i => i.Settled);
}

/// <summary>When each version served each module, from the append-only history.</summary>
public sealed record ProductionPeriodView(int ModuleId, string Module, int ModelVersionId, string Version, int ReleaseId, string Release, DateTimeOffset From, DateTimeOffset? To);

/// <summary>
/// The release decision: a draft's checklist (every module in production present, every requirement met or waived with a reason,
/// no open blocker tickets), approval with sign-off that makes it current exactly once, release notes generated from
/// the metric deltas, waivers and fixed tickets, and the history of which version was in production when.
/// </summary>
public sealed class ReleaseDecisions(
    IDbContextFactory<QualityHubDbContext> contextFactory, RequirementCatalog requirements, ReleaseCatalog releases, Evaluations.RunComparer comparer, MeasuringRuns measuring)
{
    public const string BlockersRequirement = "Open blocker tickets";
    public const int MaxReasonLength = 4000;


    /// <summary>The checklist of a release with <paramref name="waivers"/> applied (for a draft) or its stored waivers (once approved); null when there is no such release.</summary>
    public async Task<ReleaseChecklist?> GetChecklistAsync(int releaseId, IReadOnlyList<WaiverInput>? waivers = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var release = await db.Releases.AsNoTracking().Include(r => r.Entries).ThenInclude(e => e.ModelVersion).SingleOrDefaultAsync(r => r.Id == releaseId, cancellationToken);
        if (release is null)
        {
            return null;
        }

        var stored = await db.ReleaseWaivers.AsNoTracking().Where(w => w.ReleaseId == releaseId).ToListAsync(cancellationToken);
        var applied = (waivers ?? stored.Select(w => new WaiverInput(w.ModuleId, w.Requirement, w.Reason)).ToList())
            .Where(w => !string.IsNullOrWhiteSpace(w.Reason)).ToList();
        // Every module in production must be in the release, so that no serving module is left out by accident; a module
        // that never served (a new pipeline and its stages) joins a release when it is ready.
        var modules = await db.Modules.AsNoTracking()
            .Where(m => db.ModelVersions.Any(v => v.ModuleId == m.Id && v.Status != ModelStatus.Retired) && db.ProductionHistory.Any(p => p.ModuleId == m.Id))
            .OrderBy(m => m.Name).ToListAsync(cancellationToken);
        var missing = modules.Where(m => release.Entries.All(e => e.ModuleId != m.Id)).Select(m => m.Name).ToList();

        var items = new List<ChecklistItem>();
        foreach (var entry in release.Entries.OrderBy(e => e.ModuleId))
        {
            var module = await db.Modules.AsNoTracking().SingleAsync(m => m.Id == entry.ModuleId, cancellationToken);
            var card = await requirements.GetScorecardAsync(entry.ModuleId, cancellationToken);
            string? Waived(string requirement) => applied.FirstOrDefault(w => w.ModuleId == entry.ModuleId && w.Requirement == requirement)?.Reason?.Trim();
            ChecklistItem Item(string requirement, CheckOutcome outcome, string detail, bool waivable) =>
                new(entry.ModuleId, module.Name, entry.ModelVersionId, entry.ModelVersion!.Name, requirement, outcome, detail, waivable,
                    waivable && outcome != CheckOutcome.Pass ? Waived(requirement) : null);

            // Blockers count whether or not the module has a requirement, and no reason ships past one.
            var blockers = await requirements.OpenBlockersAsync(entry.ModuleId, cancellationToken);
            items.Add(Item(BlockersRequirement, blockers == 0 ? CheckOutcome.Pass : CheckOutcome.Fail,
                blockers == 0 ? "No open blocker ticket on this module." : $"{blockers} open blocker ticket(s) on this module.", waivable: false));
            if (card?.Requirement is null)
            {
                items.Add(Item("Requirement", CheckOutcome.NotMeasured, $"{module.Name} has no requirement: nothing says what this version must meet.", waivable: true));
                continue;
            }

            var candidate = card.Candidates.FirstOrDefault(c => c.ModelVersionId == entry.ModelVersionId);
            if (candidate is null)
            {
                items.Add(Item("Version", CheckOutcome.Fail, $"{entry.ModelVersion!.Name} is retired; a release ships versions that are not.", waivable: false));
                continue;
            }

            foreach (var check in candidate.Checks.Where(c => c.Requirement != BlockersRequirement))
            {
                items.Add(Item(check.Requirement, check.Outcome,
                    $"{check.Target}: {(check.Value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "not measured")}. {check.Detail}", waivable: true));
            }
        }

        return new ReleaseChecklist(release.Id, release.Name, release.Status, missing, items);
    }

    /// <summary>
    /// Approves a draft: checks the request, then the checklist, then makes it current in one transaction — the previous
    /// current release is superseded, waivers, notes and the production history are written. A second approval of the
    /// same release, racing or late, is refused (409) and changes nothing.
    /// </summary>
    public async Task<ReleaseChecklist> ApproveAsync(int releaseId, ApprovalRequest request, string approvedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(approvedBy);

        if (!request.SignOff)
        {
            throw new ReleaseException("signOff must be true: approving a release is the quality manager's sign-off.", 422, "signOff");
        }

        var waivers = request.Waivers ?? [];
        for (var i = 0; i < waivers.Count; i++)
        {
            var reason = waivers[i].Reason?.Trim() ?? "";
            if (reason.Length is 0 or > MaxReasonLength || string.IsNullOrWhiteSpace(waivers[i].Requirement))
            {
                throw new ReleaseException($"waivers[{i}] needs a requirement and a reason of 1 to {MaxReasonLength} characters.", 422, $"waivers[{i}]");
            }
        }

        var checklist = await GetChecklistAsync(releaseId, waivers, cancellationToken) ?? throw new ReleaseException($"There is no release {releaseId}.", 404);
        if (checklist.Status != ReleaseStatus.Draft)
        {
            throw new ReleaseException($"Release {checklist.Release} is {checklist.Status.ToString().ToLowerInvariant()}, not a draft: it was approved already.", 409);
        }

        for (var i = 0; i < waivers.Count; i++)
        {
            if (!checklist.Items.Any(item => item.ModuleId == waivers[i].ModuleId && item.Requirement == waivers[i].Requirement && item.Waivable && item.Outcome != CheckOutcome.Pass))
            {
                throw new ReleaseException($"waivers[{i}] names {waivers[i].Requirement} of module {waivers[i].ModuleId}, which is not an unmet, waivable item of this release's checklist.", 422, $"waivers[{i}]");
            }
        }

        if (!checklist.Ready)
        {
            var unmet = checklist.MissingModules.Select(m => $"no version of module {m}")
                .Concat(checklist.Items.Where(i => !i.Settled).Select(i => $"{i.Module} {i.Requirement}: {(i.Outcome == CheckOutcome.Fail ? "fails" : "not measured")}{(i.Waivable ? " and is not waived" : " (cannot be waived)")}"));
            throw new ReleaseException($"Release {checklist.Release} cannot be approved yet: {string.Join("; ", unmet)}.", 422);
        }

        var now = DateTimeOffset.UtcNow;
        var notes = await NotesAsync(releaseId, approvedBy, now, waivers, cancellationToken);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Approvals of different drafts at once (on several instances) must not both find no other current release
        // to supersede: on PostgreSQL they take turns here, on SQLite the first update below makes them.
        await DatabaseLocks.HoldUntilCommitAsync(db.Database, DatabaseLocks.ReleaseApproval, cancellationToken: cancellationToken);

        // Only a draft becomes current: of two approvals at once, one updates the row and the other finds it changed.
        var won = await db.Releases.Where(r => r.Id == releaseId && r.Status == ReleaseStatus.Draft).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, ReleaseStatus.Current)
            .SetProperty(r => r.ApprovedBy, approvedBy)
            .SetProperty(r => r.ApprovedAt, now)
            .SetProperty(r => r.ReleaseNotes, notes), cancellationToken);
        if (won == 0)
        {
            throw new ReleaseException($"Release {checklist.Release} was approved by someone else a moment ago.", 409);
        }

        // The bulk updates pass the audit interceptor by, so the approval and what it supersedes are noted here.
        AuditInterceptor.Note(db, "approved Release", $"Release {releaseId}", $"{checklist.Release} approved by {approvedBy}; now current");
        var replaced = await db.Releases.Where(r => r.Id != releaseId && r.Status == ReleaseStatus.Current).Select(r => new { r.Id, r.Name }).ToListAsync(cancellationToken);
        await db.Releases.Where(r => r.Id != releaseId && r.Status == ReleaseStatus.Current)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReleaseStatus.Superseded), cancellationToken);
        foreach (var old in replaced)
        {
            AuditInterceptor.Note(db, "superseded Release", $"Release {old.Id}", $"{old.Name} superseded by {checklist.Release}");
        }

        var entries = await db.ReleaseEntries.Where(e => e.ReleaseId == releaseId).ToListAsync(cancellationToken);
        db.ReleaseWaivers.AddRange(waivers.Select(w => new ReleaseWaiver
        {
            ReleaseId = releaseId,
            ModuleId = w.ModuleId,
            Requirement = w.Requirement!,
            Reason = w.Reason!.Trim(),
            WaivedBy = approvedBy,
            CreatedAt = now,
        }));
        db.ProductionHistory.AddRange(entries.Select(e => new ProductionPeriod { ModuleId = e.ModuleId, ModelVersionId = e.ModelVersionId, ReleaseId = releaseId, From = now }));
        // The release's versions are released; the ones they replace in their modules are superseded (tracked, so audited).
        var versionIds = entries.Select(e => e.ModelVersionId).ToList();
        var moduleIds = entries.Select(e => e.ModuleId).ToList();
        var changing = await db.ModelVersions
            .Where(v => versionIds.Contains(v.Id) || (moduleIds.Contains(v.ModuleId) && v.Status == ModelStatus.Released))
            .ToListAsync(cancellationToken);
        foreach (var version in changing)
        {
            version.Status = versionIds.Contains(version.Id) ? ModelStatus.Released : ModelStatus.Superseded;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await GetChecklistAsync(releaseId, null, cancellationToken))!;
    }

    /// <summary>The release's notes: as stored at approval, or (for a draft) as they would be written now.</summary>
    public async Task<(string Notes, bool Stored)?> GetNotesAsync(int releaseId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var release = await db.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.Id == releaseId, cancellationToken);
        if (release is null)
        {
            return null;
        }

        if (release.ReleaseNotes is { } stored)
        {
            return (stored, true);
        }

        return release.Status == ReleaseStatus.Draft
            ? (await NotesAsync(releaseId, null, null, [], cancellationToken), false)
            : ($"Release {release.Name} was approved before QualityHub wrote release notes; its entries and metrics are on the Releases page.", false);
    }

    /// <summary>Every production period, newest first; a period lasts until the module's next one.</summary>
    public async Task<IReadOnlyList<ProductionPeriodView>> GetProductionHistoryAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ProductionHistory.AsNoTracking()
            .Join(db.Modules, p => p.ModuleId, m => m.Id, (p, m) => new { p, Module = m.Name })
            .Join(db.ModelVersions, x => x.p.ModelVersionId, v => v.Id, (x, v) => new { x.p, x.Module, Version = v.Name })
            .Join(db.Releases, x => x.p.ReleaseId, r => r.Id, (x, r) => new { x.p, x.Module, x.Version, Release = r.Name })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.p.ModuleId).SelectMany(g =>
        {
            var ordered = g.OrderBy(r => r.p.From).ThenBy(r => r.p.Id).ToList();
            return ordered.Select((r, i) => new ProductionPeriodView(
                r.p.ModuleId, r.Module, r.p.ModelVersionId, r.Version, r.p.ReleaseId, r.Release, r.p.From, i + 1 < ordered.Count ? ordered[i + 1].p.From : null));
        }).OrderByDescending(p => p.From).ThenBy(p => p.Module, StringComparer.Ordinal).ToList();
    }

    // The headline change against the serving version's run on the same test set, with the paired test's verdict.
    private async Task<string> DeltaAsync(ProductionPeriodView serving, ReleaseEntryView entry, CancellationToken cancellationToken)
    {
        if (entry.Metrics is not { Status: RunStatus.Completed } now)
        {
            return "";
        }

        var before = await measuring.OfVersionAsync(serving.ModelVersionId, now.DatasetId, cancellationToken);
        if (before is null)
        {
            return $": {serving.Version} has no completed run on {now.Dataset} to compare with";
        }

        var pair = (await comparer.CompareAsync([before.RunId, now.RunId], cancellationToken)).Pairs[0];
        return string.Create(CultureInfo.InvariantCulture, $": {now.HeadlineName} {pair.HeadlineDelta * 100:+0.00;-0.00} points, {pair.Verdict}{(pair.ProcessingP95DeltaMs is { } l ? $", processing time p95 {l:+0.000;-0.000} ms" : "")}");
    }

    private async Task<string> NotesAsync(int releaseId, string? approvedBy, DateTimeOffset? approvedAt, IReadOnlyList<WaiverInput> waivers, CancellationToken cancellationToken)
    {
        var release = await releases.GetReleaseAsync(releaseId, cancellationToken) ?? throw new ReleaseException($"There is no release {releaseId}.", 404);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var storedWaivers = await db.ReleaseWaivers.AsNoTracking().Where(w => w.ReleaseId == releaseId).ToListAsync(cancellationToken);
        var allWaivers = waivers.Select(w => (w.ModuleId, Requirement: w.Requirement!, Reason: w.Reason!.Trim()))
            .Concat(storedWaivers.Select(w => (w.ModuleId, w.Requirement, w.Reason))).ToList();

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Release {release.Name}");
        text.AppendLine();
        text.AppendLine(approvedBy is null || approvedAt is null
            ? "Draft: not approved yet."
            : string.Create(CultureInfo.InvariantCulture, $"Approved by {approvedBy} on {approvedAt.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC."));
        if (release.Rationale.Length > 0)
        {
            text.AppendLine();
            text.AppendLine(release.Rationale);
        }

        text.AppendLine();
        // Each model against what serves its module in production now (not against drafts made in between).
        var production = (await GetProductionHistoryAsync(cancellationToken)).Where(p => p.To is null && p.ReleaseId != releaseId).ToList();
        text.AppendLine("## Models");
        foreach (var entry in release.Entries)
        {
            var metrics = entry.Metrics?.Headline is { } h
                ? string.Create(CultureInfo.InvariantCulture, $"{entry.Metrics.HeadlineName} {h.Value:P2} (95 % CI {h.Low:P2}–{h.High:P2}) on {entry.Metrics.Dataset}")
                  + (entry.Metrics.ProcessingP95Ms is { } p95
                      ? string.Create(CultureInfo.InvariantCulture, $", processing time p95 {p95.Value:0.###} ms (95 % CI {p95.Low:0.###}–{p95.High:0.###}, one input at a time)")
                      : ", processing time not measured")
                : "not evaluated";
            var serving = production.FirstOrDefault(p => p.ModuleId == entry.ModuleId);
            var change = serving is null
                ? "the first version of this module in production"
                : serving.ModelVersionId == entry.ModelVersionId
                    ? $"unchanged from {serving.Release}"
                    : $"replaces {serving.Version} ({serving.Release}){await DeltaAsync(serving, entry, cancellationToken)}";
            text.AppendLine(CultureInfo.InvariantCulture, $"- {entry.Module}: {entry.Version} — {metrics}; {change}.");
        }

        if (allWaivers.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Requirements waived");
            foreach (var w in allWaivers)
            {
                var module = release.Entries.FirstOrDefault(e => e.ModuleId == w.ModuleId)?.Module ?? $"module {w.ModuleId}";
                text.AppendLine(CultureInfo.InvariantCulture, $"- {module}, {w.Requirement}: {w.Reason}");
            }
        }

        var fixedTickets = await db.VocTickets.AsNoTracking().Where(t => t.FixedInReleaseId == releaseId)
            .OrderBy(t => t.Id).Select(t => new { t.Id, t.Title, t.Severity, t.Status }).ToListAsync(cancellationToken);
        if (fixedTickets.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Tickets fixed");
            foreach (var t in fixedTickets)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- #{t.Id} {t.Title} ({t.Severity.ToString().ToLowerInvariant()}, {t.Status.ToString().ToLowerInvariant()})");
            }
        }

        return text.ToString();
    }
}
