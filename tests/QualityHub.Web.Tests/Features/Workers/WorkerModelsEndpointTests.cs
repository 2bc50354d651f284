using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Web.Features.Demo;
using QualityHub.Worker;

namespace QualityHub.Web.Tests.Features.Workers;

/// <summary>The demo portal with a worker key configured (Inference:WorkerKey), as a portal serving workers runs.</summary>
public sealed class WorkerKeyDemoQualityHubFactory : QualityHubFactory
{
    public const string WorkerKey = "test-worker-key-0123456789abcdef";

    protected override bool LoadDemoContent => true;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Inference:WorkerKey"] = WorkerKey,
    };
}

/// <summary>
/// GET /worker/models/{sha256}: a worker presenting the shared key fetches a registered model version's ONNX file,
/// and nothing else of the content store; no user credentials are involved, and a portal without a key serves no worker.
/// </summary>
public sealed class WorkerModelsEndpointTests(WorkerKeyDemoQualityHubFactory factory, DemoQualityHubFactory keyless)
    : IClassFixture<WorkerKeyDemoQualityHubFactory>, IClassFixture<DemoQualityHubFactory>, IAsyncLifetime
{
    private const string Key = WorkerKeyDemoQualityHubFactory.WorkerKey;

    // The SHA-256 of the empty string, upper-case: well-formed but for its case.
    private const string UpperCaseHash = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";

    public async Task InitializeAsync()
    {
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        await keyless.Services.GetRequiredService<DemoContentLoader>().Completion;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A client with no credentials at all: no admin API key, no cookie.</summary>
    private static HttpClient WorkerClient(QualityHubFactory app)
    {
        var client = app.CreateAnonymousClient();
        Assert.False(client.DefaultRequestHeaders.Contains("X-Api-Key"));
        Assert.False(client.DefaultRequestHeaders.Contains("Cookie"));
        return client;
    }

    private static async Task<HttpResponseMessage> FetchAsync(HttpClient client, string name, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/worker/models/{name}");
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(WorkerKeyInterceptor.Header, key);
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<List<(string Sha256, long SizeBytes)>> ModelVersionsAsync(QualityHubFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        // A pipeline version is no file: its fingerprint names its stages, whose models are versions of their own.
        var versions = (await db.ModelVersions.Where(v => v.Module!.TaskType != TaskType.Pipeline).Select(v => new { v.Sha256, v.SizeBytes }).ToListAsync())
            .Select(v => (v.Sha256, v.SizeBytes)).ToList();
        Assert.NotEmpty(versions); // the demo registers its models; without them nothing here is proven
        return versions;
    }

    private static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task Without_a_configured_key_the_portal_serves_no_worker_even_a_registered_model()
    {
        var client = WorkerClient(keyless);
        var model = (await ModelVersionsAsync(keyless))[0].Sha256;
        Assert.True(keyless.Services.GetRequiredService<ContentStore>().Contains(model));

        using var withKey = await FetchAsync(client, model, Key);
        using var withoutKey = await FetchAsync(client, model, null);

        foreach (var response in new[] { withKey, withoutKey })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var problem = await ProblemAsync(response);
            Assert.Equal("No workers here", problem.GetProperty("title").GetString());
            Assert.Contains("Inference:WorkerKey", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_call_without_the_worker_key_is_unauthorized()
    {
        var model = (await ModelVersionsAsync(factory))[0].Sha256;

        using var response = await FetchAsync(WorkerClient(factory), model, null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("Not a worker of this portal", problem.GetProperty("title").GetString());
        Assert.Contains(WorkerKeyInterceptor.Header, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("not-the-key")]
    [InlineData("")]
    [InlineData(Key + "x")]
    [InlineData("test-worker-key-0123456789abcde")] // the key less its last character
    [InlineData("TEST-WORKER-KEY-0123456789ABCDEF")] // the key in another case
    [InlineData(QualityHubFactory.AdminKey)] // the admin API key is not the worker key
    public async Task A_call_with_a_wrong_key_is_unauthorized(string wrongKey)
    {
        var model = (await ModelVersionsAsync(factory))[0].Sha256;

        using var response = await FetchAsync(WorkerClient(factory), model, wrongKey);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Not a worker of this portal", (await ProblemAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_signed_in_admin_without_the_worker_key_is_unauthorized()
    {
        var model = (await ModelVersionsAsync(factory))[0].Sha256;
        var admin = factory.CreateClient(); // sends the admin API key
        Assert.True(admin.DefaultRequestHeaders.Contains("X-Api-Key"));

        using var response = await FetchAsync(admin, model, null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Not a worker of this portal", (await ProblemAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_malformed_name_with_a_wrong_key_is_unauthorized_before_it_is_judged()
    {
        using var response = await FetchAsync(WorkerClient(factory), "ABC", "not-the-key");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("ABC")]
    [InlineData("abc")]
    [InlineData(UpperCaseHash)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")] // 63 digits
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550")] // 65 digits
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g")] // 64, one not hex
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85-")] // 64, one not hex
    [InlineData("model.onnx")]
    [InlineData("..%2F..%2Fqualityhub.db")] // an escaped path routes as one segment, and is no name
    public async Task A_name_that_is_not_64_lower_case_hex_digits_is_a_bad_request(string name)
    {
        using var response = await FetchAsync(WorkerClient(factory), name, Key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Not a model name", (await ProblemAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_stored_sample_image_is_not_a_model_and_is_not_served()
    {
        var models = (await ModelVersionsAsync(factory)).Select(v => v.Sha256).ToHashSet();
        string image;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            image = await db.Samples.OrderBy(s => s.Id).Select(s => s.ImageSha256).FirstAsync();
        }

        Assert.DoesNotContain(image, models);
        Assert.True(factory.Services.GetRequiredService<ContentStore>().Contains(image)); // it is in the store, beside the models

        using var response = await FetchAsync(WorkerClient(factory), image, Key);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("No such model", problem.GetProperty("title").GetString());
        Assert.Contains(image, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_well_formed_hash_of_nothing_stored_is_not_found()
    {
        var nothing = Sha256Of(Encoding.UTF8.GetBytes("no model has these bytes " + Guid.NewGuid()));
        Assert.False(factory.Services.GetRequiredService<ContentStore>().Contains(nothing));

        using var response = await FetchAsync(WorkerClient(factory), nothing, Key);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No such model", (await ProblemAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Every_registered_model_version_is_served_to_a_worker_holding_no_user_credentials()
    {
        var client = WorkerClient(factory);

        foreach (var (sha256, sizeBytes) in await ModelVersionsAsync(factory))
        {
            using var response = await FetchAsync(client, sha256, Key);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal($"\"{sha256}\"", response.Headers.ETag?.Tag);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(sizeBytes, body.LongLength);
            Assert.Equal(sha256, Sha256Of(body));
        }

        // A pipeline version's fingerprint is no stored file: nothing is served for it.
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var pipeline = await db.ModelVersions.Where(v => v.Module!.TaskType == TaskType.Pipeline).Select(v => v.Sha256).FirstAsync();
        using var none = await FetchAsync(client, pipeline, Key);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task A_worker_already_holding_the_model_is_told_it_has_not_changed()
    {
        var model = (await ModelVersionsAsync(factory))[0].Sha256;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/worker/models/{model}");
        request.Headers.TryAddWithoutValidation(WorkerKeyInterceptor.Header, Key);
        request.Headers.TryAddWithoutValidation("If-None-Match", $"\"{model}\"");

        using var response = await WorkerClient(factory).SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}
