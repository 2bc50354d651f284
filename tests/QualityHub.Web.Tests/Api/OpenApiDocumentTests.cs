using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace QualityHub.Web.Tests.Api;

/// <summary>
/// /openapi/v1.json: every mapped /api route is in it with its method, success and problem-details responses and the
/// X-Api-Key scheme; an independent validator (swagger-parser, from npm) accepts it and refuses a broken one; it and
/// the reference page at /api-reference are for signed-in users only.
/// </summary>
public sealed partial class OpenApiDocumentTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    private const string ProblemJson = "application/problem+json";
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    private async Task<JsonObject> DocumentAsync() =>
        (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;

    private static IEnumerable<(string Method, string Path, JsonObject Operation)> Operations(JsonObject document) =>
        from path in document["paths"]!.AsObject()
        from operation in path.Value!.AsObject()
        where Methods.Contains(operation.Key)
        select (operation.Key.ToUpperInvariant(), path.Key, operation.Value!.AsObject());

    [GeneratedRegex(@"\{([^:}?]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task Every_mapped_api_route_is_in_the_document_with_its_method()
    {
        var document = await DocumentAsync();
        var documented = Operations(document).Select(o => $"{o.Method} {o.Path}").ToHashSet();

        var mapped = new List<string>();
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (pattern.StartsWith("/api/", StringComparison.Ordinal))
            {
                // The document names route values without their constraints: {id:int} is {id}.
                var path = RouteParameter().Replace(pattern, "{$1}");
                mapped.AddRange(endpoint.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods).Select(method => $"{method} {path}"));
            }
        }

        Assert.True(mapped.Count > 60, $"only {mapped.Count} API routes found");
        var undocumented = mapped.Where(route => !documented.Contains(route)).ToList();
        var unmapped = documented.Where(route => route.Split(' ')[1].StartsWith("/api/", StringComparison.Ordinal) && !mapped.Contains(route)).ToList();
        Assert.Empty(undocumented);
        Assert.Empty(unmapped);
    }

    [Fact]
    public async Task Every_api_operation_says_what_it_answers_and_its_errors_are_problem_details()
    {
        var document = await DocumentAsync();
        var failures = new List<string>();
        foreach (var (method, path, operation) in Operations(document).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var responses = operation["responses"]!.AsObject();
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            if (success.Count == 0 || success.Any(r => r.Key != "204" && r.Value!["content"] is null))
            {
                failures.Add($"{method} {path}: no success response with content");
            }

            if (responses["401"]?["content"]?[ProblemJson] is null)
            {
                failures.Add($"{method} {path}: no 401 problem details");
            }

            failures.AddRange(responses.Where(r => r.Key.StartsWith('4') && r.Value!["content"]?[ProblemJson]?["schema"] is null)
                .Select(r => $"{method} {path}: {r.Key} is not problem details"));
        }

        Assert.Empty(failures);

        // Each change states its body, except those that need none (who asks is the caller's sign-in; a re-check takes the stored rules).
        var bodiless = Operations(document).Where(o => o.Method is "POST" or "PUT" or "PATCH" && o.Operation["requestBody"] is null).Select(o => $"{o.Method} {o.Path}");
        Assert.Equal(["POST /api/datasets/{id}/validation", "POST /api/evaluations/{id}/cancel", "POST /api/tickets/{id}/regression", "POST /api/tickets/{id}/reproduce"], bodiless.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Endpoints_declare_their_own_problems_and_schemas()
    {
        var document = await DocumentAsync();
        var operations = Operations(document).ToDictionary(o => $"{o.Method} {o.Path}", o => o.Operation);

        // A ticket's draft and answer, as support systems filing tickets need them.
        var fileTicket = operations["POST /api/tickets"];
        Assert.Equal("#/components/schemas/TicketDraft", fileTicket["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/TicketDetail", fileTicket["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal(["201", "400", "401", "403", "404", "413", "422"], fileTicket["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        // Online events: a JSON array of events.
        var events = operations["POST /api/events"]["requestBody"]!["content"]!["application/json"]!["schema"]!;
        Assert.Equal("array", events["type"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/IncomingEvent", events["items"]!["$ref"]!.GetValue<string>());
        // Field-by-field refusals are validation problems; numbers are numbers, not number-or-string.
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails",
            operations["POST /api/modules/{id}/requirements"]["responses"]!["422"]!["content"]![ProblemJson]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("integer", document["components"]!["schemas"]!["QueuedRun"]!["properties"]!["id"]!["type"]!.GetValue<string>());
        // Required only without a measured version to start from.
        Assert.Contains(operations["GET /api/capacity"]["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "deviceMemoryGb" && p["required"]?.GetValue<bool>() != true);
        Assert.Contains(operations["GET /api/capacity"]["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "modelVersionId");
    }

    [Fact]
    public async Task The_document_declares_the_api_key_scheme_and_requires_it()
    {
        var document = await DocumentAsync();

        var scheme = document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
        Assert.Equal("header", scheme["in"]!.GetValue<string>());
        Assert.Equal("X-Api-Key", scheme["name"]!.GetValue<string>());
        Assert.Contains(document["security"]!.AsArray(), requirement => requirement!.AsObject().ContainsKey("ApiKey"));
        Assert.Empty(document["paths"]!["/health"]!["get"]!["security"]!.AsArray()); // the one anonymous operation
    }

    [Fact]
    public async Task An_independent_validator_accepts_the_document()
    {
        var file = Path.Combine(factory.DataDirectory, "openapi-v1.json");
        await File.WriteAllTextAsync(file, await factory.CreateClient().GetStringAsync("/openapi/v1.json"));

        var (exitCode, output) = await ValidateAsync(file);

        Assert.True(exitCode == 0, output);
        Assert.Contains("is OpenAPI 3.1", output);
    }

    [Fact]
    public async Task The_validator_refuses_a_document_with_a_dangling_reference_or_an_undeclared_path_parameter()
    {
        var dangling = await DocumentAsync();
        dangling["components"]!["schemas"]!.AsObject().Remove("ProblemDetails");
        var undeclared = await DocumentAsync();
        undeclared["paths"]!["/api/tickets/{id}"]!["get"]!.AsObject().Remove("parameters");

        var danglingFile = Path.Combine(factory.DataDirectory, "openapi-dangling.json");
        var undeclaredFile = Path.Combine(factory.DataDirectory, "openapi-undeclared.json");
        await File.WriteAllTextAsync(danglingFile, dangling.ToJsonString());
        await File.WriteAllTextAsync(undeclaredFile, undeclared.ToJsonString());

        var (danglingExit, danglingOutput) = await ValidateAsync(danglingFile);
        var (undeclaredExit, undeclaredOutput) = await ValidateAsync(undeclaredFile);

        Assert.Equal(1, danglingExit);
        Assert.Contains("ProblemDetails", danglingOutput);
        Assert.Equal(1, undeclaredExit);
        Assert.Contains("GET /api/tickets/{id}: path parameter 'id' is not declared", undeclaredOutput);
    }

    [Fact]
    public async Task The_document_is_refused_to_strangers_with_a_status_not_a_sign_in_page()
    {
        var response = await factory.CreateAnonymousClient().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_reference_page_is_for_signed_in_users_and_loads_nothing_from_elsewhere()
    {
        var stranger = factory.CreateBrowser();
        var refused = await stranger.GetAsync("/api-reference/");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode); // to the sign-in (or, before any account exists, the setup) page
        Assert.NotEqual(HttpStatusCode.OK, (await stranger.GetAsync("/api-reference/scalar.js")).StatusCode);

        var user = await SignedInViewerAsync();
        var page = await user.GetAsync("/api-reference/");
        var html = await page.Content.ReadAsStringAsync();
        var script = await user.GetAsync("/api-reference/scalar.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<script src=\"scalar.js\"></script>", html);
        Assert.Contains("openapi/v1.json", html);
        Assert.DoesNotContain("https://", html);
        Assert.Contains("\"withDefaultFonts\":false", html); // no web fonts from Scalar's CDN
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/openapi/v1.json")).StatusCode);
    }

    /// <summary>A browser signed in through the sign-in form as a new Viewer (the least role).</summary>
    private async Task<HttpClient> SignedInViewerAsync()
    {
        var email = $"viewer-{Guid.NewGuid():N}@test";
        const string password = "Viewer-2026-reads";
        var created = await factory.CreateClient().PostAsJsonAsync("/api/admin/users", new { email, password, role = "Viewer" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var browser = factory.CreateBrowser();
        var signIn = await PageForms.PostAsync(browser, "/account/login", "/account/sign-in", new() { ["email"] = email, ["password"] = password, ["returnUrl"] = "/" });
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        return browser;
    }

    private static async Task<(int ExitCode, string Output)> ValidateAsync(string file)
    {
        var start = new ProcessStartInfo("node", [RepositoryFiles.Path("tools", "openapi", "validate.mjs"), file])
        {
            WorkingDirectory = RepositoryFiles.Path(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        return (node.ExitCode, await stdout + await stderr);
    }
}
