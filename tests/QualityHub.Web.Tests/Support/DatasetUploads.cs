using System.IO.Compression;
using System.Net.Http.Headers;
using QualityHub.Inference.Imaging;

namespace QualityHub.Web.Tests.Support;

/// <summary>Dataset archives and the multipart forms that upload them, built in memory.</summary>
internal static class DatasetUploads
{
    public static byte[] Png(byte value, int size = 6)
    {
        var image = new Image(size, size, 1);
        Array.Fill(image.Pixels, value);
        return PngEncoder.Encode(image);
    }

    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var bytes = new MemoryStream();
        using (var archive = new ZipArchive(bytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write(content);
            }
        }

        return bytes.ToArray();
    }

    /// <summary>A zip of <paramref name="count"/> PNGs labelled cat or dog in labels.csv, with <paramref name="extraRows"/> appended to the CSV.</summary>
    public static byte[] PetsZip(int count = 4, string extraRows = "")
    {
        var entries = Enumerable.Range(0, count).Select(i => ($"images/{i}.png", Png((byte)(i * 10)))).ToList();
        var csv = "file,label,tags\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"images/{i}.png,{(i % 2 == 0 ? "cat" : "dog")},{(i % 3 == 0 ? "rotated" : "")}\n")) + extraRows;
        entries.Add(("labels.csv", System.Text.Encoding.UTF8.GetBytes(csv)));
        return Zip([.. entries]);
    }

    public static MultipartFormDataContent Form(IEnumerable<KeyValuePair<string, string>> fields, params (string Part, string FileName, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        foreach (var (part, fileName, content) in files)
        {
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, part, fileName);
        }

        return form;
    }

    public static Dictionary<string, string> Fields(string name, string labels = "cat,dog") => new()
    {
        ["name"] = name,
        ["licenceId"] = "CC-BY-4.0",
        ["commercialUseAllowed"] = "true",
        ["attribution"] = "Pets by the QualityHub tests",
        ["source"] = "made by the tests",
        ["split"] = "Train",
        ["labels"] = labels,
    };

    public static bool TempFolderIsEmpty(string dataDirectory)
    {
        var temp = Path.Combine(dataDirectory, "store", "tmp");
        return !Directory.Exists(temp) || !Directory.EnumerateFileSystemEntries(temp).Any();
    }
}
