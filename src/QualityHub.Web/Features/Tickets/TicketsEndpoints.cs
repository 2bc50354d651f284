using System.Text.Json;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Web.Api;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Compare;

namespace QualityHub.Web.Features.Tickets;

/// <summary>
/// /api/tickets: file (JSON, the input image as a stored SHA-256 or a base64 JPEG, PNG, WebP, BMP or GIF), list with filters and paging, read
/// one with comments, history and likely duplicates, move through the workflow, comment, reproduce, and add to the
/// module's regression set. Every refusal is a problem details naming the offending field.
/// </summary>
public static class TicketsEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapTicketsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/tickets", (HttpRequest request, TicketService tickets, IOptions<CompareOptions> limits, CancellationToken ct) =>
            Answer(async () =>
            {
                var draft = await ReadAsync<TicketDraft>(request, BodyLimit(limits.Value), ct);
                var ticket = await tickets.CreateAsync(draft, Actor.Of(request.HttpContext.User), ct);
                return Results.Created($"/api/tickets/{ticket.Id}", ticket);
            })).DescribesBody<TicketDraft>().Produces<TicketDetail>(StatusCodes.Status201Created).ProducesProblems(404, 413, 422);
        api.MapGet("/tickets", (TicketService tickets, string? status, string? severity, int? moduleId, string? tag, string? q, int? skip, int? take, CancellationToken ct) =>
            Answer(async () =>
            {
                var query = new TicketQuery(
                    status is null ? null : TicketWorkflow.ParseStatus(status) ?? throw new TicketException($"'{status}' is not a ticket status; use new, triaged, reproduced, fixed, closed or won't fix.", "status"),
                    severity is null ? null : TicketService.ParseSeverity(severity),
                    moduleId, tag, q, skip ?? 0, take ?? 50);
                return Results.Ok(await tickets.ListAsync(query, ct));
            })).Produces<TicketPage>().ProducesProblems(400);
        api.MapGet("/tickets/counts", (TicketService tickets, CancellationToken ct) => Answer(async () => Results.Ok(await tickets.CountAsync(ct))))
            .Produces<TicketCounts>();
        api.MapGet("/tickets/{id:int}", (TicketService tickets, int id, CancellationToken ct) =>
            Answer(async () => await tickets.GetAsync(id, ct) is { } ticket ? Results.Ok(ticket) : throw new TicketException($"There is no ticket {id}.", "id", 404)))
            .Produces<TicketDetail>().ProducesProblems(404);
        api.MapGet("/tickets/{id:int}/image", (TicketService tickets, ContentStore store, int id, CancellationToken ct) =>
            Answer(async () => await tickets.ImageOfAsync(id, ct) is { } sha && store.Contains(sha)
                ? Results.Stream(store.OpenRead(sha), "image/png")
                : throw new TicketException($"Ticket {id} has no input image.", "id", 404)))
            .ProducesFile(ApiDescriptionExtensions.Png).ProducesProblems(404);
        // A draft's image before the ticket exists (the form's preview). Only PNGs: the store also holds model files.
        api.MapGet("/tickets/images/{sha256}", (ContentStore store, string sha256) =>
            Answer(() => Task.FromResult(IsStoredPng(store, sha256)
                ? Results.Stream(store.OpenRead(sha256), "image/png")
                : throw new TicketException($"No PNG image {sha256} is stored.", "sha256", 404))))
            .ProducesFile(ApiDescriptionExtensions.Png).ProducesProblems(404);
        api.MapPatch("/tickets/{id:int}", (HttpRequest request, TicketService tickets, int id, CancellationToken ct) =>
            Answer(async () => Results.Ok(await tickets.UpdateAsync(id, await ReadAsync<TicketPatch>(request, SmallBody, ct), Actor.Of(request.HttpContext.User), ct))))
            .DescribesBody<TicketPatch>().Produces<TicketDetail>().ProducesProblems(404, 409, 413, 422);
        // POST and PATCH do the same: a move is one change of the ticket's status.
        foreach (var method in new[] { HttpMethods.Post, HttpMethods.Patch })
        {
            api.MapMethods("/tickets/{id:int}/status", [method], (HttpRequest request, TicketService tickets, int id, CancellationToken ct) =>
                Answer(async () => Results.Ok(await tickets.MoveAsync(id, await ReadAsync<TicketMove>(request, SmallBody, ct), Actor.Of(request.HttpContext.User), ct))))
                .DescribesBody<TicketMove>().Produces<TicketDetail>().ProducesProblems(404, 409, 413, 422);
        }

        api.MapPost("/tickets/{id:int}/comments", (HttpRequest request, TicketService tickets, int id, CancellationToken ct) =>
            Answer(async () =>
            {
                var comment = await tickets.CommentAsync(id, await ReadAsync<TicketCommentRequest>(request, SmallBody, ct), Actor.Of(request.HttpContext.User), ct);
                return Results.Created($"/api/tickets/{id}", comment);
            })).DescribesBody<TicketCommentRequest>().Produces<TicketCommentView>(StatusCodes.Status201Created).ProducesProblems(404, 413, 422);
        // Who asked is the caller's sign-in; the request has no body.
        api.MapPost("/tickets/{id:int}/reproduce", (HttpContext http, TicketReproducer reproducer, int id, CancellationToken ct) =>
            Answer(async () => Results.Ok(await reproducer.ReproduceAsync(id, Actor.Of(http.User), ct))))
            .Produces<Reproduction>().ProducesProblems(404, 409, 422);
        // Adding twice answers with the sample the first call made (created: false), so a retry is harmless.
        api.MapPost("/tickets/{id:int}/regression", (HttpContext http, RegressionSets sets, int id, CancellationToken ct) =>
            Answer(async () => Results.Ok(await sets.AddAsync(id, Actor.Of(http.User), ct))))
            .Produces<RegressionEntry>().ProducesProblems(404, 409, 422);
        api.MapPost("/tickets/duplicates", (HttpRequest request, TicketService tickets, CancellationToken ct) =>
            Answer(async () =>
            {
                var draft = await ReadAsync<TicketDraft>(request, SmallBody, ct);
                return Results.Ok(await tickets.FindDuplicatesAsync(draft.InputImageSha256, draft.ModuleId, draft.ExpectedOutput, draft.ActualOutput, cancellationToken: ct));
            })).WithMetadata(new ReadOnlyRequestAttribute())
            .DescribesBody<TicketDraft>().Produces<IReadOnlyList<TicketDuplicate>>().ProducesProblems(413, 422);
        return api;
    }

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    internal static bool IsStoredPng(ContentStore store, string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower) || !store.Contains(sha256))
        {
            return false;
        }

        Span<byte> head = stackalloc byte[8];
        using var file = store.OpenRead(sha256);
        return file.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(PngSignature);
    }

    // Text fields together stay far below this; bodies with an image get the image limit on top (base64: 4/3).
    private const long SmallBody = 1 << 20;

    private static long BodyLimit(CompareOptions limits) => SmallBody + limits.MaxImageBytes / 3 * 4 + 4;

    private static async Task<T> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
        where T : class =>
        await ReadOptionalAsync<T>(request, cancellationToken, maxBytes)
        ?? throw new TicketException("The request needs a JSON object as its body.", "body");

    /// <summary>
    /// The body as JSON, read here rather than by parameter binding so that a malformed body gets a 400 naming where it
    /// broke (the JSON path) and an oversized one a 413, before anything is parsed or stored.
    /// </summary>
    private static async Task<T?> ReadOptionalAsync<T>(HttpRequest request, CancellationToken cancellationToken, long maxBytes = SmallBody)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            throw new TicketException($"The body is {request.ContentLength / 1048576.0:F1} MiB; at most {maxBytes / 1048576.0:F1} MiB are accepted.", "body", StatusCodes.Status413PayloadTooLarge);
        }

        var body = await BoundedBody.ReadAsync(request, maxBytes, cancellationToken)
            ?? throw new TicketException($"The body is larger than the {maxBytes / 1048576.0:F1} MiB accepted.", "body", StatusCodes.Status413PayloadTooLarge);
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body.Span, Json);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            throw new TicketException($"The body is not valid JSON for this request at {e.Path ?? "$"} (line {e.LineNumber + 1}): {FirstSentence(e.Message)}", field);
        }
    }

    private static string FirstSentence(string message) => message.Split(". Path:", 2)[0].TrimEnd('.') + ".";

    private static async Task<IResult> Answer(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (TicketException e)
        {
            return Results.Problem(
                statusCode: e.StatusCode,
                title: e.StatusCode switch
                {
                    404 => "Not found",
                    409 => "Conflict",
                    413 => "Too large",
                    422 => "Cannot do that",
                    _ => "Bad request",
                },
                detail: e.Message,
                extensions: e.Field is null ? null : new Dictionary<string, object?> { ["field"] = e.Field });
        }
    }
}
