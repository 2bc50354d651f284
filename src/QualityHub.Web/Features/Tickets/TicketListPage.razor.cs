using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Features.Tickets;

/// <summary>All tickets, filtered, sorted and paged on the server; follows new and changed tickets live.</summary>
public partial class TicketListPage
{
    [Inject]
    private TicketService Tickets { get; set; } = default!;

    [Inject]
    private TicketNotifier Notifier { get; set; } = default!;

    [Inject]
    private ModelCatalog Catalog { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;


    private static readonly IReadOnlyList<Choice<TicketStatus?>> Statuses = TicketWorkflow.Board.Select(s => new Choice<TicketStatus?>(s, TicketWorkflow.Label(s))).ToList();
    private static readonly IReadOnlyList<Choice<TicketSeverity?>> Severities = Enum.GetValues<TicketSeverity>().Select(s => new Choice<TicketSeverity?>(s, s.ToString().ToLowerInvariant())).ToList();
    private const int PageSize = 25;
    private MudDataGrid<TicketListItem>? grid;
    private IReadOnlyList<ModuleSummary> modules = [];
    private int total;
    private TicketStatus? status;
    private TicketSeverity? severity;
    private int? moduleId;
    private string? tag;
    private string? text;
    private IDisposable? subscription;
    private bool live;

    protected override async Task OnInitializedAsync()
    {
        modules = await Catalog.GetModulesAsync();
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query);
        status = TicketWorkflow.ParseStatus(query.GetValueOrDefault("status"));
        severity = TicketWorkflow.ParseSeverity(query.GetValueOrDefault("severity"));
        moduleId = int.TryParse(query.GetValueOrDefault("moduleId"), out var m) ? m : null;
        tag = query.GetValueOrDefault("tag").ToString() is { Length: > 0 } t ? t : null;
        text = query.GetValueOrDefault("q").ToString() is { Length: > 0 } q ? q : null;

        // The count comes with the page itself (and its prerender); the grid asks for its pages.
        total = (await Tickets.ListAsync(new TicketQuery(status, severity, moduleId, tag, text, 0, 1))).Total;
        subscription = Notifier.Subscribe(_ => InvokeAsync(async () =>
        {
            if (grid is not null)
            {
                await grid.ReloadServerData();
            }
        }));
    }

    // Live once the circuit has rendered (a prerendered copy is not subscribed; tests wait for this).
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            live = true;
            StateHasChanged();
        }
    }

    // One page at a time from the server, with the filters above.
    private async Task<GridData<TicketListItem>> LoadAsync(GridState<TicketListItem> state, CancellationToken cancellationToken)
    {
        var (sort, descending) = SortOf(state.SortDefinitions.FirstOrDefault());
        var page = await Tickets.ListAsync(new TicketQuery(status, severity, moduleId, tag, text, state.Page * state.PageSize, state.PageSize, sort, descending), cancellationToken);
        if (page.Total != total)
        {
            total = page.Total;
            _ = InvokeAsync(StateHasChanged);
        }

        return new GridData<TicketListItem> { Items = page.Items, TotalItems = page.Total };
    }

    // The grid names a column by its property; the newest ticket first when no column is chosen.
    public static (TicketSort Sort, bool Descending) SortOf(SortDefinition<TicketListItem>? sort) => sort is null
        ? (TicketSort.Id, true)
        : (Enum.TryParse<TicketSort>(sort.SortBy == nameof(TicketListItem.UpdatedAt) ? nameof(TicketSort.Updated) : sort.SortBy, out var by) ? by : TicketSort.Id, sort.Descending);

    private async Task FilterAsync(Action set)
    {
        set();
        if (grid is not null)
        {
            grid.NavigateTo(Page.First);
            await grid.ReloadServerData();
        }
    }

    public void Dispose() => subscription?.Dispose();

    private sealed record Choice<T>(T Value, string Text);
}
