using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Inference.Imaging;

namespace QualityHub.Web.Features.Tickets;

/// <summary>Where a ticket's input landed: the module's regression dataset and the sample it became.</summary>
public sealed record RegressionEntry(int TicketId, int DatasetId, string Dataset, long SampleId, int Samples, bool Created);

/// <summary>
/// Each module's regression set: a dataset of split Regression, created on first use, whose samples are tickets'
/// inputs labelled with the output the customer expected. It is an ordinary dataset, so evaluations run on it.
/// </summary>
public sealed class RegressionSets(IDbContextFactory<QualityHubDbContext> contextFactory, ContentStore store, TimeProvider clock)
{
    /// <summary>Customers' reports are ours to test with, not to redistribute or train on without review.</summary>
    public const string LicenceId = "LicenseRef-Customer-Report";
    public const string Terms = "customer report — internal use";

    public static string NameFor(string module) => $"{module} regression";

    public async Task<RegressionEntry> AddAsync(int ticketId, string author, CancellationToken cancellationToken = default)
    {
        var who = TicketService.Author(author);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ticket = await db.VocTickets.SingleOrDefaultAsync(t => t.Id == ticketId, cancellationToken)
            ?? throw new TicketException($"There is no ticket {ticketId}.", "id", StatusCodes.Status404NotFound);
        if (ticket.RegressionSampleId is { } existing)
        {
            var at = await db.Samples.Where(s => s.Id == existing).Select(s => new { s.DatasetId, s.Dataset!.Name }).SingleAsync(cancellationToken);
            var count = await db.Samples.CountAsync(s => s.DatasetId == at.DatasetId, cancellationToken);
            return new RegressionEntry(ticketId, at.DatasetId, at.Name, existing, count, Created: false);
        }

        if (ticket.ModuleId is not { } moduleId)
        {
            throw new TicketException($"Ticket {ticketId} names no module, so it has no regression set.", "moduleId", StatusCodes.Status422UnprocessableEntity);
        }

        if (ticket.InputImageSha256 is not { } sha || !store.Contains(sha))
        {
            throw new TicketException($"Ticket {ticketId} has no input image to add.", "inputImageSha256", StatusCodes.Status422UnprocessableEntity);
        }

        if (string.IsNullOrWhiteSpace(ticket.ExpectedOutput))
        {
            throw new TicketException($"Ticket {ticketId} does not say what output was expected; that is the regression sample's label.", "expectedOutput", StatusCodes.Status422UnprocessableEntity);
        }

        var module = await db.Modules.SingleAsync(m => m.Id == moduleId, cancellationToken);
        var name = NameFor(module.Name);
        var dataset = await db.Datasets.SingleOrDefaultAsync(d => d.Name == name, cancellationToken);
        if (dataset is { } other && (other.Split != DatasetSplit.Regression || other.ModuleId != moduleId))
        {
            throw new TicketException($"'{name}' is already the name of a dataset that is not {module.Name}'s regression set.", "moduleId", StatusCodes.Status409Conflict);
        }

        var created = dataset is null;
        if (dataset is null)
        {
            // A classifier's labels come from its test set, so the regression set scores on the same classes.
            var labels = module.TaskType == TaskType.ImageClassification
                ? await db.Datasets.Where(d => d.ModuleId == moduleId && d.Split == DatasetSplit.Test).OrderBy(d => d.Id).Select(d => d.Labels).FirstOrDefaultAsync(cancellationToken) ?? []
                : [];
            dataset = new Dataset
            {
                Name = name,
                ModuleId = moduleId,
                TaskType = module.TaskType,
                Split = DatasetSplit.Regression,
                Source = "VOC tickets: inputs customers reported, labelled with the output they expected",
                LicenceId = LicenceId,
                CommercialUseAllowed = false,
                Attribution = Terms,
                Labels = labels,
                CreatedAt = clock.GetUtcNow(),
            };
            db.Datasets.Add(dataset);
        }

        var expected = ticket.ExpectedOutput.Trim();
        if (dataset.Labels.Count > 0 && !dataset.Labels.Contains(expected))
        {
            throw new TicketException(
                $"'{expected}' is not one of {module.Name}'s labels ({string.Join(", ", dataset.Labels)}); correct the expected output first.", "expectedOutput", StatusCodes.Status422UnprocessableEntity);
        }

        Image image;
        try
        {
            image = ImageDecoder.Decode(await File.ReadAllBytesAsync(store.PathOf(sha), cancellationToken));
        }
        catch (InvalidImageException e)
        {
            throw new TicketException($"The stored input image cannot be read: {e.Message}", "inputImageSha256", StatusCodes.Status422UnprocessableEntity);
        }

        var last = created ? null : await db.Samples.Where(s => s.DatasetId == dataset.Id).MaxAsync(s => (int?)s.Ordinal, cancellationToken);
        var sample = new Sample
        {
            Dataset = dataset,
            Ordinal = last + 1 ?? 0,
            ImageSha256 = sha,
            Width = image.Width,
            Height = image.Height,
            GroundTruth = expected,
            Tags = [$"ticket-{ticketId}", .. ticket.Tags],
        };
        db.Samples.Add(sample);

        // The sample needs its id before the ticket can point at it; one transaction keeps the two writes one change,
        // so a failure never leaves a sample the ticket does not know (and a retry would add twice).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        ticket.RegressionSampleId = sample.Id;
        ticket.UpdatedAt = clock.GetUtcNow();
        db.TicketEvents.Add(new TicketEvent { TicketId = ticketId, Author = who, Action = "regression set", To = $"{dataset.Name} #{sample.Ordinal}", At = ticket.UpdatedAt });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RegressionEntry(ticketId, dataset.Id, dataset.Name, sample.Id, sample.Ordinal + 1, created);
    }
}
