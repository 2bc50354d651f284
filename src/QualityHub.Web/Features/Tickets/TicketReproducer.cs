using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Inference.Imaging;
using QualityHub.Web.Features.Compare;

namespace QualityHub.Web.Features.Tickets;

/// <summary>A reproduce run: each current candidate's answer on the ticket's input, checked against the expected output.</summary>
public sealed record Reproduction(int TicketId, string? Expected, string? Actual, IReadOnlyList<CandidateResult> Results)
{
    /// <summary>Candidates whose answer differs from the expected output: the complaint reproduces on them.</summary>
    public int Wrong => Results.Count(r => r.Correct == false);
}

/// <summary>
/// Runs a ticket's input through its module's current candidates side by side, with Compare's own runner: the
/// released version (what customers have) first, then the newest candidates, at most as many as Compare shows.
/// </summary>
public sealed class TicketReproducer(
    IDbContextFactory<QualityHubDbContext> contextFactory, CandidateSource candidates, ComparisonRunner runner, ContentStore store,
    IOptions<CompareOptions> options, TicketService tickets)
{
    /// <summary>The versions a reproduce run uses and the input, ready for <see cref="ComparisonRunner"/>.</summary>
    public async Task<(IReadOnlyList<Candidate> Candidates, CompareInput Input, TicketDetail Ticket)> PrepareAsync(int ticketId, CancellationToken cancellationToken = default)
    {
        var ticket = await tickets.GetAsync(ticketId, cancellationToken)
            ?? throw new TicketException($"There is no ticket {ticketId}.", "id", StatusCodes.Status404NotFound);
        if (ticket.ModuleId is not { } moduleId)
        {
            throw new TicketException($"Ticket {ticketId} names no module; set its module to reproduce it.", "moduleId", StatusCodes.Status422UnprocessableEntity);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Modules.AnyAsync(m => m.Id == moduleId && m.TaskType == TaskType.Pipeline, cancellationToken))
        {
            throw new TicketException(
                $"{ticket.Module} is a pipeline: reproduce runs single models. Read the ticket's photo with its versions on Compare (choose {ticket.Module}, upload the photo).",
                "moduleId", StatusCodes.Status422UnprocessableEntity);
        }

        if (ticket.InputImageSha256 is not { } sha || !store.Contains(sha))
        {
            throw new TicketException($"Ticket {ticketId} has no input image to run.", "inputImageSha256", StatusCodes.Status422UnprocessableEntity);
        }

        var ids = await db.ModelVersions
            .Where(v => v.ModuleId == moduleId && v.Status != ModelStatus.Retired && v.ModelCardJson != null)
            .OrderBy(v => v.Status == ModelStatus.Released ? 0 : 1).ThenByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id)
            .Select(v => v.Id).Take(CompareOptions.MaxCandidates).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            throw new TicketException($"Module {ticket.Module} has no released or candidate version with a model card to run.", "moduleId", StatusCodes.Status422UnprocessableEntity);
        }

        Image image;
        try
        {
            image = ImageDecoder.Decode(await File.ReadAllBytesAsync(store.PathOf(sha), cancellationToken), options.Value.MaxImagePixels);
        }
        catch (InvalidImageException e)
        {
            throw new TicketException($"The stored input image of ticket {ticketId} cannot be read: {e.Message}", "inputImageSha256", StatusCodes.Status422UnprocessableEntity);
        }

        try
        {
            return (await candidates.ResolveAsync(ids, cancellationToken), new CompareInput(image, null, ticket.ExpectedOutput), ticket);
        }
        catch (CompareException e)
        {
            throw new TicketException(e.Message, "moduleId", e.StatusCode);
        }
    }

    /// <summary>Runs every candidate and records the outcome in the ticket's history.</summary>
    public async Task<Reproduction> ReproduceAsync(int ticketId, string author, CancellationToken cancellationToken = default)
    {
        var (chosen, input, ticket) = await PrepareAsync(ticketId, cancellationToken);
        var results = await runner.RunAllAsync(chosen, input, cancellationToken);
        var reproduction = new Reproduction(ticketId, ticket.ExpectedOutput, ticket.ActualOutput, results);
        await RecordAsync(reproduction, author, cancellationToken);
        return reproduction;
    }

    /// <summary>One history line: every candidate's answer and whether it matched the expected output.</summary>
    public Task RecordAsync(Reproduction reproduction, string author, CancellationToken cancellationToken = default)
    {
        var answers = string.Join("; ", reproduction.Results.Select(r =>
            r.Error is { } error ? $"{r.Name}: failed ({error})" : $"{r.Name}: '{r.Output}'{(r.Correct switch { true => " (as expected)", false => " (differs)", null => "" })}"));
        return tickets.RecordAsync(reproduction.TicketId, author, "reproduce run", answers.Length <= 2000 ? answers : answers[..2000] + "…", cancellationToken);
    }
}
