using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Datasets;

/// <summary>GET /api/datasets/{id}/samples narrowed to one label and/or one kind, as the dataset page's grid asks for it.</summary>
public sealed class DatasetSamplesApiTests(DemoQualityHubFactory factory) : IClassFixture<DemoQualityHubFactory>, IAsyncLifetime
{
    private readonly HttpClient client = factory.CreateClient();

    public async Task InitializeAsync() => await factory.Services.GetRequiredService<DemoContentLoader>().Completion;

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<int> DatasetAsync(string name) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).EnumerateArray().Single(d => d.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    [Fact]
    public async Task A_label_keeps_only_its_samples_and_the_total_counts_them()
    {
        var fashion = await DatasetAsync("fashion-mnist-test-2000");

        var bags = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{fashion}/samples?label=Bag&take=1000");

        Assert.Equal(200, bags.GetProperty("total").GetInt32()); // the demo's 200 images per class
        Assert.Equal(200, bags.GetProperty("items").GetArrayLength());
        Assert.All(bags.GetProperty("items").EnumerateArray(), s => Assert.Equal("Bag", s.GetProperty("groundTruth").GetString()));
        var ordinals = bags.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("ordinal").GetInt32()).ToList();
        Assert.Equal(ordinals.Order(), ordinals); // still in dataset order
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{fashion}/samples?label=Hat")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_samples_image_is_kept_by_the_browser_and_a_missing_one_is_not()
    {
        var fashion = await DatasetAsync("fashion-mnist-test-2000");
        var first = (await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{fashion}/samples?take=1")).GetProperty("items")[0].GetProperty("id").GetInt64();

        using var image = await client.GetAsync($"/api/samples/{first}/image");
        using var missing = await client.GetAsync("/api/samples/999999999/image");

        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        var caching = image.Headers.CacheControl!;
        Assert.True(caching.Private);
        Assert.False(caching.Public);
        Assert.Equal(TimeSpan.FromDays(1), caching.MaxAge);
        Assert.Contains(caching.Extensions, e => e.Name == "immutable");
        Assert.NotNull(image.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Null(missing.Headers.CacheControl);
    }

    [Fact]
    public async Task A_kind_and_a_label_together_keep_what_has_both()
    {
        var cards = await DatasetAsync("card-text-test");
        var all = (await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{cards}/samples?take=1000")).GetProperty("items").EnumerateArray().ToList();
        var expiry = all.Where(s => s.GetProperty("tags").EnumerateArray().Any(t => t.GetString() == "field:expiry")).ToList();
        var label = expiry[0].GetProperty("groundTruth").GetString()!;

        var byKind = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{cards}/samples?tag=field:expiry&take=1000");
        var both = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{cards}/samples?tag=field:expiry&label={Uri.EscapeDataString(label)}");

        Assert.Equal(expiry.Count, byKind.GetProperty("total").GetInt32());
        Assert.Equal(expiry.Count(s => s.GetProperty("groundTruth").GetString() == label), both.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("label")]
    [InlineData("tag")]
    public async Task A_filter_longer_than_any_label_is_refused_by_name(string field)
    {
        var fashion = await DatasetAsync("fashion-mnist-test-2000");

        var response = await client.GetAsync($"/api/datasets/{fashion}/samples?{field}={new string('x', 1001)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }
}
