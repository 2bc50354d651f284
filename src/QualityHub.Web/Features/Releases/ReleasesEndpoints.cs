namespace QualityHub.Web.Features.Releases;

/// <summary>The body of POST /api/releases.</summary>
public sealed record ReleaseRequest(string? Name, string? Rationale, IReadOnlyList<int>? ModelVersionIds);

/// <summary>/api/releases: releases with their metrics and the change from the previous release; create a draft.</summary>
public static class ReleasesEndpoints
{
    public static RouteGroupBuilder MapReleasesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/releases", (ReleaseCatalog catalog, CancellationToken ct) => catalog.GetReleasesAsync(ct));
        api.MapGet("/releases/{id:int}", async (ReleaseCatalog catalog, int id, CancellationToken ct) =>
            await catalog.GetReleaseAsync(id, ct) is { } release
                ? Results.Ok(release)
                : Results.Problem(statusCode: 404, title: "No such release", detail: $"There is no release {id}."));
        api.MapPost("/releases", async (ReleaseRequest? body, ReleaseCatalog catalog, CancellationToken ct) =>
        {
            try
            {
                var release = await catalog.CreateAsync(body?.Name, body?.Rationale, body?.ModelVersionIds, ct);
                return Results.Created($"/api/releases/{release.Id}", new { id = release.Id, name = release.Name, status = release.Status });
            }
            catch (ReleaseException e)
            {
                return Results.Problem(statusCode: e.Status, title: e.Status switch
                {
                    404 => "Not found",
                    409 => "Name taken",
                    422 => "Not a valid release",
                    _ => "Bad request",
                }, detail: e.Message);
            }
        });
        return api;
    }
}
