using System.IO.Compression;
using System.Net.Http.Headers;

namespace QualityHub.BrowserTests.Support;

/// <summary>Files the browser tests upload: the repository's, Debian's Fashion-MNIST and small zips made on the spot.</summary>
public static class TestData
{
    public const string FashionFolder = "/usr/share/datasets/fashion-mnist";

    public static string FashionImages => Path.Combine(FashionFolder, "t10k-images-idx3-ubyte.gz");

    public static string FashionLabels => Path.Combine(FashionFolder, "t10k-labels-idx1-ubyte.gz");

    public static string FashionLabelSet => "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot";

    /// <summary>A zip of demo card-text images with <paramref name="labelsFile"/> (labels.csv or labels.jsonl) holding <paramref name="lines"/>.</summary>
    public static string CardTextZip(string folder, string labelsFile, params string[] lines)
    {
        var path = Path.Combine(folder, $"cards-{Guid.NewGuid():N}.zip");
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var image in Directory.EnumerateFiles(Path.Combine(CardTextFolder, "images"), "*.png").Order().Take(60))
        {
            archive.CreateEntryFromFile(image, Path.GetRelativePath(CardTextFolder, image).Replace('\\', '/'));
        }

        using var labels = new StreamWriter(archive.CreateEntry(labelsFile).Open());
        labels.Write(string.Join("\n", lines) + "\n");
        return path;
    }

    /// <summary>The first <paramref name="count"/> lines of the card-text demo's labels.jsonl (image, exact text, tags).</summary>
    public static string[] CardTextLines(int count) => File.ReadLines(Path.Combine(CardTextFolder, "labels.jsonl")).Take(count).ToArray();

    /// <summary>Imports Debian's Fashion-MNIST test set (10,000 images) through POST /api/datasets/upload; returns the new dataset's id.</summary>
    public static async Task<int> UploadFashionTestSetAsync(string baseUrl, string name)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(3) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AppProcess.AdminKey);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(name), "name" },
            { new StringContent("MIT"), "licenceId" },
            { new StringContent("true"), "commercialUseAllowed" },
            { new StringContent(FashionLabelSet), "labels" },
            { new StringContent($"Fashion-MNIST t10k from {FashionFolder}"), "source" },
            { GzipPart(FashionImages), "images", "t10k-images-idx3-ubyte.gz" },
            { GzipPart(FashionLabels), "labelsFile", "t10k-labels-idx1-ubyte.gz" },
        };
        var response = await http.PostAsync("/api/datasets/upload", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetInt32();
    }

    private static string CardTextFolder => RepositoryFiles.Path("data", "demo", "card-text");

    private static StreamContent GzipPart(string path)
    {
        var content = new StreamContent(File.OpenRead(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        return content;
    }
}
