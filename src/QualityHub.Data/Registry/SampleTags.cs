using Microsoft.EntityFrameworkCore;

namespace QualityHub.Data.Registry;

/// <summary>
/// The kinds (tags) of a dataset's samples. Tags are a list per sample — a JSON array in SQLite, a text[] in
/// PostgreSQL — which EF cannot flatten and group, so each engine is asked in its own words for the same answer.
/// </summary>
public static class SampleTags
{
    /// <summary>Every tag used in the dataset, once each, in code-point order.</summary>
    public static async Task<List<string>> DistinctAsync(QualityHubDbContext db, int datasetId, CancellationToken cancellationToken = default)
    {
        var tags = db.Database.IsNpgsql()
            ? db.Database.SqlQuery<string>($"SELECT DISTINCT t AS \"Value\" FROM \"Samples\" s, unnest(s.\"Tags\") AS t WHERE s.\"DatasetId\" = {datasetId}")
            : db.Database.SqlQuery<string>($"SELECT DISTINCT j.value AS Value FROM Samples s, json_each(s.Tags) j WHERE s.DatasetId = {datasetId}");
        var list = await tags.ToListAsync(cancellationToken);
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <summary>How many samples carry each tag.</summary>
    public static async Task<List<(string Tag, int Count)>> CountAsync(QualityHubDbContext db, int datasetId, CancellationToken cancellationToken = default)
    {
        var counts = db.Database.IsNpgsql()
            ? db.Database.SqlQuery<TagCount>($"SELECT t AS \"Tag\", COUNT(*)::integer AS \"Count\" FROM \"Samples\" s, unnest(s.\"Tags\") AS t WHERE s.\"DatasetId\" = {datasetId} GROUP BY t")
            : db.Database.SqlQuery<TagCount>($"SELECT j.value AS Tag, COUNT(*) AS Count FROM Samples s, json_each(s.Tags) j WHERE s.DatasetId = {datasetId} GROUP BY j.value");
        return (await counts.ToListAsync(cancellationToken)).Select(c => (c.Tag, c.Count)).ToList();
    }

    private sealed class TagCount
    {
        public string Tag { get; set; } = "";

        public int Count { get; set; }
    }
}
