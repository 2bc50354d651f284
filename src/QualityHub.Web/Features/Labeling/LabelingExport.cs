using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Labeling;
using QualityHub.Data;
using QualityHub.Data.Content;

namespace QualityHub.Web.Features.Labeling;

/// <summary>
/// The zip a vendor gets: images/&lt;sample id&gt;.png, guide.md (the latest guide version, what changed since the one
/// before, its example images under examples/), qna.md (the answered questions), manifest.csv and manifest.jsonl
/// (item_id, sample_id, image, width, height, sha256: no labels, no gold marks) and README.md with the delivery format.
/// Every sample's licence is checked before the first byte.
/// </summary>
public sealed class LabelingExport(IDbContextFactory<QualityHubDbContext> contextFactory, ContentStore store)
{
    /// <summary>Writes the job's zip to a temporary file and returns it open at its start (deleted when closed); refuses, naming the samples, when a licence forbids sharing or an image is missing.</summary>
    public async Task<(Stream Zip, string FileName)> ExportAsync(int jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var job = await LabelingJobs.RequireJobAsync(db, jobId, cancellationToken);
        if (job.Status is LabelingJobStatus.Cancelled)
        {
            throw new LabelingException("status", $"Job {jobId} is cancelled; there is nothing to send.", 409);
        }

        var items = await db.LabelingJobItems.AsNoTracking().Where(i => i.JobId == jobId)
            .Join(db.Samples, i => i.SampleId, s => s.Id, (i, s) => new { ItemId = i.Id, s.Id, s.ImageSha256, s.Width, s.Height, s.DatasetId, s.GroundTruth })
            .OrderBy(x => x.ItemId).ToListAsync(cancellationToken);
        var datasetIds = items.Select(i => i.DatasetId).Distinct().ToList();
        var datasets = await db.Datasets.AsNoTracking().Where(d => datasetIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken);
        var refused = items.Select(i => (i.Id, Reason: LicenceSharing.Refusal(datasets[i.DatasetId].LicenceId, datasets[i.DatasetId].CommercialUseAllowed), Dataset: datasets[i.DatasetId].Name))
            .Where(x => x.Reason is not null).ToList();
        if (refused.Count > 0)
        {
            var named = string.Join("; ", refused.GroupBy(r => (r.Dataset, r.Reason)).Select(g =>
                $"{g.Count()} sample(s) of \"{g.Key.Dataset}\" ({string.Join(", ", g.Take(50).Select(r => r.Id))}{(g.Count() > 50 ? ", …" : "")}): {g.Key.Reason}"));
            throw new LabelingException("licence", $"Job {jobId} cannot be sent to a vendor: {named}. Remove those samples (make the job from other data) or record the licence that allows it on the dataset.", 409);
        }

        if (items.FirstOrDefault(i => !store.Contains(i.ImageSha256)) is { } missing)
        {
            throw new LabelingException("images", $"The image of sample {missing.Id} is no longer in the content store; the job cannot be exported whole.", 409);
        }

        var guides = await db.LabelingGuideVersions.AsNoTracking().Where(g => g.JobId == jobId).OrderByDescending(g => g.Version).Take(2).ToListAsync(cancellationToken);
        var examples = await db.Samples.AsNoTracking().Where(s => guides[0].ExampleSampleIds.Contains(s.Id)).ToListAsync(cancellationToken);
        var answered = await db.LabelingQuestions.AsNoTracking().Where(q => q.JobId == jobId && q.Answer != null).OrderBy(q => q.Id).ToListAsync(cancellationToken);

        var path = Path.Combine(store.TempFolder, $"labeling-{jobId}-{Guid.NewGuid():N}.zip");
        Directory.CreateDirectory(store.TempFolder);
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var item in items)
                {
                    await CopyAsync(zip, $"images/{item.Id}.png", item.ImageSha256, cancellationToken);
                }

                foreach (var example in examples)
                {
                    await CopyAsync(zip, $"examples/{example.Id}.png", example.ImageSha256, cancellationToken);
                }

                var manifest = new StringBuilder("item_id,sample_id,image,width,height,sha256\n");
                var lines = new StringBuilder();
                foreach (var item in items)
                {
                    manifest.Append(CultureInfo.InvariantCulture, $"{item.ItemId},{item.Id},images/{item.Id}.png,{item.Width},{item.Height},{item.ImageSha256}\n");
                    lines.Append(JsonSerializer.Serialize(new { item_id = item.ItemId, sample_id = item.Id, image = $"images/{item.Id}.png", width = item.Width, height = item.Height, sha256 = item.ImageSha256 })).Append('\n');
                }

                await WriteAsync(zip, "manifest.csv", manifest.ToString(), cancellationToken);
                await WriteAsync(zip, "manifest.jsonl", lines.ToString(), cancellationToken);
                await WriteAsync(zip, "guide.md", Guide(job, guides, examples.ToDictionary(e => e.Id, e => e.GroundTruth)), cancellationToken);
                await WriteAsync(zip, "qna.md", Qna(answered), cancellationToken);
                await WriteAsync(zip, "README.md", ReadMe(job, items.Count), cancellationToken);
            }

            file.Position = 0;
            return (file, $"labeling-job-{jobId}.zip");
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    private async Task CopyAsync(ZipArchive zip, string name, string sha256, CancellationToken cancellationToken)
    {
        // Images are PNG already: storing them again compressed gains nothing.
        await using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        await using var image = store.OpenRead(sha256);
        await image.CopyToAsync(entry, cancellationToken);
    }

    private static async Task WriteAsync(ZipArchive zip, string name, string text, CancellationToken cancellationToken)
    {
        await using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await entry.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private static string Guide(LabelingJob job, List<LabelingGuideVersion> guides, Dictionary<long, string> exampleLabels)
    {
        var current = guides[0];
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"> Guide version {current.Version} of labeling job {job.Id}, {current.CreatedAt.UtcDateTime:yyyy-MM-dd}.");
        if (guides.Count > 1)
        {
            var previous = guides[1];
            var changes = new List<string>();
            if (previous.Markdown != current.Markdown)
            {
                changes.Add(current.Markdown.StartsWith(previous.Markdown.TrimEnd(), StringComparison.Ordinal) ? "text added at the end (see Clarifications)" : "the text changed");
            }

            if (!previous.ExampleSampleIds.SequenceEqual(current.ExampleSampleIds))
            {
                changes.Add("the examples changed");
            }

            text.Append(CultureInfo.InvariantCulture, $" Changed since version {previous.Version}: {string.Join("; ", changes)}.");
        }

        text.Append("\n\n").Append(current.Markdown.TrimEnd()).Append('\n');
        if (current.ExampleSampleIds.Count > 0)
        {
            text.Append("\n## Examples\n\n");
            foreach (var id in current.ExampleSampleIds.Where(exampleLabels.ContainsKey))
            {
                text.Append(CultureInfo.InvariantCulture, $"![sample {id}](examples/{id}.png) — **{exampleLabels[id]}**\n\n");
            }
        }

        return text.ToString();
    }

    private static string Qna(List<LabelingQuestion> answered)
    {
        var text = new StringBuilder("# Questions and answers\n\n");
        if (answered.Count == 0)
        {
            text.Append("No questions answered yet.\n");
        }

        foreach (var q in answered)
        {
            text.Append(CultureInfo.InvariantCulture, $"**Q{q.Id}**{(q.SampleId is { } s ? $" (sample {s}, images/{s}.png)" : "")}, {q.AskedBy}: {q.Text}\n\n**A:** {q.Answer}\n\n");
        }

        return text.ToString();
    }

    private static string ReadMe(LabelingJob job, int items) => $$"""
        # Labeling job {{job.Id}}: {{job.Name}}

        {{items}} images to label, in `images/`. Read `guide.md` first; `qna.md` has the questions answered so far.

        ## Files

        - `manifest.csv`, `manifest.jsonl`: one row per item: `item_id`, `sample_id`, `image` (path in this zip), `width`, `height`, `sha256` (of the image file).
        - `images/<sample_id>.png`: the images to label.
        - `examples/`: the guide's example images.

        ## Delivering the labels

        Send one UTF-8 file with a label for every item, either

        - CSV with the header `item_id,label` (or `sample_id,label`, or all three), one row per item, values with commas in double quotes; or
        - JSONL: one object per line, `{"item_id": 123, "label": "..."}`.

        {{(job.Labels.Count > 0 ? $"Labels must be written exactly as one of: {string.Join(", ", job.Labels.Select(l => $"`{l}`"))}." : "Labels are the text exactly as printed.")}}
        Every item once; a file with an unknown id, a label outside the list, an item twice or an item missing is returned
        with a report per row, and none of it is taken.
        """;
}
