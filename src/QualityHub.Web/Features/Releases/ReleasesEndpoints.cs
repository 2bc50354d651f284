using QualityHub.Web.Api;

namespace QualityHub.Web.Features.Releases;

/// <summary>The body of POST /api/releases.</summary>
public sealed record ReleaseRequest(string? Name, string? Rationale, IReadOnlyList<int>? ModelVersionIds);

/// <summary>A release just created as a draft (POST /api/releases).</summary>
public sealed record CreatedRelease(int Id, string Name, Core.Domain.ReleaseStatus Status);

/// <summary>A release's notes (GET /api/releases/{id}/notes), and whether they are the ones stored at approval.</summary>
public sealed record ReleaseNotesView(string Notes, bool Stored);

/// <summary>/api/releases: releases with their metrics and the change from the previous release; create a draft.</summary>
public static class ReleasesEndpoints
{
    public static RouteGroupBuilder MapReleasesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/releases", (ReleaseCatalog catalog, CancellationToken ct) => catalog.GetReleasesAsync(ct));
        api.MapGet("/releases/{id:int}", async (ReleaseCatalog catalog, int id, CancellationToken ct) =>
            await catalog.GetReleaseAsync(id, ct) is { } release
                ? Results.Ok(release)
                : NoRelease(id))
            .Produces<ReleaseView>().ProducesProblems(404);
        api.MapPost("/releases", async (ReleaseRequest? body, ReleaseCatalog catalog, CancellationToken ct) =>
        {
            try
            {
                var release = await catalog.CreateAsync(body?.Name, body?.Rationale, body?.ModelVersionIds, ct);
                return Results.Created($"/api/releases/{release.Id}", new CreatedRelease(release.Id, release.Name, release.Status));
            }
            catch (ReleaseException e)
            {
                return Problem(e);
            }
        }).RequireAuthorization(Accounts.Policies.Approve).Produces<CreatedRelease>(StatusCodes.Status201Created).ProducesProblems(404, 409, 422);
        api.MapGet("/releases/{id:int}/checklist", async (int id, ReleaseDecisions decisions, CancellationToken ct) =>
            await decisions.GetChecklistAsync(id, null, ct) is { } checklist ? Results.Ok(checklist) : NoRelease(id))
            .Produces<ReleaseChecklist>().ProducesProblems(404);
        api.MapPost("/releases/{id:int}/approve", async (int id, ApprovalRequest? body, ReleaseDecisions decisions, HttpContext http, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Results.Problem(statusCode: 400, title: "No approval", detail: "The body must be { signOff: true, waivers: [{ moduleId, requirement, reason }] }; the approver is the signed-in caller.");
            }

            try
            {
                return Results.Ok(await decisions.ApproveAsync(id, body, Accounts.Actor.Of(http.User), ct));
            }
            catch (ReleaseException e)
            {
                return Problem(e);
            }
        }).RequireAuthorization(Accounts.Policies.Approve).Produces<ReleaseChecklist>().ProducesProblems(404, 409, 422);
        api.MapGet("/releases/{id:int}/notes", async (int id, ReleaseDecisions decisions, CancellationToken ct) =>
            await decisions.GetNotesAsync(id, ct) is { } notes ? Results.Ok(new ReleaseNotesView(notes.Notes, notes.Stored)) : NoRelease(id))
            .Produces<ReleaseNotesView>().ProducesProblems(404);
        api.MapGet("/release-board", (ReleaseBoard board, CancellationToken ct) => board.GetAsync(ct)).Produces<ReleaseBoardView>();
        api.MapGet("/production-history", (ReleaseDecisions decisions, CancellationToken ct) => decisions.GetProductionHistoryAsync(ct));
        return api;
    }

    private static IResult NoRelease(int id) => Results.Problem(statusCode: 404, title: "No such release", detail: $"There is no release {id}.");

    private static IResult Problem(ReleaseException e) => Results.Problem(statusCode: e.Status, title: e.Status switch
    {
        404 => "Not found",
        409 => "Conflict",
        422 => "Not a valid release",
        _ => "Bad request",
    }, detail: e.Message, extensions: e.Field is null ? null : new Dictionary<string, object?> { ["field"] = e.Field });
}
