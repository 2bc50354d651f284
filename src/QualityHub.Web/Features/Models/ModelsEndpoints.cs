using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using QualityHub.Core.Domain;
using QualityHub.Data.Registry;
using QualityHub.Inference.Engine;
using QualityHub.Web.Api;
using QualityHub.Web.Features.Accounts;
using QualityHub.Worker;

namespace QualityHub.Web.Features.Models;

/// <summary>/api/modules and /api/models.</summary>
public static class ModelsEndpoints
{
    /// <summary>A model card is a page of JSON; a megabyte leaves room for a thousand labels with notes.</summary>
    private const long MaxCardBytes = 1024 * 1024;

    // The upload's fields: a card (up to a megabyte, as PUT .../card takes), notes and a few short ones.
    private const int MaxFieldChars = 1024 * 1024;
    private const int MaxTotalFieldChars = 2 * 1024 * 1024;
    private const int MaxFields = 16;

    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/modules", (ModelCatalog catalog, CancellationToken ct) => catalog.GetModulesAsync(ct));
        api.MapPost("/modules", async (NewModule body, ModelRegistry registry, CancellationToken ct) =>
        {
            try
            {
                var module = await registry.AddModuleAsync(body.Name ?? "", body.TaskType, body.InputDescription ?? "", body.OutputDescription ?? "", body.Description ?? "", ct);
                return Results.Created($"/api/modules/{module.Id}", new CreatedModule(module.Id, module.Name, module.TaskType));
            }
            catch (RegistrationException e)
            {
                return Problem(422, "Module not added", e.Message, e.Field);
            }
        }).Produces<CreatedModule>(StatusCodes.Status201Created).ProducesProblems(422);
        api.MapGet("/models", (ModelCatalog catalog, int? moduleId, CancellationToken ct) => catalog.GetVersionsAsync(moduleId, ct));
        api.MapGet("/models/{id:int}", async (ModelCatalog catalog, int id, CancellationToken ct) =>
            await catalog.GetVersionAsync(id, ct) is { } detail ? Results.Ok(detail) : Results.Problem(statusCode: 404, title: "No such model version", detail: $"There is no model version {id}."))
            .Produces<ModelVersionDetail>().ProducesProblems(404);
        api.MapPost("/models", RegisterAsync).DisableAntiforgery()
            .DescribesBody<ModelUploadForm>("multipart/form-data").Produces<RegisteredModel>(StatusCodes.Status201Created).ProducesProblems(400, 413, 422);
        api.MapPut("/models/{id:int}/card", async (int id, HttpRequest request, ModelRegistry registry, CancellationToken ct) =>
        {
            if (await BoundedBody.ReadTextAsync(request, MaxCardBytes, ct) is not { } json)
            {
                return BoundedBody.TooLarge(MaxCardBytes);
            }

            try
            {
                var card = await registry.UpdateCardAsync(id, json, ct);
                return Results.Text(card.ToJson(), "application/json");
            }
            catch (RegistrationException e)
            {
                return Problem(e.Message.StartsWith("There is no", StringComparison.Ordinal) ? 404 : 422, "Model card not saved", e.Message, e.Field);
            }
        }).DescribesBody<JsonElement>().Produces<JsonElement>().ProducesProblems(404, 422)
            .WithDescription("The body and the answer are a model card in the card-file schema (task, input, outputKind, labels, topK, ctc, notes; enums in kebab-case).");
        api.MapDelete("/models/{id:int}", async (int id, ModelRegistry registry, InferenceEngine engine, CancellationToken ct) =>
        {
            try
            {
                await engine.UnloadAsync(await registry.DeleteAsync(id, ct));
                return Results.NoContent();
            }
            catch (RegistrationException e)
            {
                return Problem(e.Message.StartsWith("There is no", StringComparison.Ordinal) ? 404 : 409, "Model version not deleted", e.Message);
            }
        }).Produces(StatusCodes.Status204NoContent).ProducesProblems(404, 409);
        api.MapPut("/models/{id:int}/status", async (int id, StatusChange body, ModelRegistry registry, HttpContext http, IAuthorizationService authorization, CancellationToken ct) =>
        {
            // Released and superseded follow an approved release, for everyone; retiring is the quality manager's call.
            if (Enum.IsDefined(body.Status) && !ModelStatusRules.SetByHand(body.Status))
            {
                return Problem(403, "Status set by releases", ModelStatusRules.ReleaseOnly, "status");
            }

            if (body.Status == ModelStatus.Retired && !(await authorization.AuthorizeAsync(http.User, Policies.Approve)).Succeeded)
            {
                return Problem(403, "Retiring takes a quality manager", "A version is retired by a quality manager or an admin.", "status");
            }

            try
            {
                await registry.SetStatusAsync(id, body.Status, ct);
                return Results.NoContent();
            }
            catch (RegistrationException e)
            {
                return Problem(e.Message.StartsWith("There is no", StringComparison.Ordinal) ? 404 : 422, "Status not changed", e.Message, e.Field);
            }
        }).Produces(StatusCodes.Status204NoContent).ProducesProblems(403, 404, 422);
        api.MapDelete("/models/{id:int}/quarantine", async (int id, ModelCatalog catalog, ModelQuarantine quarantine, HttpContext http, IAuthorizationService authorization, CancellationToken ct) =>
        {
            if (!(await authorization.AuthorizeAsync(http.User, Policies.Approve)).Succeeded)
            {
                return Problem(403, "Lifting takes a quality manager", "A quarantine is lifted by a quality manager or an admin.");
            }

            if (await catalog.GetVersionAsync(id, ct) is not { } detail)
            {
                return Problem(404, "No such model version", $"There is no model version {id}.");
            }

            return quarantine.Lift(detail.Summary.Sha256)
                ? Results.NoContent()
                : Problem(404, "Not quarantined", $"Model version {id} is not quarantined.");
        }).Produces(StatusCodes.Status204NoContent).ProducesProblems(403, 404)
            .WithDescription("Lets a model version that crashed the portal's isolated worker twice run again (its crashes are forgotten).");
        return api;
    }

    /// <summary>
    /// multipart/form-data with the fields module, version (required), status, notes, trainedOnDatasetId, card (JSON)
    /// first and the file part last; the file streams into the store and is never held in memory.
    /// </summary>
    private static async Task<IResult> RegisterAsync(HttpContext context, ModelRegistry registry, IOptions<RegistryOptions> options, CancellationToken cancellationToken)
    {
        // The registry enforces Registry:MaxUploadMb while streaming; Kestrel's default 30 MB cap would stop real models.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType) || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Problem(400, "Expected multipart/form-data", "Send the fields module and version, then the ONNX file, as multipart/form-data.");
        }

        // Fields may also come in the query string (the browser's upload component sends only the file).
        var fields = context.Request.Query.Where(q => q.Key is "module" or "version" or "status" or "notes" or "trainedOnDatasetId")
            .ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        // The whole body stays within the model's limit and what the fields may add: an endless preamble or part is a 413.
        var maxBody = options.Value.MaxUploadMb * 1024 * 1024 + 4 * MaxTotalFieldChars;
        var reader = new MultipartReader(boundary, new UploadBodyStream(context.Request.Body, maxBody));
        var formFields = new MultipartFields(MaxFieldChars, MaxTotalFieldChars, MaxFields);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    return Problem(400, "Malformed multipart section", "A section has no Content-Disposition header.");
                }

                if (!disposition.IsFileDisposition())
                {
                    var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                    fields[name] = await formFields.ReadAsync(section, name, cancellationToken);
                    continue;
                }

                if (!fields.TryGetValue("module", out var module) || !fields.TryGetValue("version", out var version))
                {
                    return Problem(400, "Fields missing", "The fields 'module' and 'version' must come before the file.");
                }

                var status = ModelStatus.Candidate;
                if (fields.TryGetValue("status", out var statusText) && !Enum.TryParse(statusText, ignoreCase: true, out status))
                {
                    return Problem(400, "Unknown status", $"'status' is candidate or retired, not '{statusText}'.");
                }

                int? trainedOn = null;
                if (fields.TryGetValue("trainedOnDatasetId", out var trainedText) && trainedText.Length > 0)
                {
                    if (!int.TryParse(trainedText, out var parsed))
                    {
                        return Problem(400, "Bad dataset id", $"'trainedOnDatasetId' must be a number, not '{trainedText}'.");
                    }

                    trainedOn = parsed;
                }

                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "model.onnx";
                var request = new ModelImportRequest(module, version, fileName, status, fields.GetValueOrDefault("notes") ?? "", trainedOn, fields.GetValueOrDefault("card"));
                var result = await registry.ImportAsync(request, section.Body, cancellationToken: cancellationToken);
                var stored = result.Version;
                return Results.Created($"/api/models/{stored.Id}", new RegisteredModel(
                    stored.Id, module, stored.Module?.TaskType, stored.Name, stored.Sha256, stored.SizeBytes, stored.ParameterCount, stored.Opset,
                    result.Card is null ? null : JsonDocument.Parse(result.Card.ToJson()).RootElement, // in the card file schema
                    result.CardProblem));
            }
        }
        catch (RegistrationException e)
        {
            return Problem(422, "Model not registered", e.Message, e.Field);
        }
        catch (Exception e) when (e is UploadInterruptedException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return UploadInterruptedException.Abort(context);
        }
        catch (MultipartLimitException e)
        {
            return Problem(400, "Form too large", e.Message);
        }
        catch (UploadTooLargeException e)
        {
            return Problem(413, "Upload too large", $"The upload is larger than the {e.MaxBytes / 1048576.0:0.#} MiB allowed (Registry:MaxUploadMb); nothing was registered.");
        }
        catch (InvalidDataException e)
        {
            return Problem(400, "Malformed multipart body", e.Message);
        }

        return Problem(400, "No file", "The request has no file part.");
    }

    /// <summary>A module just added (POST /api/modules).</summary>
    public sealed record CreatedModule(int Id, string Name, TaskType TaskType);

    /// <summary>A model version just registered (POST /api/models); <see cref="Card"/> is in the card-file schema, <see cref="CardProblem"/> says why there is none.</summary>
    public sealed record RegisteredModel(
        int Id, string Module, TaskType? TaskType, string Name, string Sha256, long SizeBytes, long? ParameterCount, long? Opset, JsonElement? Card, string? CardProblem);

    /// <summary>
    /// The parts of POST /api/models as OpenAPI describes them (the endpoint streams them itself): the fields first
    /// (they may also come in the query string), the ONNX file last; status is candidate, released or retired.
    /// </summary>
    public sealed record ModelUploadForm(
        string Module, string Version, IFormFile File, ModelStatus? Status = null, string? Notes = null, int? TrainedOnDatasetId = null, string? Card = null);

    /// <summary>The JSON body of PUT /api/models/{id}/status.</summary>
    public sealed record StatusChange(ModelStatus Status);

    /// <summary>The JSON body of POST /api/modules.</summary>
    public sealed record NewModule(string? Name, TaskType TaskType, string? InputDescription, string? OutputDescription, string? Description);

    // A refusal that concerns one field names it (extension "field"), so a form can show it there.
    private static IResult Problem(int status, string title, string detail, string? field = null) => Results.Problem(
        statusCode: status, title: title, detail: detail, extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });
}
