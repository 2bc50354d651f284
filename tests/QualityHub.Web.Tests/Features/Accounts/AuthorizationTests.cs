using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Tests.Features.Accounts;

/// <summary>
/// Who may call what: every /api endpoint, enumerated from the app's own routes, refuses a caller without credentials
/// (401) and a role its policies do not admit (403); /health stays open; bad keys and forged cookies are refused.
/// </summary>
public sealed partial class AuthorizationTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    private readonly Dictionary<string, string> keys = [];

    private sealed record ApiRoute(string Method, string Pattern, string Url, IReadOnlyList<string> Allowed);

    private List<ApiRoute> Routes()
    {
        var routes = new List<ApiRoute>();
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            // Every route value becomes 1 (a number fits every constraint used; a string route value takes it too).
            var url = RouteValue().Replace(pattern, "1");
            var allowed = endpoint.Metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
                .Aggregate((IEnumerable<string>)QualityHubRoles.All, (roles, policy) => roles.Intersect(Policies.Roles[policy])).ToList();
            foreach (var method in endpoint.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods))
            {
                routes.Add(new ApiRoute(method, pattern, url, allowed));
            }
        }

        return routes;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteValue();

    private async Task<string> KeyForAsync(string role)
    {
        if (!keys.TryGetValue(role, out var key))
        {
            var created = await factory.CreateClient().PostAsJsonAsync("/api/admin/api-keys", new { name = $"test {role}", role });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
            keys[role] = key;
        }

        return key;
    }

    private static HttpRequestMessage Request(ApiRoute route, string? key)
    {
        var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url);
        if (route.Method is not "GET" and not "DELETE")
        {
            request.Content = JsonContent.Create(new { });
        }

        if (key is not null)
        {
            request.Headers.Add(ApiKeyAuthenticationHandler.Header, key);
        }

        return request;
    }

    [Fact]
    public async Task Every_api_endpoint_answers_401_without_credentials()
    {
        var anonymous = factory.CreateAnonymousClient();
        var routes = Routes();
        Assert.True(routes.Count > 60, $"only {routes.Count} API routes found");

        var failures = new List<string>();
        foreach (var route in routes)
        {
            var response = await anonymous.SendAsync(Request(route, null));
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{route.Method} {route.Pattern}: {(int)response.StatusCode}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Every_api_endpoint_answers_403_for_each_role_its_policies_do_not_admit()
    {
        var routes = Routes();
        var failures = new List<string>();
        var checkedRefusals = 0;
        foreach (var route in routes)
        {
            Assert.NotEmpty(route.Allowed); // every endpoint admits someone (the admin at least)
            foreach (var role in QualityHubRoles.All.Except(route.Allowed))
            {
                var response = await factory.CreateAnonymousClient().SendAsync(Request(route, await KeyForAsync(role)));
                checkedRefusals++;
                if (response.StatusCode != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{route.Method} {route.Pattern} as {role}: {(int)response.StatusCode}");
                }
            }
        }

        Assert.Empty(failures);
        Assert.True(checkedRefusals > 80, $"only {checkedRefusals} refusals checked");
    }

    [Fact]
    public void Changes_need_a_role_and_reads_are_open_to_every_role()
    {
        var routes = Routes();

        Assert.All(routes.Where(r => r.Method == "GET" && !r.Pattern.StartsWith("/api/admin", StringComparison.Ordinal)),
            r => Assert.Equal(QualityHubRoles.All.Order(), r.Allowed.Order()));
        Assert.All(routes.Where(r => r.Method != "GET" && r.Pattern is not "/api/compare" and not "/api/tickets/duplicates"),
            r => Assert.DoesNotContain(QualityHubRoles.Viewer, r.Allowed));
        Assert.Equal(new[] { QualityHubRoles.Admin, QualityHubRoles.Planner }.Order(), routes.Single(r => r.Method == "POST" && r.Pattern == "/api/modules/{id:int}/requirements").Allowed.Order());
        Assert.Equal(new[] { QualityHubRoles.Admin, QualityHubRoles.QualityManager }.Order(), routes.Single(r => r.Method == "POST" && r.Pattern == "/api/releases/{id:int}/approve").Allowed.Order());
        Assert.Equal([QualityHubRoles.Admin], routes.Single(r => r.Method == "POST" && r.Pattern == "/api/admin/api-keys").Allowed);
        Assert.Contains(QualityHubRoles.Modeler, routes.Single(r => r.Method == "POST" && r.Pattern == "/api/evaluations").Allowed);
    }

    [Fact]
    public async Task Nobody_sets_released_by_hand_and_only_a_quality_manager_or_admin_retires()
    {
        int versionId;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            var module = new Module { Name = $"status-{Guid.NewGuid():N}"[..20], TaskType = TaskType.ImageClassification, InputDescription = "an image", OutputDescription = "a class", CreatedAt = DateTimeOffset.UtcNow };
            var version = new ModelVersion { Module = module, Name = "v1", Sha256 = new string('0', 64), FileName = "v1.onnx", CreatedAt = DateTimeOffset.UtcNow };
            db.ModelVersions.Add(version);
            await db.SaveChangesAsync();
            versionId = version.Id;
        }

        async Task<HttpStatusCode> SetAsync(string role, string status)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/models/{versionId}/status") { Content = JsonContent.Create(new { status }) };
            request.Headers.Add(ApiKeyAuthenticationHandler.Header, await KeyForAsync(role));
            return (await factory.CreateClient().SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Forbidden, await SetAsync(QualityHubRoles.Modeler, "Released"));
        Assert.Equal(HttpStatusCode.Forbidden, await SetAsync(QualityHubRoles.Admin, "Released"));
        Assert.Equal(HttpStatusCode.Forbidden, await SetAsync(QualityHubRoles.QualityManager, "Superseded"));
        Assert.Equal(HttpStatusCode.Forbidden, await SetAsync(QualityHubRoles.Modeler, "Retired"));
        Assert.Equal(HttpStatusCode.NoContent, await SetAsync(QualityHubRoles.QualityManager, "Retired"));
        Assert.Equal(HttpStatusCode.NoContent, await SetAsync(QualityHubRoles.Modeler, "Candidate"));
        var status = (await factory.CreateClient().GetFromJsonAsync<JsonElement>($"/api/models/{versionId}")).GetProperty("summary").GetProperty("status").GetString();
        Assert.Equal("Candidate", status);
    }

    [Fact]
    public async Task Health_stays_anonymous()
    {
        var response = await factory.CreateAnonymousClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_revoked_or_doubled_key_and_a_forged_cookie_are_refused()
    {
        var client = factory.CreateAnonymousClient();
        async Task<HttpStatusCode> WithHeaderAsync(string name, params string[] values)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/summary");
            request.Headers.TryAddWithoutValidation(name, values);
            return (await client.SendAsync(request)).StatusCode;
        }

        var viewerKey = await KeyForAsync(QualityHubRoles.Viewer);
        Assert.Equal(HttpStatusCode.OK, await WithHeaderAsync(ApiKeyAuthenticationHandler.Header, viewerKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithHeaderAsync(ApiKeyAuthenticationHandler.Header, viewerKey + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithHeaderAsync(ApiKeyAuthenticationHandler.Header, viewerKey, viewerKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithHeaderAsync("Cookie", "qualityhub=CfDJ8forged-cookie-value"));

        var admin = factory.CreateClient();
        // Each test of the class makes its own keys on the shared app, so this one is found by its prefix.
        var listed = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/api-keys")).EnumerateArray().Single(k => k.GetProperty("prefix").GetString() == viewerKey[..8]);
        Assert.Equal("test Viewer", listed.GetProperty("name").GetString());
        Assert.DoesNotContain(viewerKey, await admin.GetStringAsync("/api/admin/api-keys")); // never shown again
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/api-keys/{listed.GetProperty("id").GetInt32()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithHeaderAsync(ApiKeyAuthenticationHandler.Header, viewerKey));
        keys.Remove(QualityHubRoles.Viewer);
    }

    [Fact]
    public async Task Accounts_are_managed_by_the_admin_with_clear_refusals_and_every_change_is_audited()
    {
        var admin = factory.CreateClient();
        var email = $"modeler-{Guid.NewGuid():N}@test";

        var badRole = await admin.PostAsJsonAsync("/api/admin/users", new { email, password = "Modeler-2026x", role = "Wizard" });
        var weak = await admin.PostAsJsonAsync("/api/admin/users", new { email, password = "short", role = "Modeler" });
        var created = await admin.PostAsJsonAsync("/api/admin/users", new { email, password = "Modeler-2026x", role = "Modeler" });
        var twice = await admin.PostAsJsonAsync("/api/admin/users", new { email, password = "Modeler-2026x", role = "Modeler" });

        Assert.Equal((HttpStatusCode)422, badRole.StatusCode);
        Assert.Contains("role must be one of", await badRole.Content.ReadAsStringAsync());
        Assert.Equal((HttpStatusCode)422, weak.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync($"/api/admin/users/{id}/role", new { role = "Planner" })).StatusCode);
        var users = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/users")).EnumerateArray().ToList();
        Assert.Equal("Planner", users.Single(u => u.GetProperty("email").GetString() == email).GetProperty("role").GetString());

        var module = await admin.PostAsJsonAsync("/api/modules", new { name = $"audited-{Guid.NewGuid():N}"[..20], taskType = "ImageClassification", inputDescription = "x", outputDescription = "y", description = "" });
        Assert.Equal(HttpStatusCode.Created, module.StatusCode);
        var moduleId = (await module.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/admin/audit?take=50");
        var entries = audit.GetProperty("items").EnumerateArray().ToList();
        // An added record is named by the id the database gave it, and a user by the id Identity gave.
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "added Module" && e.GetProperty("actor").GetString() == "api key QUALITYHUB_API_KEY"
            && e.GetProperty("target").GetString()!.StartsWith($"Module {moduleId} (audited-", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "added IdentityUser" && e.GetProperty("target").GetString() == $"IdentityUser {id} ({email})");
        Assert.DoesNotContain(entries, e => e.GetProperty("target").GetString()!.Contains(" new", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.GetProperty("details").GetString()!.Contains("PasswordHash"));
        var csv = await admin.GetStringAsync("/api/admin/audit.csv");
        Assert.StartsWith("id,at,actor,action,target,details", csv);
        Assert.Contains("\"added Module\"", csv);
    }
}
