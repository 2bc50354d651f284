using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace QualityHub.Web.Tests.Features.Labeling;

/// <summary>One row of a vendor zip's manifest.</summary>
internal sealed record ManifestRow(long ItemId, long SampleId, string Image, int Width, int Height, string Sha256);

/// <summary>A vendor zip as the tests read it: every entry's bytes, and both manifests parsed.</summary>
internal sealed record VendorZip(IReadOnlyDictionary<string, byte[]> Entries, string CsvHeader, IReadOnlyList<ManifestRow> Csv, IReadOnlyList<ManifestRow> Jsonl, IReadOnlyList<IReadOnlyList<string>> JsonlKeys)
{
    public string Text(string name) => Encoding.UTF8.GetString(Entries[name]);
}

/// <summary>The labeling API as the tests call it: jobs, the vendor zip, deliveries, and the demo data they are made from.</summary>
internal static class LabelingApi
{
    public const string Fashion = "fashion-mnist-test-2000";

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<int> DatasetIdAsync(HttpClient client, string name) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).EnumerateArray().Single(d => d.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    /// <summary>Every sample of a dataset in dataset order, through the paged API.</summary>
    public static async Task<List<JsonElement>> SamplesAsync(HttpClient client, int datasetId)
    {
        var all = new List<JsonElement>();
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{datasetId}/samples?skip={all.Count}&take=1000");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            if (items.Count == 0 || all.Count >= page.GetProperty("total").GetInt32())
            {
                return all;
            }
        }
    }

    /// <summary>The ground truth of every sample of a dataset, by sample id.</summary>
    public static async Task<Dictionary<long, string>> LabelsAsync(HttpClient client, int datasetId) =>
        (await SamplesAsync(client, datasetId)).ToDictionary(s => s.GetProperty("id").GetInt64(), s => s.GetProperty("groundTruth").GetString()!);

    /// <summary>POST /api/labeling-jobs, which must answer 201; the job view.</summary>
    public static async Task<JsonElement> CreateJobAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/labeling-jobs", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await JsonAsync(response);
    }

    /// <summary>A small job of picked fashion samples, EUR, with the given gold count; the job view.</summary>
    public static Task<JsonElement> CreateSamplesJobAsync(HttpClient client, IEnumerable<long> sampleIds, int goldCount = 0, string? vendor = null, decimal unitPrice = 0.05m, decimal budget = 100m, string currency = "EUR") =>
        CreateJobAsync(client, new
        {
            name = $"job {Guid.NewGuid():N}",
            from = new { kind = "samples", sampleIds = sampleIds.ToList() },
            unitPrice,
            currency,
            budget,
            vendorName = vendor ?? "Test Vendor",
            goldCount,
        });

    public static async Task<JsonElement> PatchAsync(HttpClient client, int jobId, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PatchAsJsonAsync($"/api/labeling-jobs/{jobId}", body);
        Assert.True(response.StatusCode == expected, $"PATCH {JsonSerializer.Serialize(body)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await JsonAsync(response);
    }

    public static async Task<JsonElement> DetailAsync(HttpClient client, int jobId) => await client.GetFromJsonAsync<JsonElement>($"/api/labeling-jobs/{jobId}");

    /// <summary>GET …/export.zip, which must be a zip; its entries and manifests.</summary>
    public static async Task<VendorZip> ExportAsync(HttpClient client, int jobId)
    {
        var response = await client.GetAsync($"/api/labeling-jobs/{jobId}/export.zip");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var archive = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read))
        {
            foreach (var entry in archive.Entries)
            {
                using var stream = entry.Open();
                using var bytes = new MemoryStream();
                await stream.CopyToAsync(bytes);
                entries.Add(entry.FullName, bytes.ToArray());
            }
        }

        var csvLines = Encoding.UTF8.GetString(entries["manifest.csv"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var csv = csvLines.Skip(1).Select(line => line.Split(',')).Select(c => new ManifestRow(
            long.Parse(c[0], CultureInfo.InvariantCulture), long.Parse(c[1], CultureInfo.InvariantCulture), c[2],
            int.Parse(c[3], CultureInfo.InvariantCulture), int.Parse(c[4], CultureInfo.InvariantCulture), c[5])).ToList();
        var jsonLines = Encoding.UTF8.GetString(entries["manifest.jsonl"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var jsonl = jsonLines.Select(j => new ManifestRow(
            j.GetProperty("item_id").GetInt64(), j.GetProperty("sample_id").GetInt64(), j.GetProperty("image").GetString()!,
            j.GetProperty("width").GetInt32(), j.GetProperty("height").GetInt32(), j.GetProperty("sha256").GetString()!)).ToList();
        var keys = jsonLines.Select(j => (IReadOnlyList<string>)j.EnumerateObject().Select(p => p.Name).ToList()).ToList();
        return new VendorZip(entries, csvLines[0], csv, jsonl, keys);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>POST …/deliveries with <paramref name="content"/> as the multipart field <paramref name="field"/>.</summary>
    public static async Task<HttpResponseMessage> DeliverAsync(HttpClient client, int jobId, string fileName, byte[] content, string field = "file")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/octet-stream");
        form.Add(file, field, fileName);
        return await client.PostAsync($"/api/labeling-jobs/{jobId}/deliveries", form);
    }

    /// <summary>A delivery CSV in UTF-8: the header, then one line per row.</summary>
    public static byte[] Csv(string header, IEnumerable<string> rows) => Encoding.UTF8.GetBytes(header + "\n" + string.Concat(rows.Select(r => r + "\n")));

    /// <summary>A delivery CSV naming each item by item_id.</summary>
    public static byte[] Csv(IEnumerable<(long ItemId, string Label)> rows) =>
        Csv("item_id,label", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.ItemId},\"{r.Label}\"")));

    /// <summary>The problems of a refused delivery, as (row, itemId, field).</summary>
    public static List<(int Row, string? ItemId, string Field)> Problems(JsonElement problem) =>
        problem.GetProperty("problems").EnumerateArray().Select(p => (
            p.GetProperty("row").GetInt32(),
            p.GetProperty("itemId").ValueKind == JsonValueKind.Null ? null : p.GetProperty("itemId").GetString(),
            p.GetProperty("field").GetString()!)).ToList();

    /// <summary>An API key of <paramref name="role"/>, made by the admin.</summary>
    public static async Task<HttpClient> ClientOfRoleAsync(QualityHubFactory factory, string role)
    {
        var created = await factory.CreateClient().PostAsJsonAsync("/api/admin/api-keys", new { name = $"labeling {role} {Guid.NewGuid():N}"[..40], role });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await JsonAsync(created)).GetProperty("key").GetString()!;
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }
}
