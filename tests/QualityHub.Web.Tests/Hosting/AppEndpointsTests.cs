using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;

namespace QualityHub.Web.Tests.Hosting;

public sealed class AppEndpointsTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    private readonly HttpClient client = factory.CreateClient();

    [Fact]
    public async Task The_home_page_renders_the_layout_and_the_overview()
    {
        var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>Overview · QualityHub</title>", html);
        Assert.Contains("_framework/blazor.web.js", html);
        foreach (var area in new[] { "Compare", "Evaluations", "Gallery", "Releases", "Tickets", "Requirements", "Datasets", "Models" })
        {
            Assert.Contains($"<div class=\"mud-nav-link-text\">{area}</div>", html);
        }
    }

    [Theory]
    [InlineData("/_framework/blazor.web.js", "javascript")]
    [InlineData("/js/reconnect.js", "javascript")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css", "text/css")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.js", "javascript")]
    [InlineData("/js/theme.js", "javascript")]
    [InlineData("/_content/Plotly.Blazor/plotly-interop-7.2.0.js", "javascript")]
    [InlineData("/lib/plotly-cartesian.min.js", "javascript")]
    [InlineData("/lib/signalr.min.js", "javascript")]
    public async Task Scripts_and_styles_are_served(string path, string contentType)
    {
        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(contentType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_tells_anyone_the_status_and_nothing_else()
    {
        var response = await factory.CreateAnonymousClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_admin_health_detail_reports_the_database_and_the_ONNX_Runtime()
    {
        var response = await client.GetAsync("/api/admin/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("ok", json.RootElement.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal(TestDatabase.DescriptionFor(factory.DataDirectory), json.RootElement.GetProperty("database").GetProperty("path").GetString());
        Assert.Equal("1.32.0", json.RootElement.GetProperty("onnxRuntime").GetProperty("version").GetString());
        Assert.EndsWith("/libonnxruntime.so", json.RootElement.GetProperty("onnxRuntime").GetProperty("library").GetString());
        var inference = json.RootElement.GetProperty("inference");
        Assert.Equal("auto", inference.GetProperty("preference").GetString());
        Assert.Contains(inference.GetProperty("provider").GetString(), new[] { "CPU", "CUDA", "TENSORRT" });
        if (inference.GetProperty("provider").GetString() == "CPU")
        {
            Assert.StartsWith("CUDA unavailable", inference.GetProperty("fallbackReason").GetString());
        }
    }

    [Fact]
    public async Task The_summary_counts_what_is_stored()
    {
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            db.Modules.Add(new Module { Name = $"fashion-{Guid.NewGuid():N}", TaskType = TaskType.ImageClassification, InputDescription = "28×28 gray image", OutputDescription = "one of 10 classes", CreatedAt = DateTimeOffset.UtcNow });
            db.VocTickets.Add(new VocTicket { Title = "Expiry read as 12/21", Status = TicketStatus.New, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            db.VocTickets.Add(new VocTicket { Title = "Old complaint", Status = TicketStatus.Closed, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var summary = await client.GetFromJsonAsync<JsonElement>("/api/summary");

        Assert.True(summary.GetProperty("modules").GetInt32() >= 1);
        Assert.Equal(summary.GetProperty("tickets").GetInt32() - 1, summary.GetProperty("openTickets").GetInt32());
    }

    [Fact]
    public async Task An_unknown_API_path_is_a_problem_details_404()
    {
        var response = await client.GetAsync("/api/no-such-thing?x=1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, json.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("/api/no-such-thing", json.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_wrong_method_on_an_API_endpoint_is_a_problem_details_405()
    {
        var response = await client.PostAsync("/api/summary", JsonContent.Create(new { }));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_page_is_a_404_with_the_Not_found_page()
    {
        var response = await client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no page at this address", await response.Content.ReadAsStringAsync());
    }
}
