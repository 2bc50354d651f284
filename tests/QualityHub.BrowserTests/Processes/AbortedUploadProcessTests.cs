using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace QualityHub.BrowserTests.Processes;

/// <summary>
/// Uploads cut off half-way on a real socket to the real app (Kestrel), to POST /api/models and POST /api/datasets/upload:
/// the client sends the headers and half the body, then closes the connection, or stops sending and waits for an answer.
/// The app answers no 500 and logs no failure, keeps serving, registers nothing and leaves the store's temp folder empty.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AbortedUploadProcessTests(BrowserFixture fixture)
{
    private const string Module = "fashion-mnist-classifier";

    public static TheoryData<string, bool> Cases => new()
    {
        { "/api/models", true },
        { "/api/models", false },
        { "/api/datasets/upload", true },
        { "/api/datasets/upload", false },
    };

    private string TempFolder => Path.Combine(fixture.App.DataDirectory, "store", "tmp");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_upload_cut_off_half_way_leaves_nothing_and_the_app_keeps_serving(string endpoint, bool closeAbruptly)
    {
        using var http = fixture.App.CreateHttpClient();
        var registeredBefore = await RegisteredAsync(http);
        var logBefore = fixture.App.Output.Length;
        var (head, body) = await RequestAsync(endpoint, new Uri(fixture.App.BaseUrl).Authority);

        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            var uri = new Uri(fixture.App.BaseUrl);
            await socket.ConnectAsync(uri.Host, uri.Port);
            await socket.SendAsync(head);
            await socket.SendAsync(body.AsMemory(0, body.Length / 2));
            await UntilAsync(() => Directory.Exists(TempFolder) && Directory.EnumerateFileSystemEntries(TempFolder).Any(), "the upload reaches the temp folder");
            if (closeAbruptly)
            {
                socket.LingerState = new LingerOption(true, 0); // closing sends a reset, as a killed browser tab does
            }
            else
            {
                socket.Shutdown(SocketShutdown.Send);
                // Kestrel takes the end of sending for the end of the connection, so there is usually no answer at all.
                Assert.DoesNotMatch(@"^HTTP/1\.1 5\d\d", await ReadAnswerAsync(socket));
            }
        }

        var finished = new Regex($@"Request finished HTTP/1\.1 POST \S+{Regex.Escape(endpoint)} - (?<status>\d{{3}})");
        await UntilAsync(() => finished.IsMatch(fixture.App.Output[logBefore..]), "the app to finish the request");
        var log = fixture.App.Output[logBefore..];
        Assert.NotEqual("500", finished.Match(log).Groups["status"].Value);
        Assert.False(log.Contains("fail:"), log);
        Assert.False(Directory.EnumerateFileSystemEntries(TempFolder).Any());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(registeredBefore, await RegisteredAsync(http));
    }

    private static async Task<int> RegisteredAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/models")).GetArrayLength() + (await http.GetFromJsonAsync<JsonElement>("/api/datasets")).GetArrayLength();

    /// <summary>The request line and headers, and the whole multipart body, of an upload of 4 MB of noise.</summary>
    private static async Task<(byte[] Head, byte[] Body)> RequestAsync(string endpoint, string authority)
    {
        var noise = new byte[4 * 1024 * 1024];
        new Random(11).NextBytes(noise);
        using var form = new MultipartFormDataContent();
        if (endpoint == "/api/models")
        {
            form.Add(new StringContent(Module), "module");
            form.Add(new StringContent($"cut-{Guid.NewGuid():N}"), "version");
            form.Add(new ByteArrayContent(noise), "file", "model.onnx");
        }
        else
        {
            form.Add(new StringContent($"cut-{Guid.NewGuid():N}"), "name");
            form.Add(new StringContent("MIT"), "licenceId");
            form.Add(new ByteArrayContent(noise), "zip", "noise.zip");
        }

        var body = await form.ReadAsByteArrayAsync();
        var head = $"POST {endpoint} HTTP/1.1\r\nHost: {authority}\r\nX-Api-Key: {AppProcess.AdminKey}\r\nContent-Type: {form.Headers.ContentType}\r\nContent-Length: {body.Length}\r\n\r\n";
        return (Encoding.ASCII.GetBytes(head), body);
    }

    private static async Task<string> ReadAnswerAsync(Socket socket)
    {
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            // The server may reset the connection instead of answering; either way it is not a 500.
        }

        return answer.ToString();
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited 30 s for {what}.");
            await Task.Delay(50);
        }
    }
}
