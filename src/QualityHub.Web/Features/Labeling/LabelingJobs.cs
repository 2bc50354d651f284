using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Labeling;
using QualityHub.Data;
using QualityHub.Web.Features.Gallery;

namespace QualityHub.Web.Features.Labeling;

/// <summary>
/// Labeling jobs: made from what QualityHub found needs labels (ground-truth flags, a gallery filter, a ticket's
/// regression set, picked samples), their money, dates and status, the versioned guide and the vendor's questions.
/// Deliveries, review and merging are <see cref="LabelingDeliveries"/>; the vendor's zip is <see cref="LabelingExport"/>.
/// </summary>
public sealed class LabelingJobs(IDbContextFactory<QualityHubDbContext> contextFactory, GalleryService gallery, TimeProvider clock)
{
    public const int MaxNameLength = 200;

    public async Task<LabelingOverview> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var jobs = await db.LabelingJobs.AsNoTracking().OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id).ToListAsync(cancellationToken);
        var views = await ViewsAsync(db, jobs, clock.GetUtcNow(), cancellationToken);
        return new LabelingOverview(views, Vendors(views));
    }

    /// <summary>The datasets with samples flagged for relabelling, and how many: what a job is most often made from.</summary>
    public async Task<IReadOnlyList<FlaggedDataset>> FlaggedDatasetsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.GroundTruthFlags.Join(db.Samples, f => f.SampleId, s => s.Id, (f, s) => s.DatasetId)
            .GroupBy(id => id).Select(g => new { Id = g.Key, Flags = g.Count() }).ToListAsync(cancellationToken);
        var ids = counts.Select(c => c.Id).ToList();
        var datasets = await db.Datasets.AsNoTracking().Where(d => ids.Contains(d.Id)).Select(d => new { d.Id, d.Name, Module = d.Module!.Name }).ToListAsync(cancellationToken);
        return datasets.Select(d => new FlaggedDataset(d.Id, d.Name, d.Module, counts.Single(c => c.Id == d.Id).Flags)).OrderBy(d => d.Name).ToList();
    }

    public async Task<LabelingJobDetail> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var job = await RequireJobAsync(db, id, cancellationToken);
        var view = (await ViewsAsync(db, [job], clock.GetUtcNow(), cancellationToken))[0];
        var guides = await db.LabelingGuideVersions.AsNoTracking().Where(g => g.JobId == id).OrderBy(g => g.Version)
            .Select(g => new LabelingGuideView(g.Version, g.Markdown, g.ExampleSampleIds, g.CreatedBy, g.CreatedAt)).ToListAsync(cancellationToken);
        var questions = await db.LabelingQuestions.AsNoTracking().Where(q => q.JobId == id).OrderBy(q => q.Id).ToListAsync(cancellationToken);
        var deliveries = await db.LabelingDeliveries.AsNoTracking().Where(d => d.JobId == id).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        return new LabelingJobDetail(view, guides, questions.Select(QuestionView).ToList(), await LabelingDeliveries.ViewsAsync(db, deliveries, cancellationToken));
    }

    public async Task<LabelingJobView> CreateAsync(LabelingJobInput input, string actor, CancellationToken cancellationToken = default)
    {
        var name = Text(input.Name, "name", MaxNameLength, required: true);
        var (unitPrice, currency, budget) = Money(input.UnitPrice ?? 0, input.Currency ?? "EUR", input.Budget ?? 0);
        var (datasetId, sampleIds, source) = await ResolveAsync(input.From ?? throw new LabelingException("from", "A job needs \"from\": { \"kind\": \"flags\" | \"gallery\" | \"ticket\" | \"samples\", … }, what its samples are picked from.", 400), cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == datasetId, cancellationToken)
            ?? throw new LabelingException("from", $"There is no dataset {datasetId}.", 404);
        if (dataset.ModuleId is not { } moduleId)
        {
            throw new LabelingException("from", $"Dataset \"{dataset.Name}\" belongs to no module; a labeling job labels a module's data.");
        }

        if (input.Quantity is { } quantity)
        {
            if (quantity < 1)
            {
                throw new LabelingException("quantity", $"quantity is the number of items to label, at least 1, not {quantity}.");
            }

            sampleIds = sampleIds.Take(quantity).ToList();
        }

        if (sampleIds.Count > LabelingRules.MaxItems)
        {
            throw new LabelingException("from", $"The source gives {sampleIds.Count:N0} samples; a job has at most {LabelingRules.MaxItems:N0}. Narrow it or set quantity.");
        }

        var labels = input.Labels is { Count: > 0 } given ? given.Select(l => l.Trim()).ToList() : dataset.Labels.ToList();
        if (labels.Any(l => l.Length == 0) || labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
        {
            throw new LabelingException("labels", "The label set must not repeat a label or contain an empty one.");
        }

        var gold = await PickGoldAsync(db, dataset, sampleIds, input, cancellationToken);
        var truths = await db.Samples.AsNoTracking().Where(s => gold.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.GroundTruth, cancellationToken);
        if (labels.Count > 0 && truths.Values.FirstOrDefault(t => !labels.Contains(t)) is { } outside)
        {
            throw new LabelingException("goldSampleIds", $"A gold item's label \"{outside}\" is not in the job's label set.");
        }

        var examples = await ExamplesAsync(db, datasetId, input.GuideExampleSampleIds, cancellationToken);
        var now = clock.GetUtcNow();
        // Items in a seeded shuffled order, so item ids do not tell the gold items (added last) from the rest.
        var items = sampleIds.Select(id => new LabelingJobItem { SampleId = id })
            .Concat(gold.Select(id => new LabelingJobItem { SampleId = id, IsGold = true, GoldLabel = truths[id] }))
            .ToArray();
        new Random(datasetId * 7919 + sampleIds.Count * 31 + gold.Count).Shuffle(items);
        var job = new LabelingJob
        {
            Name = name,
            ModuleId = moduleId,
            DatasetId = datasetId,
            Purpose = Text(input.Purpose, "purpose", 4000),
            Source = source,
            Labels = labels,
            Quantity = items.Length,
            UnitPrice = unitPrice,
            Currency = currency,
            Budget = budget,
            Deadline = input.Deadline,
            VendorName = Text(input.VendorName, "vendorName", 200),
            VendorContact = Text(input.VendorContact, "vendorContact", 400),
            CreatedBy = actor,
            CreatedAt = now,
            Items = [.. items],
        };
        db.LabelingJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        db.LabelingGuideVersions.Add(new LabelingGuideVersion
        {
            JobId = job.Id,
            Version = 1,
            Markdown = Text(input.Guide, "guide", LabelingRules.MaxGuideLength) is { Length: > 0 } guide ? guide : DefaultGuide(job, dataset),
            ExampleSampleIds = examples,
            CreatedBy = actor,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        return (await ViewsAsync(db, [job], clock.GetUtcNow(), cancellationToken))[0];
    }

    public async Task<LabelingJobView> UpdateAsync(int id, LabelingJobPatch patch, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var job = await db.LabelingJobs.SingleOrDefaultAsync(j => j.Id == id, cancellationToken) ?? throw NoJob(id);
        if (LabelingJobFlow.IsClosed(job.Status))
        {
            throw new LabelingException("status", $"Job {id} is {Status(job.Status)}; nothing about it changes any more.", 409);
        }

        if (patch.Name is not null)
        {
            job.Name = Text(patch.Name, "name", MaxNameLength, required: true);
        }

        job.Purpose = patch.Purpose is null ? job.Purpose : Text(patch.Purpose, "purpose", 4000);
        job.VendorName = patch.VendorName is null ? job.VendorName : Text(patch.VendorName, "vendorName", 200);
        job.VendorContact = patch.VendorContact is null ? job.VendorContact : Text(patch.VendorContact, "vendorContact", 400);
        job.Deadline = patch.Deadline ?? job.Deadline;
        (job.UnitPrice, job.Currency, job.Budget) = Money(patch.UnitPrice ?? job.UnitPrice, patch.Currency ?? job.Currency, patch.Budget ?? job.Budget);

        if (patch.Status is not null)
        {
            var to = ParseStatus(patch.Status);
            if (to == LabelingJobStatus.Merged)
            {
                throw new LabelingException("status", "A job is merged by POST /api/labeling-jobs/{id}/merge, which makes the new dataset version.", 409);
            }

            if (to == LabelingJobStatus.Delivered)
            {
                throw new LabelingException("status", "A job is delivered when a delivery is accepted: POST /api/labeling-jobs/{id}/deliveries.", 409);
            }

            if (to == LabelingJobStatus.Reviewed && await LabelingDeliveries.UndecidedAsync(db, id, cancellationToken) is > 0 and var undecided)
            {
                throw new LabelingException("status", $"{undecided} disagreement(s) of the latest delivery have no decision yet.", 409);
            }

            if (to != job.Status)
            {
                if (!LabelingJobFlow.CanMove(job.Status, to))
                {
                    throw new LabelingException("status", $"A {Status(job.Status)} job cannot become {Status(to)}; it can become {string.Join(" or ", LabelingJobFlow.Next(job.Status).Select(Status))}.", 409);
                }

                job.Status = to;
                if (to == LabelingJobStatus.Sent)
                {
                    job.SentAt = clock.GetUtcNow();
                }
            }
        }

        if (patch.Guide is not null || patch.GuideExampleSampleIds is not null)
        {
            await NewGuideVersionAsync(db, job, patch.Guide, patch.GuideExampleSampleIds, actor, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return (await ViewsAsync(db, [job], clock.GetUtcNow(), cancellationToken))[0];
    }

    public async Task<IReadOnlyList<LabelingQuestionView>> AskAsync(int id, LabelingQuestionInput input, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var job = await RequireJobAsync(db, id, cancellationToken);
        RequireOpen(job);
        var inputs = input.Questions is { Count: > 0 } many ? many : [input];
        var itemSamples = await db.LabelingJobItems.Where(i => i.JobId == id).Select(i => i.SampleId).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var added = new List<LabelingQuestion>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var field = inputs.Count == 1 ? "text" : $"questions[{i}].text";
            var question = new LabelingQuestion
            {
                JobId = job.Id,
                Text = Text(inputs[i].Text, field, LabelingRules.MaxQuestionLength, required: true),
                SampleId = inputs[i].SampleId,
                AskedBy = Text(inputs[i].AskedBy, "askedBy", 200) is { Length: > 0 } asker ? asker : actor,
                AskedAt = now,
            };
            if (question.SampleId is { } sampleId && !itemSamples.Contains(sampleId))
            {
                throw new LabelingException(inputs.Count == 1 ? "sampleId" : $"questions[{i}].sampleId", $"Sample {sampleId} is not an item of job {id}.");
            }

            added.Add(question);
        }

        db.LabelingQuestions.AddRange(added);
        await db.SaveChangesAsync(cancellationToken);
        return added.Select(QuestionView).ToList();
    }

    public async Task<LabelingQuestionView> AnswerAsync(int id, int questionId, LabelingAnswerInput input, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var question = await db.LabelingQuestions.SingleOrDefaultAsync(q => q.JobId == id && q.Id == questionId, cancellationToken)
            ?? throw new LabelingException("questionId", $"Job {id} has no question {questionId}.", 404);
        RequireOpen(await RequireJobAsync(db, id, cancellationToken));
        if (question.FoldedIntoGuideVersion is { } version)
        {
            throw new LabelingException("answer", $"The answer is already in guide version {version}; write a new clarification in the guide instead.", 409);
        }

        question.Answer = Text(input.Answer, "answer", LabelingRules.MaxQuestionLength, required: true);
        question.AddToGuide = input.AddToGuide;
        question.AnsweredBy = actor;
        question.AnsweredAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return QuestionView(question);
    }

    /// <summary>The guide's next version: the given text (or the current one), with the answers waiting to be added as Clarifications.</summary>
    private async Task NewGuideVersionAsync(QualityHubDbContext db, LabelingJob job, string? markdown, List<long>? exampleIds, string actor, CancellationToken cancellationToken)
    {
        var current = await db.LabelingGuideVersions.Where(g => g.JobId == job.Id).OrderByDescending(g => g.Version).FirstAsync(cancellationToken);
        var text = markdown is null ? current.Markdown : Text(markdown, "guide", LabelingRules.MaxGuideLength, required: true);
        var examples = exampleIds is null ? current.ExampleSampleIds : await ExamplesAsync(db, job.DatasetId, exampleIds, cancellationToken);
        var waiting = await db.LabelingQuestions.Where(q => q.JobId == job.Id && q.AddToGuide && q.Answer != null && q.FoldedIntoGuideVersion == null)
            .OrderBy(q => q.Id).ToListAsync(cancellationToken);
        if (waiting.Count > 0)
        {
            var clarifications = new StringBuilder(text.TrimEnd()).Append("\n\n## Clarifications (version ").Append(current.Version + 1).Append(")\n\n");
            foreach (var q in waiting)
            {
                clarifications.Append("- **Q").Append(q.SampleId is { } s ? $" (sample {s})" : "").Append(":** ").Append(OneLine(q.Text))
                    .Append("  \n  **A:** ").Append(OneLine(q.Answer!)).Append('\n');
                q.FoldedIntoGuideVersion = current.Version + 1;
            }

            text = clarifications.ToString();
        }

        if (text == current.Markdown && examples.SequenceEqual(current.ExampleSampleIds))
        {
            return;
        }

        if (text.Length > LabelingRules.MaxGuideLength)
        {
            throw new LabelingException("guide", $"The guide would have {text.Length:N0} characters; at most {LabelingRules.MaxGuideLength:N0}.");
        }

        db.LabelingGuideVersions.Add(new LabelingGuideVersion
        {
            JobId = job.Id,
            Version = current.Version + 1,
            Markdown = text,
            ExampleSampleIds = examples,
            CreatedBy = actor,
            CreatedAt = clock.GetUtcNow(),
        });
    }

    private async Task<(int DatasetId, List<long> SampleIds, string Source)> ResolveAsync(LabelingSourceInput from, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        switch (from.Kind?.Trim().ToLowerInvariant())
        {
            case "flags" or "relabel":
                {
                    var datasetId = from.DatasetId ?? throw new LabelingException("from.datasetId", "Flags are picked from a dataset: give from.datasetId.", 400);
                    var ids = await db.GroundTruthFlags.Join(db.Samples.Where(s => s.DatasetId == datasetId), f => f.SampleId, s => s.Id, (f, s) => s)
                        .OrderBy(s => s.Ordinal).Select(s => s.Id).ToListAsync(cancellationToken);
                    return (datasetId, NotEmpty(ids, $"Dataset {datasetId} has no samples flagged for relabelling."), $"ground-truth flags of dataset {datasetId}");
                }

            case "gallery":
                {
                    var runId = from.RunId ?? throw new LabelingException("from.runId", "A gallery belongs to a run: give from.runId and from.filter (the gallery's query, e.g. scope=failures&trueLabel=Shirt).", 400);
                    try
                    {
                        var run = await gallery.GetRunAsync(runId, cancellationToken);
                        var filter = GalleryFilter.Parse(from.Filter ?? "");
                        var ids = await gallery.GetSampleIdsAsync(run, filter, cancellationToken);
                        return (run.Summary.DatasetId, NotEmpty(ids, $"The gallery of run {runId} with \"{filter.ToQuery()}\" shows no samples."), $"gallery of run {runId}: {filter.ToQuery()}");
                    }
                    catch (GalleryException e)
                    {
                        throw new LabelingException(e.Field is null ? "from.filter" : $"from.{e.Field}", e.Message, e.StatusCode == 404 ? 404 : 422);
                    }
                }

            case "ticket":
                {
                    var ticketId = from.TicketId ?? throw new LabelingException("from.ticketId", "Give from.ticketId: the ticket whose regression set to label.", 400);
                    var ticket = await db.VocTickets.AsNoTracking().SingleOrDefaultAsync(t => t.Id == ticketId, cancellationToken)
                        ?? throw new LabelingException("from.ticketId", $"There is no ticket {ticketId}.", 404);
                    if (ticket.RegressionSampleId is not { } sampleId || await db.Samples.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sampleId, cancellationToken) is not { } sample)
                    {
                        throw new LabelingException("from.ticketId", $"Ticket {ticketId} added nothing to a regression set (its page's \"Add to the regression set\").");
                    }

                    var ids = await db.Samples.Where(s => s.DatasetId == sample.DatasetId).OrderBy(s => s.Ordinal).Select(s => s.Id).ToListAsync(cancellationToken);
                    return (sample.DatasetId, ids, $"regression set of ticket {ticketId} (dataset {sample.DatasetId})");
                }

            case "samples":
                {
                    var wanted = from.SampleIds is { Count: > 0 } list ? list.Distinct().ToList() : throw new LabelingException("from.sampleIds", "Give from.sampleIds: the samples to label.", 400);
                    var found = await db.Samples.Where(s => wanted.Contains(s.Id)).Select(s => new { s.Id, s.DatasetId, s.Ordinal }).ToListAsync(cancellationToken);
                    if (wanted.Except(found.Select(s => s.Id)).ToList() is { Count: > 0 } missing)
                    {
                        throw new LabelingException("from.sampleIds", $"There are no samples {string.Join(", ", missing.Take(20))}.", 404);
                    }

                    if (found.Select(s => s.DatasetId).Distinct().ToList() is { Count: > 1 } datasets)
                    {
                        throw new LabelingException("from.sampleIds", $"A job's samples come from one dataset (its merge makes that dataset's next version); these are from datasets {string.Join(", ", datasets)}.");
                    }

                    return (found[0].DatasetId, found.OrderBy(s => s.Ordinal).Select(s => s.Id).ToList(), $"{found.Count} picked samples of dataset {found[0].DatasetId}");
                }

            case "drift":
                throw new LabelingException("from.kind", "An online drift window cannot become a labeling job yet: production events carry descriptors and outputs but no image or sample reference, so there is nothing to send a vendor. Import the window's inputs as a dataset (Datasets → Import), then make the job from its samples.");
            default:
                throw new LabelingException("from.kind", $"from.kind must be flags, gallery, ticket or samples, not \"{from.Kind}\".", 400);
        }
    }

    private static async Task<List<long>> PickGoldAsync(QualityHubDbContext db, Dataset dataset, List<long> sampleIds, LabelingJobInput input, CancellationToken cancellationToken)
    {
        var flagged = db.GroundTruthFlags.Select(f => f.SampleId);
        if (input.GoldSampleIds is { Count: > 0 } picked)
        {
            var ids = picked.Distinct().ToList();
            var found = await db.Samples.Where(s => ids.Contains(s.Id) && s.DatasetId == dataset.Id).Select(s => s.Id).ToListAsync(cancellationToken);
            if (ids.Except(found).ToList() is { Count: > 0 } foreign)
            {
                throw new LabelingException("goldSampleIds", $"Samples {string.Join(", ", foreign.Take(20))} are not in dataset \"{dataset.Name}\".");
            }

            if (ids.Intersect(sampleIds).ToList() is { Count: > 0 } both)
            {
                throw new LabelingException("goldSampleIds", $"Samples {string.Join(", ", both.Take(20))} are already items to label; a gold item is one whose label we trust.");
            }

            if (await flagged.Where(id => ids.Contains(id)).ToListAsync(cancellationToken) is { Count: > 0 } doubted)
            {
                throw new LabelingException("goldSampleIds", $"Samples {string.Join(", ", doubted.Take(20))} are flagged as wrongly labelled and cannot be gold.");
            }

            return ids;
        }

        var count = input.GoldCount ?? 0;
        if (count is < 0 or > LabelingRules.MaxItems)
        {
            throw new LabelingException("goldCount", $"goldCount is the number of trusted samples hidden in the job, 0 to {LabelingRules.MaxItems:N0}, not {count}.");
        }

        if (count == 0)
        {
            return [];
        }

        var candidates = await db.Samples.Where(s => s.DatasetId == dataset.Id && !sampleIds.Contains(s.Id) && !flagged.Contains(s.Id))
            .OrderBy(s => s.Ordinal).Select(s => s.Id).ToListAsync(cancellationToken);
        if (candidates.Count < count)
        {
            throw new LabelingException("goldCount", $"Dataset \"{dataset.Name}\" has {candidates.Count} trusted samples outside the job, fewer than the {count} gold items asked for.");
        }

        // Seeded by the dataset, so the same request picks the same gold items.
        var shuffled = candidates.ToArray();
        new Random(dataset.Id).Shuffle(shuffled);
        return [.. shuffled.Take(count)];
    }

    private static async Task<List<long>> ExamplesAsync(QualityHubDbContext db, int datasetId, List<long>? ids, CancellationToken cancellationToken)
    {
        if (ids is not { Count: > 0 })
        {
            return [];
        }

        var distinct = ids.Distinct().ToList();
        var found = await db.Samples.Where(s => distinct.Contains(s.Id) && s.DatasetId == datasetId).Select(s => s.Id).ToListAsync(cancellationToken);
        return distinct.Except(found).ToList() is { Count: > 0 } foreign
            ? throw new LabelingException("guideExampleSampleIds", $"The guide's examples come from the job's dataset; samples {string.Join(", ", foreign.Take(20))} are not in it.")
            : distinct;
    }

    private static string DefaultGuide(LabelingJob job, Dataset dataset)
    {
        var guide = new StringBuilder($"# {job.Name}\n\n");
        if (job.Purpose.Length > 0)
        {
            guide.Append(job.Purpose).Append("\n\n");
        }

        guide.Append($"Give each image in `manifest.csv` one label. The images come from \"{dataset.Name}\".\n\n");
        if (job.Labels.Count > 0)
        {
            guide.Append("## Labels\n\n").AppendJoin("", job.Labels.Select(l => $"- `{l}`\n")).Append('\n');
            guide.Append("Use a label exactly as written above. If no label fits, ask a question instead of guessing.\n");
        }
        else
        {
            guide.Append("Write the text exactly as printed, without adding or dropping spaces.\n");
        }

        return guide.ToString();
    }

    internal static async Task<List<LabelingJobView>> ViewsAsync(QualityHubDbContext db, IReadOnlyList<LabelingJob> jobs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = jobs.Select(j => j.Id).ToList();
        var moduleIds = jobs.Select(j => j.ModuleId).Distinct().ToList();
        var datasetIds = jobs.Select(j => j.DatasetId).Distinct().ToList();
        var modules = await db.Modules.Where(m => moduleIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, cancellationToken);
        var datasets = await db.Datasets.Where(d => datasetIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, cancellationToken);
        var items = await db.LabelingJobItems.Where(i => ids.Contains(i.JobId)).GroupBy(i => i.JobId)
            .Select(g => new { JobId = g.Key, Items = g.Count(), Gold = g.Count(i => i.IsGold) }).ToDictionaryAsync(g => g.JobId, cancellationToken);
        var guides = await db.LabelingGuideVersions.Where(g => ids.Contains(g.JobId)).GroupBy(g => g.JobId)
            .Select(g => new { JobId = g.Key, Version = g.Max(v => v.Version) }).ToDictionaryAsync(g => g.JobId, g => g.Version, cancellationToken);
        var open = await db.LabelingQuestions.Where(q => ids.Contains(q.JobId) && q.Answer == null).GroupBy(q => q.JobId)
            .Select(g => new { JobId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.JobId, g => g.Count, cancellationToken);
        var latestIds = await db.LabelingDeliveries.Where(d => ids.Contains(d.JobId) && d.Accepted).GroupBy(d => d.JobId)
            .Select(g => g.Max(d => d.Id)).ToListAsync(cancellationToken);
        var latestDeliveries = await db.LabelingDeliveries.AsNoTracking().Where(d => latestIds.Contains(d.Id)).ToListAsync(cancellationToken);
        var latest = (await LabelingDeliveries.ViewsAsync(db, latestDeliveries, cancellationToken)).Zip(latestDeliveries).ToDictionary(p => p.Second.JobId, p => p.First);

        return jobs.Select(j =>
        {
            var counts = items.GetValueOrDefault(j.Id);
            return new LabelingJobView(
                j.Id, j.Name, j.ModuleId, modules.GetValueOrDefault(j.ModuleId, ""), j.DatasetId, datasets.GetValueOrDefault(j.DatasetId, ""), j.Purpose, j.Source, j.Labels,
                j.Quantity, counts?.Items ?? 0, counts?.Gold ?? 0, j.UnitPrice, j.Currency, LabelingJobFlow.Cost(j.Quantity, j.UnitPrice), j.Budget, j.Deadline,
                j.VendorName, j.VendorContact, Status(j.Status), LabelingJobFlow.Next(j.Status).Select(Status).ToList(),
                LabelingJobFlow.Flags(j.Quantity, j.UnitPrice, j.Budget, j.Currency, j.Deadline, j.Status, now),
                j.CreatedBy, j.CreatedAt, j.SentAt, j.DeliveredAt,
                j is { SentAt: { } sent, DeliveredAt: { } delivered } ? Math.Round((delivered - sent).TotalDays, 2) : null,
                j.MergedDatasetId, guides.GetValueOrDefault(j.Id), open.GetValueOrDefault(j.Id), latest.GetValueOrDefault(j.Id));
        }).ToList();
    }

    /// <summary>Per vendor: jobs, items and spend (items × unit price of every job not cancelled), delay and agreement of their deliveries.</summary>
    public static IReadOnlyList<VendorFigures> Vendors(IReadOnlyList<LabelingJobView> jobs) =>
        jobs.Where(j => j.Status != Status(LabelingJobStatus.Cancelled))
            .GroupBy(j => (Vendor: j.VendorName.Length == 0 ? "(no vendor named)" : j.VendorName, j.Currency))
            .Select(g =>
            {
                var days = g.Where(j => j.DaysToDeliver is not null).Select(j => j.DaysToDeliver!.Value).ToList();
                var gold = g.Where(j => j.LatestDelivery is { GoldItems: > 0 }).Select(j => j.LatestDelivery!).ToList();
                var compared = g.Where(j => j.LatestDelivery?.Kappa is not null).Select(j => j.LatestDelivery!).ToList();
                return new VendorFigures(
                    g.Key.Vendor, g.Count(), g.Sum(j => j.Quantity), g.Sum(j => j.Cost), g.Key.Currency,
                    days.Count == 0 ? null : Math.Round(days.Average(), 2),
                    g.Count(j => j is { Deadline: { } due, DeliveredAt: { } at } && at > due),
                    gold.Count == 0 ? null : gold.Sum(d => d.GoldAccuracy!.Value * d.GoldItems) / gold.Sum(d => d.GoldItems),
                    compared.Count == 0 ? null : compared.Sum(d => d.Kappa!.Value * d.CompareItems) / compared.Sum(d => d.CompareItems));
            })
            .OrderByDescending(v => v.Spend).ToList();

    internal static LabelingQuestionView QuestionView(LabelingQuestion q) =>
        new(q.Id, q.SampleId, q.Text, q.AskedBy, q.AskedAt, q.Answer, q.AnsweredBy, q.AnsweredAt, q.AddToGuide, q.FoldedIntoGuideVersion);

    internal static async Task<LabelingJob> RequireJobAsync(QualityHubDbContext db, int id, CancellationToken cancellationToken) =>
        await db.LabelingJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken) ?? throw NoJob(id);

    private static void RequireOpen(LabelingJob job)
    {
        if (LabelingJobFlow.IsClosed(job.Status))
        {
            throw new LabelingException("status", $"Job {job.Id} is {Status(job.Status)}; nothing about it changes any more.", 409);
        }
    }

    internal static LabelingException NoJob(int id) => new("id", $"There is no labeling job {id}.", 404);

    /// <summary>A status as the API writes it: draft, sent, inProgress, delivered, reviewed, merged, cancelled.</summary>
    public static string Status(LabelingJobStatus status) => JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    private static LabelingJobStatus ParseStatus(string text) =>
        Enum.TryParse<LabelingJobStatus>(text.Replace(" ", "").Replace("-", ""), ignoreCase: true, out var status) && Enum.IsDefined(status)
            ? status
            : throw new LabelingException("status", $"status must be one of {string.Join(", ", Enum.GetValues<LabelingJobStatus>().Select(Status))}, not \"{text}\".", 400);

    private static (decimal UnitPrice, string Currency, decimal Budget) Money(decimal unitPrice, string currency, decimal budget)
    {
        if (unitPrice < 0 || unitPrice > 1_000_000)
        {
            throw new LabelingException("unitPrice", $"unitPrice is the price of one item, 0 to 1,000,000, not {unitPrice}.");
        }

        if (budget < 0 || budget > 1_000_000_000)
        {
            throw new LabelingException("budget", $"budget is the job's total budget, 0 to 1,000,000,000, not {budget}.");
        }

        var code = currency.Trim().ToUpperInvariant();
        return code.Length == 3 && code.All(char.IsAsciiLetterUpper)
            ? (unitPrice, code, budget)
            : throw new LabelingException("currency", $"currency is a three-letter ISO 4217 code such as EUR or USD, not \"{currency}\".");
    }

    private static string Text(string? text, string field, int max, bool required = false)
    {
        var trimmed = text?.Trim() ?? "";
        if (required && trimmed.Length == 0)
        {
            throw new LabelingException(field, $"{field} must not be empty.");
        }

        return trimmed.Length <= max ? trimmed : throw new LabelingException(field, $"{field} has at most {max:N0} characters, not {trimmed.Length:N0}.");
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static List<long> NotEmpty(List<long> ids, string message) => ids.Count > 0 ? ids : throw new LabelingException("from", message);
}
