using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Compare;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Features.Tickets;

/// <summary>One ticket: its facts, reproduce on the candidates, comments, history, the workflow and the regression set.</summary>
public partial class TicketDetailPage
{
    private readonly FieldErrors errors = new();
    private TicketDetail? ticket;
    private TicketChoices choices = new([], [], []);
    private bool missing;
    private string? assignee;
    private TicketSeverity severity;
    private string? tags;
    private bool formLoaded;
    private string? commentText;
    private int? fixedInReleaseId;
    private IReadOnlyList<Candidate> shown = [];
    private readonly Dictionary<int, CandidateResult> results = [];
    private readonly List<(string Name, int RunId)> queuedRuns = [];
    private bool reproducing;
    private bool interactive;
    private bool reproduced;
    private int run;
    private IDisposable? subscription;
    private readonly CancellationTokenSource lifetime = new();

    [Inject]
    private TicketService Tickets { get; set; } = default!;

    [Inject]
    private TicketReproducer Reproducer { get; set; } = default!;

    [Inject]
    private ComparisonRunner Runner { get; set; } = default!;

    [Inject]
    private RegressionSets Regression { get; set; } = default!;

    [Inject]
    private EvaluationJobs Jobs { get; set; } = default!;

    [Inject]
    private TicketNotifier Notifier { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Parameter]
    public int Id { get; set; }

    protected override async Task OnInitializedAsync()
    {
        choices = await Tickets.GetChoicesAsync(lifetime.Token);
        subscription = Notifier.Subscribe(change =>
        {
            if (change.Id == Id)
            {
                _ = InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
            }
        });
    }

    protected override async Task OnParametersSetAsync()
    {
        if (ticket is not null && ticket.Id != Id)
        {
            // Another ticket in the same page: its own form, nothing left of the last one's edits or answers.
            (formLoaded, commentText, fixedInReleaseId, shown, reproduced) = (false, null, null, [], false);
            results.Clear();
            queuedRuns.Clear();
            errors.Clear();
        }

        await LoadAsync();
    }

    // Until the circuit renders, the page is the prerendered copy: what is typed there is lost (tests wait for this).
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private string ReleaseName(int? id) => choices.Releases.FirstOrDefault(r => r.Id == id)?.Name ?? "";

    private async Task LoadAsync()
    {
        ticket = await Tickets.GetAsync(Id, lifetime.Token);
        missing = ticket is null;

        // The form starts from the stored values once; later reloads (someone else's change) leave an edit alone.
        if (ticket is not null && !formLoaded)
        {
            (assignee, severity, tags, formLoaded) = (ticket.Assignee, ticket.Severity, string.Join(", ", ticket.Tags), true);
        }
    }

    private void Edit(string field, Action set)
    {
        set();
        errors.Clear(field);
    }

    // The snackbar's text carries a marker, so tests (and people) can find the latest outcome.
    private void Say(string text, Severity level) =>
        Snackbar.Add(builder =>
        {
            builder.OpenElement(0, "span");
            builder.AddAttribute(1, "data-ticket-message", level == Severity.Error ? "error" : "done");
            builder.AddContent(2, text);
            builder.CloseElement();
        }, level);

    private async Task Do(Func<Task<string>> action)
    {
        errors.Clear();
        try
        {
            Say(await action(), Severity.Success);
        }
        catch (TicketException e)
        {
            // A refusal that names a field of the form shows on it; any other is said once.
            if (!errors.Set(e.Field, e.Message, "assignee", "severity", "tags", "fixedInReleaseId", "text"))
            {
                Say(e.Message, Severity.Error);
            }
        }

        await LoadAsync();
    }

    private async Task MoveAsync(TicketStatus next)
    {
        // A step nothing follows (closed) cannot be taken back, so ask first.
        if (TicketWorkflow.AllowedFrom(next).Count == 0)
        {
            var sure = await Dialogs.ShowMessageBoxAsync(
                $"Move #{Id} to {TicketWorkflow.Label(next)}?", "Nothing follows this step: the ticket cannot be reopened.",
                yesText: $"Move to {TicketWorkflow.Label(next)}", cancelText: "Cancel");
            if (sure != true)
            {
                return;
            }
        }

        await Do(async () =>
        {
            await Tickets.MoveAsync(Id, new TicketMove(next.ToString(), next == TicketStatus.Fixed ? fixedInReleaseId : null), await Actor.OfAsync(Authentication), lifetime.Token);
            return $"Moved to {TicketWorkflow.Label(next)}.";
        });
    }

    private Task SaveAsync() => Do(async () =>
    {
        var before = ticket!;
        var saved = await Tickets.UpdateAsync(Id, new TicketPatch
        {
            Assignee = assignee ?? "",
            Severity = severity.ToString(),
            Tags = (tags ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        }, await Actor.OfAsync(Authentication), lifetime.Token);
        return saved.History.Count == before.History.Count ? "Nothing changed." : "Saved.";
    });

    private Task CommentAsync() => Do(async () =>
    {
        await Tickets.CommentAsync(Id, new TicketCommentRequest(commentText), await Actor.OfAsync(Authentication), lifetime.Token);
        commentText = null;
        return "Comment added.";
    });

    private Task AddToRegressionAsync() => Do(async () =>
    {
        var entry = await Regression.AddAsync(Id, await Actor.OfAsync(Authentication), lifetime.Token);
        return entry.Created ? $"Created {entry.Dataset} with this input." : $"Added to {entry.Dataset} ({entry.Samples} samples).";
    });

    private Task EvaluateAsync(int datasetId) => Do(async () =>
    {
        var (candidates, _, _) = await Reproducer.PrepareAsync(Id, lifetime.Token);
        foreach (var c in candidates)
        {
            var queued = await Jobs.EnqueueAsync(c.VersionId, datasetId, lifetime.Token);
            queuedRuns.Add((c.Name, queued.Id));
        }

        return $"Queued {candidates.Count} evaluation run(s) on the regression set.";
    });

    // Each answer shows as it arrives, through Compare's runner; the outcome goes into the history at the end.
    private async Task ReproduceAsync()
    {
        (reproducing, reproduced) = (true, false);
        results.Clear();
        run++;
        try
        {
            var (candidates, input, _) = await Reproducer.PrepareAsync(Id, lifetime.Token);
            shown = candidates;
            StateHasChanged();
            await foreach (var result in Runner.RunAsync(candidates, input, lifetime.Token))
            {
                results[result.ModelVersionId] = result;
                StateHasChanged();
            }

            reproduced = true;
            var outcome = new Reproduction(Id, ticket?.ExpectedOutput, ticket?.ActualOutput, shown.Select(c => results[c.VersionId]).ToList());
            await Reproducer.RecordAsync(outcome, await Actor.OfAsync(Authentication), lifetime.Token);
            await LoadAsync();
        }
        catch (TicketException e)
        {
            Say(e.Message, Severity.Error);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // The page closed.
        }
        finally
        {
            reproducing = false;
        }
    }

    public void Dispose()
    {
        subscription?.Dispose();
        lifetime.Cancel();
        lifetime.Dispose();
    }
}
