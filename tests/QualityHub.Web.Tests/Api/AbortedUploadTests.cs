using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using static QualityHub.Web.Tests.Support.DatasetUploads;

namespace QualityHub.Web.Tests.Api;

/// <summary>
/// Uploads whose sender gives up half-way, to POST /api/models and POST /api/datasets/upload: the server handles them
/// without a 500 or a logged error, keeps serving, registers nothing and leaves no file in the store's temp folder.
/// In memory a client that gives up is a cancelled request (RequestAborted); a body that breaks off cannot be modelled
/// here (the test server waits for the rest for ever), so AbortedUploadProcessTests sends one to the real app over a socket.
/// </summary>
public sealed class AbortedUploadTests(RecordingQualityHubFactory factory) : IClassFixture<RecordingQualityHubFactory>, IAsyncLifetime
{
    private const string Module = "aborted-uploads";
    // No redirect handler: it would read the whole body before sending, and these bodies never end well.
    private readonly HttpClient client = factory.CreateClient(new() { AllowAutoRedirect = false });

    public static TheoryData<string> Endpoints => new() { "/api/models", "/api/datasets/upload" };

    public async Task InitializeAsync()
    {
        var modules = await client.GetFromJsonAsync<JsonElement>("/api/modules");
        if (!modules.EnumerateArray().Any(m => m.GetProperty("name").GetString() == Module))
        {
            var added = await client.PostAsJsonAsync("/api/modules", new { name = Module, taskType = "ImageClassification", inputDescription = "image", outputDescription = "class" });
            added.EnsureSuccessStatusCode();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_client_that_cancels_half_way_is_handled_without_a_500_and_leaves_nothing(string endpoint)
    {
        var before = await RegisteredAsync();
        var (body, contentType) = await HalfOfAnUploadAsync(endpoint);
        using var cancel = new CancellationTokenSource();
        var stalled = new StallsAfterStream(body, cancel.Token);
        var finished = factory.NextCompletionOf($"POST {endpoint}");

        var sending = client.PostAsync(endpoint, Content(stalled, contentType), cancel.Token);
        await stalled.AllSent;
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        var status = await finished.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(500, status);
        await AssertNothingLeftAsync(before);
    }

    private async Task AssertNothingLeftAsync(int registeredBefore)
    {
        Assert.Empty(factory.Errors);
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
        Assert.Equal(registeredBefore, await RegisteredAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    private async Task<int> RegisteredAsync() =>
        (await client.GetFromJsonAsync<JsonElement>("/api/models")).GetArrayLength() + (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).GetArrayLength();

    /// <summary>The first half of a real upload to <paramref name="endpoint"/>: its fields and part of its file, with the content type that names its boundary.</summary>
    private static async Task<(byte[] Body, MediaTypeHeaderValue ContentType)> HalfOfAnUploadAsync(string endpoint)
    {
        var file = RandomBytes(400_000);
        using var form = endpoint == "/api/models"
            ? Form(new Dictionary<string, string> { ["module"] = Module, ["version"] = $"cut-{Guid.NewGuid():N}" }, ("file", "model.onnx", file))
            : Form(Fields($"cut-{Guid.NewGuid():N}"), ("zip", "pets.zip", Zip(("labels.csv", "file,label\n"u8.ToArray()), ("noise.bin", file))));
        var whole = await form.ReadAsByteArrayAsync();
        return (whole[..(whole.Length / 2)], form.Headers.ContentType!);
    }

    private static StreamContent Content(Stream body, MediaTypeHeaderValue contentType)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = contentType;
        return content;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Sends its bytes, then holds the request open until the client gives up on it.</summary>
    private sealed class StallsAfterStream(byte[] bytes, CancellationToken givenUp) : MemoryStream(bytes)
    {
        private readonly TaskCompletionSource allSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task AllSent => allSent.Task;

        public override bool CanSeek => false;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (base.Read(buffer.Span) is > 0 and var read)
            {
                return read;
            }

            allSent.TrySetResult();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(givenUp, cancellationToken);
            await Task.Delay(Timeout.Infinite, either.Token);
            return 0;
        }
    }
}
