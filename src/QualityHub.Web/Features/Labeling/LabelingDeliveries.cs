using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Labeling;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Data.Drift;

namespace QualityHub.Web.Features.Labeling;

/// <summary>
/// A vendor's labels coming back: checked row by row before anything is kept, measured against the gold items and our
/// current labels, their disagreements reviewed, and merged into the dataset's next version (the old version stays).
/// </summary>
public sealed class LabelingDeliveries(IDbContextFactory<QualityHubDbContext> contextFactory, DatasetValidator validator, TimeProvider clock)
{
    /// <summary>At most this many problems are listed; the count says how many more.</summary>
    public const int MaxProblems = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Checks and stores a delivery. A delivery with any bad row is stored as refused with its report, and the <see cref="LabelingException"/> carries the report; nothing else changes.</summary>
    public async Task<LabelingDeliveryView> ReceiveAsync(int jobId, byte[] content, string fileName, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.LabelingJobs.SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken) ?? throw LabelingJobs.NoJob(jobId);
        if (job.Status is LabelingJobStatus.Draft or LabelingJobStatus.Merged or LabelingJobStatus.Cancelled)
        {
            throw new LabelingException("status", $"Job {jobId} is {LabelingJobs.Status(job.Status)}; deliveries are taken for a job that was sent and is not merged or cancelled.", 409);
        }

        var items = await db.LabelingJobItems.AsNoTracking().Where(i => i.JobId == jobId)
            .Join(db.Samples, i => i.SampleId, s => s.Id, (i, s) => new { Item = i, s.GroundTruth }).ToListAsync(cancellationToken);
        var (lines, unreadable) = DeliveryFile.Read(content, fileName);
        var problems = unreadable.ToList();
        var rows = problems.Count > 0 ? [] : Check(lines, items.Select(x => x.Item).ToList(), job.Labels, problems);

        var delivery = new LabelingDelivery
        {
            JobId = jobId,
            FileName = Path.GetFileName(fileName) is { Length: > 0 and <= 260 } name ? name : "delivery",
            ReceivedBy = actor,
            ReceivedAt = clock.GetUtcNow(),
            RowCount = lines.Count,
        };
        if (problems.Count > 0)
        {
            delivery.ReportJson = JsonSerializer.Serialize(problems.Take(MaxProblems), Json);
            db.LabelingDeliveries.Add(delivery);
            await db.SaveChangesAsync(cancellationToken);
            var more = problems.Count > MaxProblems ? $" (the first {MaxProblems} are listed)" : "";
            throw new LabelingException("file", $"Delivery {delivery.Id} was refused: {problems.Count} problem(s){more}. Nothing was taken; fix the rows and send the whole file again.", 422, problems.Take(MaxProblems).ToList());
        }

        var truth = items.ToDictionary(x => x.Item.Id, x => x.GroundTruth);
        var byId = items.ToDictionary(x => x.Item.Id, x => x.Item);
        delivery.Accepted = true;
        delivery.Rows = rows.Select(r => new LabelingDeliveryRow { ItemId = r.ItemId, SampleId = byId[r.ItemId].SampleId, Label = r.Label, CurrentLabel = truth[r.ItemId] }).ToList();
        var gold = rows.Where(r => byId[r.ItemId].IsGold).Select(r => (r.Label, byId[r.ItemId].GoldLabel!)).ToList();
        var compared = rows.Where(r => !byId[r.ItemId].IsGold).Select(r => (r.Label, truth[r.ItemId])).ToList();
        (delivery.GoldAccuracy, delivery.GoldItems) = (LabelAgreement.Accuracy(gold), gold.Count);
        (delivery.Kappa, delivery.CompareItems) = (LabelAgreement.CohenKappa(compared), compared.Count);
        db.LabelingDeliveries.Add(delivery);

        var now = clock.GetUtcNow();
        job.Status = delivery.Rows.Any(r => r.Label != r.CurrentLabel) ? LabelingJobStatus.Delivered : LabelingJobStatus.Reviewed;
        job.SentAt ??= now;
        job.DeliveredAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return await ViewAsync(db, delivery, cancellationToken);
    }

    /// <summary>The rows of a readable delivery as item ids and labels; every row that cannot be taken goes into <paramref name="problems"/>.</summary>
    public static List<(long ItemId, string Label)> Check(IReadOnlyList<DeliveryLine> lines, IReadOnlyList<LabelingJobItem> items, IReadOnlyList<string> labels, List<DeliveryProblem> problems)
    {
        var byItem = items.ToDictionary(i => i.Id);
        var bySample = items.ToDictionary(i => i.SampleId);
        var labelSet = labels.ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<long, int>();
        // Items some row names, taken or not: a row with a bad label or a repeat is reported as such, its item not as missing.
        var named = new HashSet<long>();
        var rows = new List<(long, string)>();
        foreach (var line in lines)
        {
            var name = line.ItemId ?? line.SampleId;
            LabelingJobItem? item = null;
            if (line.ItemId is not null)
            {
                item = long.TryParse(line.ItemId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? byItem.GetValueOrDefault(id) : null;
                if (item is null)
                {
                    problems.Add(new(line.Row, name, "item_id", $"item_id \"{line.ItemId}\" is not an item of this job."));
                    continue;
                }

                named.Add(item.Id);
            }

            if (line.SampleId is not null)
            {
                var bySampleId = long.TryParse(line.SampleId, NumberStyles.None, CultureInfo.InvariantCulture, out var sid) ? bySample.GetValueOrDefault(sid) : null;
                if (bySampleId is null)
                {
                    problems.Add(new(line.Row, name, "sample_id", $"sample_id \"{line.SampleId}\" is not a sample of this job."));
                    continue;
                }

                if (item is not null && item != bySampleId)
                {
                    problems.Add(new(line.Row, name, "sample_id", $"item {item.Id} is sample {item.SampleId}, not {line.SampleId}."));
                    continue;
                }

                item = bySampleId;
                named.Add(item.Id);
            }

            if (item is null)
            {
                problems.Add(new(line.Row, null, "item_id", "The row names neither an item_id nor a sample_id."));
                continue;
            }

            if (line.Label is not { Length: > 0 } label)
            {
                problems.Add(new(line.Row, name, "label", "The row has no label."));
                continue;
            }

            if (labelSet.Count > 0 && !labelSet.Contains(label))
            {
                problems.Add(new(line.Row, name, "label", $"\"{label}\" is not in the job's label set ({string.Join(", ", labels)})."));
                continue;
            }

            if (seen.TryGetValue(item.Id, out var first))
            {
                problems.Add(new(line.Row, name, "item_id", $"item {item.Id} is labelled again; row {first} labelled it first."));
                continue;
            }

            seen[item.Id] = line.Row;
            rows.Add((item.Id, label));
        }

        foreach (var missing in items.Where(i => !named.Contains(i.Id)).OrderBy(i => i.Id))
        {
            problems.Add(new(0, missing.Id.ToString(CultureInfo.InvariantCulture), "item_id", $"item {missing.Id} (sample {missing.SampleId}) has no label in the delivery."));
        }

        return rows;
    }

    public async Task<IReadOnlyList<DisagreementView>> DisagreementsAsync(int jobId, int? deliveryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var delivery = await DeliveryAsync(db, jobId, deliveryId, cancellationToken);
        var rows = await db.LabelingDeliveryRows.AsNoTracking().Where(r => r.DeliveryId == delivery.Id && r.Label != r.CurrentLabel)
            .Join(db.Samples, r => r.SampleId, s => s.Id, (r, s) => new { r, s.Ordinal })
            .Join(db.LabelingJobItems, x => x.r.ItemId, i => i.Id, (x, i) => new { x.r, x.Ordinal, i.IsGold })
            .OrderBy(x => x.Ordinal).ToListAsync(cancellationToken);
        return rows.Select(x => new DisagreementView(x.r.Id, x.r.SampleId, x.Ordinal, x.IsGold, x.r.CurrentLabel, x.r.Label,
            x.r.Decision is { } d ? DecisionName(d) : null, x.r.DecidedBy, $"/api/samples/{x.r.SampleId}/image")).ToList();
    }

    /// <summary>Records decisions on a delivery's disagreements; the job is reviewed once every one has a decision.</summary>
    public async Task<LabelingDeliveryView> ReviewAsync(int jobId, int? deliveryId, ReviewInput input, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.LabelingJobs.SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken) ?? throw LabelingJobs.NoJob(jobId);
        if (job.Status is not (LabelingJobStatus.Delivered or LabelingJobStatus.Reviewed))
        {
            throw new LabelingException("status", $"Job {jobId} is {LabelingJobs.Status(job.Status)}; disagreements are reviewed once a delivery is in and before it is merged.", 409);
        }

        var delivery = await DeliveryAsync(db, jobId, deliveryId, cancellationToken);
        if (input.Decisions is not { Count: > 0 } decisions)
        {
            throw new LabelingException("decisions", "Send decisions: [{ \"rowId\" or \"sampleId\": …, \"decision\": \"acceptVendor\" | \"keepOurs\" | \"ambiguous\" }].", 400);
        }

        var rows = await db.LabelingDeliveryRows.Where(r => r.DeliveryId == delivery.Id && r.Label != r.CurrentLabel).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        for (var i = 0; i < decisions.Count; i++)
        {
            var d = decisions[i];
            var row = rows.FirstOrDefault(r => r.Id == d.RowId || (d.RowId is null && r.SampleId == d.SampleId))
                ?? throw new LabelingException($"decisions[{i}]", $"Delivery {delivery.Id} has no disagreement {(d.RowId is { } id ? $"row {id}" : $"on sample {d.SampleId}")}.", 404);
            row.Decision = Enum.TryParse<ReviewDecision>(d.Decision, ignoreCase: true, out var decision) && Enum.IsDefined(decision)
                ? decision
                : throw new LabelingException($"decisions[{i}].decision", $"decision must be acceptVendor, keepOurs or ambiguous, not \"{d.Decision}\".", 400);
            (row.DecidedBy, row.DecidedAt) = (actor, now);
        }

        if (delivery.Id == await LatestAcceptedIdAsync(db, jobId, cancellationToken))
        {
            job.Status = rows.All(r => r.Decision is not null) ? LabelingJobStatus.Reviewed : LabelingJobStatus.Delivered;
        }

        await db.SaveChangesAsync(cancellationToken);
        return await ViewAsync(db, delivery, cancellationToken);
    }

    /// <summary>
    /// Makes the dataset's next version from a reviewed delivery: the same images (by hash), the vendor's label where
    /// the curator accepted it; closes the ground-truth flags the review settled; the job becomes merged; the version is
    /// checked against the module's data rules. A delivery merges once.
    /// </summary>
    public async Task<MergeResult> MergeAsync(int jobId, MergeInput input, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.LabelingJobs.SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken) ?? throw LabelingJobs.NoJob(jobId);
        var delivery = await DeliveryAsync(db, jobId, input.DeliveryId, cancellationToken);
        if (delivery.MergedDatasetId is not null || job.Status == LabelingJobStatus.Merged)
        {
            throw new LabelingException("deliveryId", $"Delivery {delivery.Id} of job {jobId} is already merged (dataset {delivery.MergedDatasetId?.ToString(CultureInfo.InvariantCulture) ?? "since deleted"}); a delivery merges once.", 409);
        }

        if (delivery.Id != await LatestAcceptedIdAsync(db, jobId, cancellationToken))
        {
            throw new LabelingException("deliveryId", $"Delivery {delivery.Id} is not job {jobId}'s latest accepted delivery; the review and the merge are of the latest one.", 409);
        }

        if (job.Status != LabelingJobStatus.Reviewed)
        {
            throw new LabelingException("status", $"Job {jobId} is {LabelingJobs.Status(job.Status)}; it merges once every disagreement of its delivery has a decision (reviewed).", 409);
        }

        var old = await db.Datasets.AsNoTracking().SingleAsync(d => d.Id == job.DatasetId, cancellationToken);
        var baseName = old.Version > 1 && old.Name.EndsWith($" v{old.Version}", StringComparison.Ordinal) ? old.Name[..^$" v{old.Version}".Length] : old.Name;
        var name = $"{baseName} v{old.Version + 1}";
        if (name.Length > 200 || await db.Datasets.AnyAsync(d => d.Name == name, cancellationToken))
        {
            throw new LabelingException("dataset", $"A dataset named \"{name}\" exists already: another merge made version {old.Version + 1} of \"{old.Name}\". Make the job again from that version.", 409);
        }

        var rows = await db.LabelingDeliveryRows.AsNoTracking().Where(r => r.DeliveryId == delivery.Id).ToListAsync(cancellationToken);
        var accepted = rows.Where(r => r.Decision == ReviewDecision.AcceptVendor && r.Label != r.CurrentLabel).ToDictionary(r => r.SampleId, r => r.Label);
        var settled = rows.Where(r => r.Decision is ReviewDecision.AcceptVendor or ReviewDecision.KeepOurs || r.Label == r.CurrentLabel).ToDictionary(r => r.SampleId);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var dataset = new Dataset
        {
            Name = name,
            ModuleId = old.ModuleId,
            TaskType = old.TaskType,
            Split = old.Split,
            Source = $"{old.Name} relabelled by labeling job {job.Id} ({(job.VendorName.Length > 0 ? job.VendorName : "vendor")}, delivery {delivery.Id})",
            LicenceId = old.LicenceId,
            CommercialUseAllowed = old.CommercialUseAllowed,
            Attribution = old.Attribution,
            Labels = old.Labels,
            CreatedAt = now,
            Version = old.Version + 1,
            PreviousVersionId = old.Id,
        };
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync(cancellationToken);

        // The delivery is claimed for this merge first, so a merge racing this one finds it taken and refuses.
        var claimed = await db.LabelingDeliveries.Where(d => d.Id == delivery.Id && d.MergedDatasetId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.MergedDatasetId, dataset.Id), cancellationToken);
        if (claimed != 1)
        {
            throw new LabelingException("deliveryId", $"Delivery {delivery.Id} of job {jobId} is already merged; a delivery merges once.", 409);
        }

        var samples = await db.Samples.AsNoTracking().Where(s => s.DatasetId == old.Id).OrderBy(s => s.Ordinal).ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var chunk in samples.Chunk(5000))
        {
            db.Samples.AddRange(chunk.Select(s =>
            {
                var label = accepted.GetValueOrDefault(s.Id, s.GroundTruth);
                changed += label == s.GroundTruth ? 0 : 1;
                return new Sample { DatasetId = dataset.Id, Ordinal = s.Ordinal, ImageSha256 = s.ImageSha256, Width = s.Width, Height = s.Height, GroundTruth = label, Tags = [.. s.Tags] };
            }));
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        var settledIds = settled.Keys.ToList();
        var flags = await db.GroundTruthFlags.Where(f => settledIds.Contains(f.SampleId)).ToListAsync(cancellationToken);
        foreach (var flag in flags)
        {
            var row = settled[flag.SampleId];
            var outcome = accepted.TryGetValue(flag.SampleId, out var label)
                ? $"relabelled \"{row.CurrentLabel}\" → \"{label}\""
                : $"kept \"{row.CurrentLabel}\"";
            db.SampleNotes.Add(new SampleNote
            {
                SampleId = flag.SampleId,
                Text = $"Ground-truth flag closed by labeling job {job.Id}: {outcome} in dataset \"{name}\" (version {dataset.Version}). The flag said: {(flag.SuggestedLabel is { } s ? $"suggested \"{s}\"; " : "")}{flag.Reason}",
                Author = actor,
                CreatedAt = now,
            });
            db.GroundTruthFlags.Remove(flag);
        }

        job.Status = LabelingJobStatus.Merged;
        job.MergedDatasetId = dataset.Id;
        db.LabelingJobs.Update(job);
        db.AuditEntries.Add(new AuditEntry
        {
            At = now,
            Actor = actor,
            Action = "labeling.merge",
            Target = $"Labeling job {job.Id}",
            Details = $"delivery {delivery.Id} → dataset {dataset.Id} \"{name}\": {changed} label(s) changed, {flags.Count} flag(s) closed",
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The new version is checked against the module's data rules like any imported dataset.
        await validator.ValidateAsync(dataset.Id, cancellationToken: cancellationToken);
        return new MergeResult(job.Id, delivery.Id, dataset.Id, name, dataset.Version, old.Id, samples.Count, changed, flags.Count);
    }

    /// <summary>A decision as the API writes it: acceptVendor, keepOurs, ambiguous.</summary>
    public static string DecisionName(ReviewDecision decision) => JsonNamingPolicy.CamelCase.ConvertName(decision.ToString());

    internal static async Task<int> UndecidedAsync(QualityHubDbContext db, int jobId, CancellationToken cancellationToken) =>
        await LatestAcceptedIdAsync(db, jobId, cancellationToken) is { } id
            ? await db.LabelingDeliveryRows.CountAsync(r => r.DeliveryId == id && r.Label != r.CurrentLabel && r.Decision == null, cancellationToken)
            : 0;

    internal static async Task<LabelingDeliveryView> ViewAsync(QualityHubDbContext db, LabelingDelivery delivery, CancellationToken cancellationToken) =>
        (await ViewsAsync(db, [delivery], cancellationToken))[0];

    /// <summary>The views of <paramref name="deliveries"/>, in their order: one query for all their changed-label counts.</summary>
    internal static async Task<List<LabelingDeliveryView>> ViewsAsync(QualityHubDbContext db, IReadOnlyList<LabelingDelivery> deliveries, CancellationToken cancellationToken)
    {
        var ids = deliveries.Select(d => d.Id).ToList();
        var counts = await db.LabelingDeliveryRows.Where(r => ids.Contains(r.DeliveryId) && r.Label != r.CurrentLabel).GroupBy(r => r.DeliveryId)
            .Select(g => new { Id = g.Key, All = g.Count(), Undecided = g.Count(r => r.Decision == null) }).ToDictionaryAsync(c => c.Id, cancellationToken);
        return deliveries.Select(d =>
        {
            var changed = counts.GetValueOrDefault(d.Id);
            var problems = JsonSerializer.Deserialize<List<DeliveryProblem>>(d.ReportJson, Json) ?? [];
            return new LabelingDeliveryView(d.Id, d.FileName, d.ReceivedAt, d.Accepted, d.RowCount, problems, d.GoldAccuracy, d.GoldItems, d.Kappa, d.CompareItems,
                changed?.All ?? 0, changed?.Undecided ?? 0, d.MergedDatasetId);
        }).ToList();
    }

    private static async Task<int?> LatestAcceptedIdAsync(QualityHubDbContext db, int jobId, CancellationToken cancellationToken) =>
        await db.LabelingDeliveries.Where(d => d.JobId == jobId && d.Accepted).OrderByDescending(d => d.Id).Select(d => (int?)d.Id).FirstOrDefaultAsync(cancellationToken);

    private static async Task<LabelingDelivery> DeliveryAsync(QualityHubDbContext db, int jobId, int? deliveryId, CancellationToken cancellationToken)
    {
        if (!await db.LabelingJobs.AnyAsync(j => j.Id == jobId, cancellationToken))
        {
            throw LabelingJobs.NoJob(jobId);
        }

        var id = deliveryId ?? await LatestAcceptedIdAsync(db, jobId, cancellationToken)
            ?? throw new LabelingException("deliveryId", $"Job {jobId} has no accepted delivery yet.", 404);
        var delivery = await db.LabelingDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.JobId == jobId && d.Id == id, cancellationToken)
            ?? throw new LabelingException("deliveryId", $"Job {jobId} has no delivery {id}.", 404);
        return delivery.Accepted ? delivery : throw new LabelingException("deliveryId", $"Delivery {id} was refused; nothing in it can be reviewed or merged.", 409);
    }
}
