using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Inference.Imaging;
using QualityHub.Web.Features.Compare;

namespace QualityHub.Web.Features.Tickets;

/// <summary>
/// VOC tickets: filing (checked field by field, the input image stored only once everything else is valid), the
/// workflow, comments, the append-only history, likely duplicates, the filtered list and the Overview's counts.
/// </summary>
public sealed class TicketService(
    IDbContextFactory<QualityHubDbContext> contextFactory, ContentStore store, IOptions<CompareOptions> imageLimits, TicketNotifier notifier, TimeProvider clock)
{
    /// <summary>Files a ticket as <paramref name="actor"/> (the signed-in account or API key).</summary>
    public async Task<TicketDetail> CreateAsync(TicketDraft draft, string actor, CancellationToken cancellationToken = default)
    {
        var title = Required(draft.Title, "title", TicketLimits.Title);
        var description = Optional(draft.Description, "description", TicketLimits.Description) ?? "";
        var channel = Optional(draft.Channel, "channel", TicketLimits.Channel) ?? "";
        var segment = Optional(draft.CustomerSegment, "customerSegment", TicketLimits.CustomerSegment) ?? "";
        var severity = draft.Severity is null ? TicketSeverity.Medium : ParseSeverity(draft.Severity);
        var expected = Optional(draft.ExpectedOutput, "expectedOutput", TicketLimits.Output);
        var actual = Optional(draft.ActualOutput, "actualOutput", TicketLimits.Output);
        var tags = Tags(draft.Tags);
        var assignee = Optional(draft.Assignee, "assignee", TicketLimits.Person);
        var customerReference = Optional(draft.CustomerReference, "customerReference", TicketLimits.CustomerReference);
        var author = Author(actor);
        var png = Png(draft);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var moduleId = draft.ModuleId;
        if (moduleId is { } m && !await db.Modules.AnyAsync(x => x.Id == m, cancellationToken))
        {
            throw new TicketException($"There is no module {m}.", "moduleId", StatusCodes.Status404NotFound);
        }

        if (draft.ReleaseId is { } r && !await db.Releases.AnyAsync(x => x.Id == r, cancellationToken))
        {
            throw new TicketException($"There is no release {r}.", "releaseId", StatusCodes.Status404NotFound);
        }

        if (draft.ModelVersionId is { } v)
        {
            var version = await db.ModelVersions.Where(x => x.Id == v).Select(x => new { x.ModuleId, x.Name }).SingleOrDefaultAsync(cancellationToken)
                ?? throw new TicketException($"There is no model version {v}.", "modelVersionId", StatusCodes.Status404NotFound);
            if (moduleId is { } given && version.ModuleId != given)
            {
                throw new TicketException($"Model version {v} ({version.Name}) belongs to module {version.ModuleId}, not to module {given}.", "modelVersionId", StatusCodes.Status422UnprocessableEntity);
            }

            moduleId = version.ModuleId;
        }

        // Where it was seen: the sample and the run must exist, and the run must have run on the sample's dataset.
        var sampleDataset = draft.SampleId is { } sampleId
            ? await db.Samples.Where(s => s.Id == sampleId).Select(s => (int?)s.DatasetId).SingleOrDefaultAsync(cancellationToken)
                ?? throw new TicketException($"There is no sample {sampleId}.", "sampleId", StatusCodes.Status404NotFound)
            : (int?)null;
        if (draft.RunId is { } runId)
        {
            var runDataset = await db.EvaluationRuns.Where(r => r.Id == runId).Select(r => (int?)r.DatasetId).SingleOrDefaultAsync(cancellationToken)
                ?? throw new TicketException($"There is no evaluation run {runId}.", "runId", StatusCodes.Status404NotFound);
            if (sampleDataset is { } datasetId && runDataset != datasetId)
            {
                throw new TicketException($"Run {runId} ran on dataset {runDataset}, not on sample {draft.SampleId}'s dataset {datasetId}.", "runId", StatusCodes.Status422UnprocessableEntity);
            }
        }

        var sha = draft.InputImageSha256?.Trim();
        if (sha is { Length: > 0 })
        {
            if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower))
            {
                throw new TicketException($"'{Shorten(sha)}' is not a SHA-256 in lower-case hex (64 characters).", "inputImageSha256");
            }

            // Touched, not just looked for: an image nothing references yet (stored for this draft) is kept by a sweep now.
            if (!store.Touch(sha))
            {
                throw new TicketException($"No image with SHA-256 {sha} is in the content store; send the image as inputImagePngBase64.", "inputImageSha256", StatusCodes.Status404NotFound);
            }
        }
        else
        {
            sha = null;
        }

        // Everything else is valid: only now does the image go into the store (a refused ticket stores nothing).
        if (png is not null)
        {
            sha = (await store.PutAsync(png, cancellationToken)).Sha256;
        }

        var now = clock.GetUtcNow();
        var ticket = new VocTicket
        {
            Title = title,
            Description = description,
            Channel = channel,
            CustomerSegment = segment,
            Severity = severity,
            Status = TicketStatus.New,
            ModuleId = moduleId,
            ReleaseId = draft.ReleaseId,
            ModelVersionId = draft.ModelVersionId,
            InputImageSha256 = sha,
            ExpectedOutput = expected,
            ActualOutput = actual,
            Tags = [.. tags],
            Assignee = assignee,
            ReportedBy = author,
            CustomerReference = customerReference,
            SampleId = draft.SampleId,
            EvaluationRunId = draft.RunId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.VocTickets.Add(ticket);

        // The history line needs the ticket's id; one transaction makes the ticket and its first line one write.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            db.TicketEvents.Add(new TicketEvent { TicketId = ticket.Id, Author = author, Action = "created", To = TicketWorkflow.Label(TicketStatus.New), At = now });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        Publish(ticket, TicketChangeKind.Created);
        return (await GetAsync(ticket.Id, cancellationToken))!;
    }

    public async Task<TicketDetail?> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var t = await db.VocTickets.AsNoTracking().Include(x => x.Module).SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (t is null)
        {
            return null;
        }

        var releaseIds = new[] { t.ReleaseId, t.FixedInReleaseId }.OfType<int>().ToList();
        var releases = await db.Releases.Where(x => releaseIds.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Name, cancellationToken);
        var version = t.ModelVersionId is { } v ? await db.ModelVersions.Where(x => x.Id == v).Select(x => x.Name).SingleOrDefaultAsync(cancellationToken) : null;
        var regressionDataset = t.RegressionSampleId is { } s ? await db.Samples.Where(x => x.Id == s).Select(x => (int?)x.DatasetId).SingleOrDefaultAsync(cancellationToken) : null;
        // Where it was seen, as long as the sample still exists.
        var seenDataset = t.SampleId is { } seen ? await db.Samples.Where(x => x.Id == seen).Select(x => (int?)x.DatasetId).SingleOrDefaultAsync(cancellationToken) : null;
        var comments = await db.TicketComments.Where(c => c.TicketId == id).OrderBy(c => c.Id)
            .Select(c => new TicketCommentView(c.Id, c.Author, c.Text, c.CreatedAt)).ToListAsync(cancellationToken);
        var history = await db.TicketEvents.Where(e => e.TicketId == id).OrderBy(e => e.Id)
            .Select(e => new TicketEventView(e.Id, e.Author, e.Action, e.From, e.To, e.At)).ToListAsync(cancellationToken);
        var duplicates = await FindDuplicatesAsync(db, t.InputImageSha256, t.ModuleId, t.ExpectedOutput, t.ActualOutput, t.Id, cancellationToken);

        return new TicketDetail(
            t.Id, t.Title, t.Description, t.Channel, t.CustomerSegment, t.Severity, t.Status,
            t.ModuleId, t.Module?.Name, t.Module?.TaskType, t.ReleaseId, t.ReleaseId is { } r ? releases.GetValueOrDefault(r) : null, t.ModelVersionId, version,
            t.InputImageSha256, t.InputImageSha256 is null ? null : $"api/tickets/{t.Id}/image", t.ExpectedOutput, t.ActualOutput, t.Tags, t.Assignee,
            t.ReportedBy, t.CustomerReference, seenDataset is null ? null : t.SampleId, seenDataset, t.EvaluationRunId,
            t.FixedInReleaseId, t.FixedInReleaseId is { } f ? releases.GetValueOrDefault(f) : null, t.RegressionSampleId, regressionDataset,
            t.CreatedAt, t.UpdatedAt, TicketWorkflow.AllowedFrom(t.Status), comments, history, duplicates);
    }

    public async Task<TicketChoices> GetChoicesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return new TicketChoices(
            await db.Modules.OrderBy(m => m.Name).Select(m => new TicketChoice(m.Id, m.Name)).ToListAsync(cancellationToken),
            await db.Releases.OrderByDescending(r => r.CreatedAt).Select(r => new TicketChoice(r.Id, r.Name)).ToListAsync(cancellationToken),
            await db.ModelVersions.OrderBy(v => v.Name).Select(v => new TicketVersionChoice(v.Id, v.ModuleId, v.Name, v.Status)).ToListAsync(cancellationToken),
            await db.Releases.Where(r => r.Status == ReleaseStatus.Current).OrderByDescending(r => r.CreatedAt).Select(r => (int?)r.Id).FirstOrDefaultAsync(cancellationToken));
    }

    /// <summary>The SHA-256 of a ticket's input image, if it has one (null for an unknown ticket too).</summary>
    public async Task<string?> ImageOfAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.VocTickets.Where(t => t.Id == id).Select(t => t.InputImageSha256).SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<TicketPage> ListAsync(TicketQuery query, CancellationToken cancellationToken = default)
    {
        if (query.Skip < 0 || query.Take is < 0 or > TicketLimits.MaxPageSize)
        {
            throw new TicketException($"skip must be ≥ 0 and take between 0 and {TicketLimits.MaxPageSize}.", query.Skip < 0 ? "skip" : "take");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var tickets = db.VocTickets.AsNoTracking();
        if (query.Status is { } status)
        {
            tickets = tickets.Where(t => t.Status == status);
        }

        if (query.Severity is { } severity)
        {
            tickets = tickets.Where(t => t.Severity == severity);
        }

        if (query.ModuleId is { } moduleId)
        {
            tickets = tickets.Where(t => t.ModuleId == moduleId);
        }

        if (query.Tag is { Length: > 0 } tag)
        {
            tickets = tickets.Where(t => t.Tags.Contains(tag));
        }

        if (query.Text?.Trim() is { Length: > 0 } text)
        {
            // LIKE with the wildcards of the text escaped, so "100%" finds "100%" and not everything.
            var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            tickets = tickets.Where(t => EF.Functions.Like(t.Title, pattern, "\\") || EF.Functions.Like(t.Description, pattern, "\\")
                || EF.Functions.Like(t.ExpectedOutput!, pattern, "\\") || EF.Functions.Like(t.ActualOutput!, pattern, "\\"));
        }

        var total = await tickets.CountAsync(cancellationToken);
        var items = await Ordered(tickets, query.Sort, query.Descending).Skip(query.Skip).Take(query.Take)
            .Select(t => new TicketListItem(t.Id, t.Title, t.Status, t.Severity, t.ModuleId, t.Module!.Name, t.Channel, t.Assignee, t.Tags, t.InputImageSha256 != null, t.CreatedAt, t.UpdatedAt))
            .ToListAsync(cancellationToken);
        return new TicketPage(items, total, query.Skip, query.Take);
    }

    private static IQueryable<VocTicket> Ordered(IQueryable<VocTicket> tickets, TicketSort sort, bool descending)
    {
        IOrderedQueryable<VocTicket> By<TKey>(System.Linq.Expressions.Expression<Func<VocTicket, TKey>> key) =>
            descending ? tickets.OrderByDescending(key) : tickets.OrderBy(key);

        var ordered = sort switch
        {
            TicketSort.Title => By(t => t.Title),
            TicketSort.Status => By(t => t.Status),
            TicketSort.Severity => By(t => t.Severity),
            TicketSort.Module => By(t => t.Module!.Name),
            TicketSort.Assignee => By(t => t.Assignee),
            TicketSort.Updated => By(t => t.UpdatedAt),
            _ => null,
        };
        return ordered is null
            ? (descending ? tickets.OrderByDescending(t => t.Id) : tickets.OrderBy(t => t.Id))
            : ordered.ThenByDescending(t => t.Id);
    }

    /// <summary>Moves a ticket along the workflow; an illegal move is refused (409) and changes nothing.</summary>
    public async Task<TicketDetail> MoveAsync(int id, TicketMove move, string actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(move.Status))
        {
            throw new TicketException("Give the status to move to (new, triaged, reproduced, fixed, closed or won't fix).", "status");
        }

        var to = TicketWorkflow.ParseStatus(move.Status)
            ?? throw new TicketException($"'{Shorten(move.Status)}' is not a ticket status; use new, triaged, reproduced, fixed, closed or won't fix.", "status");
        var author = Author(actor);
        var note = Optional(move.Note, "note", TicketLimits.Comment);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ticket = await db.VocTickets.SingleOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw NotFound(id);
        var from = ticket.Status;
        if (from == to)
        {
            throw new TicketException($"Ticket {id} is already {TicketWorkflow.Label(to)}.", "status", StatusCodes.Status409Conflict);
        }

        if (!TicketWorkflow.CanMove(from, to))
        {
            var allowed = TicketWorkflow.AllowedFrom(from);
            throw new TicketException(
                $"A ticket that is {TicketWorkflow.Label(from)} cannot move to {TicketWorkflow.Label(to)}; " +
                (allowed.Count == 0 ? "it is closed for good." : $"from {TicketWorkflow.Label(from)} it can go to {string.Join(" or ", allowed.Select(TicketWorkflow.Label))}."),
                "status", StatusCodes.Status409Conflict);
        }

        string? fixedIn = null;
        if (to == TicketStatus.Fixed)
        {
            var releaseId = move.FixedInReleaseId
                ?? throw new TicketException("A fixed ticket needs the release that ships the fix (fixedInReleaseId).", "fixedInReleaseId", StatusCodes.Status422UnprocessableEntity);
            fixedIn = await db.Releases.Where(r => r.Id == releaseId).Select(r => r.Name).SingleOrDefaultAsync(cancellationToken)
                ?? throw new TicketException($"There is no release {releaseId}.", "fixedInReleaseId", StatusCodes.Status404NotFound);
        }
        else if (move.FixedInReleaseId is not null)
        {
            throw new TicketException($"fixedInReleaseId belongs to a move to fixed, not to {TicketWorkflow.Label(to)}.", "fixedInReleaseId", StatusCodes.Status422UnprocessableEntity);
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Only from the status read above: of two people moving the same ticket at once, the second is refused.
        var changed = await db.VocTickets.Where(t => t.Id == id && t.Status == from).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.Status, to)
            .SetProperty(t => t.FixedInReleaseId, t => to == TicketStatus.Fixed ? move.FixedInReleaseId : to == TicketStatus.Closed ? t.FixedInReleaseId : null)
            .SetProperty(t => t.UpdatedAt, now), cancellationToken);
        if (changed == 0)
        {
            throw new TicketException($"Ticket {id} changed while this move was made; reload it and try again.", "status", StatusCodes.Status409Conflict);
        }

        db.TicketEvents.Add(new TicketEvent { TicketId = id, Author = author, Action = "status", From = TicketWorkflow.Label(from), To = TicketWorkflow.Label(to), At = now });
        if (fixedIn is not null)
        {
            db.TicketEvents.Add(new TicketEvent { TicketId = id, Author = author, Action = "fixed in release", To = fixedIn, At = now });
        }

        if (note is not null)
        {
            db.TicketComments.Add(new TicketComment { TicketId = id, Author = author, Text = note, CreatedAt = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        ticket.Status = to;
        Publish(ticket, TicketChangeKind.Updated);
        return (await GetAsync(id, cancellationToken))!;
    }

    /// <summary>Changes title, description, severity, assignee or tags; each change is one history entry.</summary>
    public async Task<TicketDetail> UpdateAsync(int id, TicketPatch patch, string actor, CancellationToken cancellationToken = default)
    {
        var title = patch.Title is null ? null : Required(patch.Title, "title", TicketLimits.Title);
        var description = patch.Description is null ? null : Optional(patch.Description, "description", TicketLimits.Description) ?? "";
        TicketSeverity? severity = patch.Severity is null ? null : ParseSeverity(patch.Severity);
        var assignee = patch.Assignee is null ? null : Optional(patch.Assignee, "assignee", TicketLimits.Person) ?? "";
        var tags = patch.Tags is null ? null : Tags(patch.Tags);
        var author = Author(actor);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ticket = await db.VocTickets.SingleOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw NotFound(id);
        var now = clock.GetUtcNow();
        var events = new List<TicketEvent>();
        void Record(string action, string? from, string? to)
        {
            if (from != to)
            {
                events.Add(new TicketEvent { TicketId = id, Author = author, Action = action, From = from, To = to, At = now });
            }
        }

        if (title is not null)
        {
            Record("title", ticket.Title, title);
            ticket.Title = title;
        }

        if (description is not null)
        {
            Record("description", ticket.Description, description);
            ticket.Description = description;
        }

        if (severity is { } s)
        {
            Record("severity", ticket.Severity.ToString().ToLowerInvariant(), s.ToString().ToLowerInvariant());
            ticket.Severity = s;
        }

        if (assignee is not null)
        {
            var value = assignee.Length == 0 ? null : assignee;
            Record("assignee", ticket.Assignee, value);
            ticket.Assignee = value;
        }

        if (tags is not null)
        {
            Record("tags", string.Join(", ", ticket.Tags), string.Join(", ", tags));
            ticket.Tags = [.. tags];
        }

        if (events.Count > 0)
        {
            ticket.UpdatedAt = now;
            db.TicketEvents.AddRange(events);
            await db.SaveChangesAsync(cancellationToken);
            Publish(ticket, TicketChangeKind.Updated);
        }

        return (await GetAsync(id, cancellationToken))!;
    }

    public async Task<TicketCommentView> CommentAsync(int id, TicketCommentRequest comment, string actor, CancellationToken cancellationToken = default)
    {
        var text = Required(comment.Text, "text", TicketLimits.Comment);
        var author = Author(actor);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ticket = await db.VocTickets.SingleOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw NotFound(id);
        var now = clock.GetUtcNow();
        var added = new TicketComment { TicketId = id, Author = author, Text = text, CreatedAt = now };
        db.TicketComments.Add(added);
        ticket.UpdatedAt = now;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            db.TicketEvents.Add(new TicketEvent { TicketId = id, Author = author, Action = "comment", To = $"comment {added.Id}", At = now });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        Publish(ticket, TicketChangeKind.Updated);
        return new TicketCommentView(added.Id, added.Author, added.Text, added.CreatedAt);
    }

    /// <summary>Appends a history entry for work done on a ticket elsewhere (a reproduce run, a regression sample).</summary>
    public async Task RecordAsync(int id, string actor, string action, string? to, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        db.TicketEvents.Add(new TicketEvent { TicketId = id, Author = Author(actor), Action = action, To = to, At = clock.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Tickets that look like the same complaint: the same input image, or the same module with the same expected and actual output.</summary>
    public async Task<IReadOnlyList<TicketDuplicate>> FindDuplicatesAsync(
        string? imageSha256, int? moduleId, string? expected, string? actual, int? exceptId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await FindDuplicatesAsync(db, imageSha256, moduleId, expected?.Trim(), actual?.Trim(), exceptId, cancellationToken);
    }

    private static async Task<IReadOnlyList<TicketDuplicate>> FindDuplicatesAsync(
        QualityHubDbContext db, string? imageSha256, int? moduleId, string? expected, string? actual, int? exceptId, CancellationToken cancellationToken)
    {
        var found = new List<TicketDuplicate>();
        if (imageSha256 is { Length: > 0 })
        {
            found.AddRange(await db.VocTickets.Where(t => t.InputImageSha256 == imageSha256 && t.Id != exceptId).OrderBy(t => t.Id).Take(20)
                .Select(t => new TicketDuplicate(t.Id, t.Title, t.Status, "same input image")).ToListAsync(cancellationToken));
        }

        if (moduleId is { } module && !string.IsNullOrEmpty(expected) && !string.IsNullOrEmpty(actual))
        {
            var pairs = await db.VocTickets.Where(t => t.ModuleId == module && t.ExpectedOutput == expected && t.ActualOutput == actual && t.Id != exceptId)
                .OrderBy(t => t.Id).Take(20).Select(t => new TicketDuplicate(t.Id, t.Title, t.Status, $"same module, expected '{expected}', got '{actual}'")).ToListAsync(cancellationToken);
            found.AddRange(pairs.Where(p => found.All(f => f.Id != p.Id)));
        }

        return found;
    }

    /// <summary>Counts per severity, per release in production and per tag, open and all.</summary>
    public async Task<TicketCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);

        // Tags live in a JSON column; tickets are people's reports (thousands, not millions), so count them here.
        var rows = await db.VocTickets.AsNoTracking().Select(t => new { t.Severity, t.Status, t.ReleaseId, t.Tags }).ToListAsync(cancellationToken);
        var releases = await db.Releases.ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken);

        static TicketCount Count(string key, IEnumerable<TicketStatus> statuses)
        {
            var list = statuses.ToList();
            return new TicketCount(key, list.Count(TicketWorkflow.IsOpen), list.Count);
        }

        var bySeverity = Enum.GetValues<TicketSeverity>().AsEnumerable().Reverse()
            .Select(s => Count(s.ToString().ToLowerInvariant(), rows.Where(r => r.Severity == s).Select(r => r.Status))).ToList();
        var byRelease = rows.GroupBy(r => r.ReleaseId is { } id ? releases.GetValueOrDefault(id, $"release {id}") : "(not given)")
            .Select(g => Count(g.Key, g.Select(r => r.Status))).OrderByDescending(c => c.Open).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        var byTag = rows.SelectMany(r => r.Tags.Select(tag => (tag, r.Status))).GroupBy(x => x.tag)
            .Select(g => Count(g.Key, g.Select(x => x.Status))).OrderByDescending(c => c.Open).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        return new TicketCounts(bySeverity, byRelease, byTag);
    }

    /// <summary>A draft from a gallery item: the sample's image and truth, and (with a run) the version and its answer.</summary>
    public async Task<TicketPrefill?> PrefillFromSampleAsync(long sampleId, int? runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var sample = await db.Samples.Where(s => s.Id == sampleId)
            .Select(s => new { s.ImageSha256, s.GroundTruth, s.Dataset!.ModuleId, Dataset = s.Dataset.Name, s.Ordinal }).SingleOrDefaultAsync(cancellationToken);
        if (sample is null)
        {
            return null;
        }

        var run = runId is { } r
            ? await (from p in db.Predictions
                     join e in db.EvaluationRuns on p.EvaluationRunId equals e.Id
                     where p.EvaluationRunId == r && p.SampleId == sampleId
                     select new { e.ModelVersionId, e.ModelVersion!.ModuleId, p.Output }).SingleOrDefaultAsync(cancellationToken)
            : null;
        return new TicketPrefill(run?.ModuleId ?? sample.ModuleId, run?.ModelVersionId, sample.ImageSha256, sample.GroundTruth, run?.Output,
            run is null ? null : $"Expected '{sample.GroundTruth}', got '{run.Output}' ({sample.Dataset} #{sample.Ordinal})", "gallery",
            sampleId, run is null ? null : runId);
    }

    private void Publish(VocTicket ticket, TicketChangeKind kind) =>
        notifier.Publish(new TicketChange(ticket.Id, ticket.Title, ticket.Status, ticket.Severity, ticket.ModuleId, kind));

    private byte[]? Png(TicketDraft draft)
    {
        if (draft.InputImagePngBase64 is not { } base64)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(draft.InputImageSha256))
        {
            throw new TicketException("Give the input image either as inputImageSha256 or as inputImagePngBase64, not both.", "inputImagePngBase64");
        }

        var limits = imageLimits.Value;
        var comma = base64.StartsWith("data:", StringComparison.Ordinal) ? base64.IndexOf(',') : -1;
        var text = base64.AsSpan(comma + 1).Trim();

        // Base64 is 4 characters per 3 bytes: refuse an oversized image before decoding it.
        if (text.Length / 4L * 3 > limits.MaxImageBytes + 3)
        {
            throw new TicketException($"The image is about {text.Length / 4.0 * 3 / 1048576:F1} MiB; the limit is {limits.MaxImageMb} MiB.", "inputImagePngBase64", StatusCodes.Status413PayloadTooLarge);
        }

        var bytes = new byte[text.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64Chars(text, bytes, out var written))
        {
            throw new TicketException("inputImagePngBase64 is not valid base64.", "inputImagePngBase64");
        }

        if (written == 0)
        {
            throw new TicketException("inputImagePngBase64 is empty.", "inputImagePngBase64");
        }

        return CheckImage(bytes[..written]);
    }

    /// <summary>
    /// Refuses an image that is too big or unreadable, as filing it would; returns the bytes the store keeps for it
    /// (a PNG as sent, any other format as the PNG of its upright first frame).
    /// </summary>
    public byte[] CheckImage(byte[] image)
    {
        var limits = imageLimits.Value;
        if (image.Length > limits.MaxImageBytes)
        {
            throw new TicketException($"The image is {image.Length / 1048576.0:F1} MiB; the limit is {limits.MaxImageMb} MiB.", "inputImagePngBase64", StatusCodes.Status413PayloadTooLarge);
        }

        try
        {
            return ImageDecoder.AsPng(image, ImageDecoder.Decode(image, limits.MaxImagePixels));
        }
        catch (InvalidImageException e)
        {
            throw new TicketException($"The input image is not a usable {ImageDecoder.AcceptedFormats} image: {e.Message}", "inputImagePngBase64", StatusCodes.Status422UnprocessableEntity);
        }
    }

    internal static TicketSeverity ParseSeverity(string text) => TicketWorkflow.ParseSeverity(text)
        ?? throw new TicketException($"'{Shorten(text)}' is not a severity; use low, medium, high or blocker.", "severity");

    // The acting account's name as history and comments keep it; it comes from the sign-in, so it is never refused.
    internal static string Author(string actor) =>
        string.IsNullOrWhiteSpace(actor) ? throw new ArgumentException("A ticket change needs the account that makes it.", nameof(actor))
        : actor.Length > TicketLimits.Person ? actor[..TicketLimits.Person] : actor;

    private static string Required(string? value, string field, int max) =>
        Optional(value, field, max) ?? throw new TicketException($"{field} is required.", field);

    private static string? Optional(string? value, string field, int max)
    {
        var text = value?.Trim();
        if (text is { Length: > 0 } && text.Length > max)
        {
            throw new TicketException($"{field} is {text.Length:N0} characters; at most {max:N0} are allowed.", field);
        }

        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static List<string> Tags(IReadOnlyList<string>? tags)
    {
        var list = (tags ?? []).Select(t => t?.Trim() ?? "").Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (list.Count > TicketLimits.Tags)
        {
            throw new TicketException($"A ticket has at most {TicketLimits.Tags} tags, not {list.Count}.", "tags");
        }

        if (list.FirstOrDefault(t => t.Length > TicketLimits.Tag) is { } tooLong)
        {
            throw new TicketException($"The tag '{Shorten(tooLong)}' is {tooLong.Length} characters; at most {TicketLimits.Tag} are allowed.", "tags");
        }

        return list;
    }

    private static TicketException NotFound(int id) => new($"There is no ticket {id}.", "id", StatusCodes.Status404NotFound);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
