using QualityHub.Data;
using QualityHub.Inference;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Compare;
using QualityHub.Web.Features.Datasets;
using QualityHub.Web.Features.Demo;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Gallery;
using QualityHub.Web.Features.Labeling;
using QualityHub.Web.Features.Live;
using QualityHub.Web.Features.Models;
using QualityHub.Web.Features.Online;
using QualityHub.Web.Features.Overview;
using QualityHub.Web.Features.Pipelines;
using QualityHub.Web.Features.Releases;
using QualityHub.Web.Features.Requirements;
using QualityHub.Web.Features.Tickets;
using QualityHub.Web.Features.Workers;
using QualityHub.Web.Hosting;
using QualityHub.Web.Hosting.Security;

// Inference:Isolation=process: the portal starts this program again as its own inference worker.
if (IsolatedWorkerProgram.IsChild(args, out var workerSocket))
{
    return await QualityHub.Worker.IsolatedWorker.RunChildAsync(workerSocket);
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    WebRootPath = InstallLayout.DefaultWebRoot,
});

// Start-up failures are reported once, in one line, by StartupGuard.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

builder.Services.AddQualityHubData(builder.Configuration);
builder.Services.AddQualityHubInference(builder.Configuration);
builder.Services.AddQualityHubWeb();
builder.Services.AddQualityHubSecurity(builder.Configuration);
builder.Services.AddQualityHubOpenApi();
builder.Services.AddAccountsFeature();
builder.Services.AddOverviewFeature();
builder.Services.AddModelsFeature();
builder.Services.AddPipelinesFeature();
builder.Services.AddDatasetsFeature();
builder.Services.AddCompareFeature(builder.Configuration);
builder.Services.AddEvaluationsFeature();
builder.Services.AddReleasesFeature();
builder.Services.AddGalleryFeature();
builder.Services.AddLabelingFeature();
builder.Services.AddRequirementsFeature();
builder.Services.AddTicketsFeature();
builder.Services.AddOnlineFeature(builder.Configuration);
builder.Services.AddLiveScaleOut(builder.Configuration);
builder.Services.AddWorkersFeature(builder.Configuration);
builder.Services.AddDemoContent();

var app = builder.Build();
app.UseQualityHubPipeline();
app.MapQualityHubEndpoints();

return await StartupGuard.RunAsync(app);

/// <summary>The web app's entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
