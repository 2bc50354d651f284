using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace QualityHub.Web.Api;

/// <summary>A query-string value an endpoint reads itself (not by parameter binding), for its OpenAPI description.</summary>
internal sealed record QueryValue(string Name, JsonSchemaType Type, string Description, bool Required = false);

/// <summary>Shorthands for the OpenAPI metadata of /api endpoints.</summary>
internal static class ApiDescriptionExtensions
{
    public const string Csv = "text/csv";
    public const string Png = "image/png";

    /// <summary>
    /// The problem-details statuses this endpoint answers with of its own (404, 409, 413, 422, or 400 for bad query
    /// values); 401, 403 and a bad body's 400 are added to every operation that can get them by ProblemResponsesTransformer.
    /// </summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>Describes query-string values the handler reads from the request itself, so clients see them.</summary>
    public static RouteHandlerBuilder WithQueryValues(this RouteHandlerBuilder builder, params QueryValue[] values) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var value in values)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = value.Name,
                    In = ParameterLocation.Query,
                    Required = value.Required,
                    Description = value.Description,
                    Schema = new OpenApiSchema { Type = value.Type },
                });
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// Describes the body a handler reads itself (streamed or parsed for its own errors), and the 400 it answers to a bad
    /// one. Only in the document: unlike Accepts&lt;T&gt;, this adds no content-type filter to routing, so a wrong body
    /// still gets the handler's own 400 rather than the router's 415.
    /// </summary>
    public static RouteHandlerBuilder DescribesBody<TBody>(this RouteHandlerBuilder builder, string contentType = "application/json", bool required = true) =>
        builder.ProducesProblem(StatusCodes.Status400BadRequest).AddOpenApiOperationTransformer(async (operation, context, cancellationToken) => operation.RequestBody = new OpenApiRequestBody
        {
            Required = required,
            Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new() { Schema = await SchemaOf(typeof(TBody), context, cancellationToken) } },
        });

    /// <summary>A reference to the component of <paramref name="type"/> (arrays of one), adding the component when no endpoint did.</summary>
    public static async Task<IOpenApiSchema> SchemaOf(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var element = type.IsGenericType && type.GetGenericArguments() is [var item] && typeof(IEnumerable<>).MakeGenericType(item).IsAssignableFrom(type) ? item : null;
        if (element is not null)
        {
            return new OpenApiSchema { Type = JsonSchemaType.Array, Items = await SchemaOf(element, context, cancellationToken) };
        }

        var document = context.Document!;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(type.Name))
        {
            document.Components.Schemas[type.Name] = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        }

        return new OpenApiSchemaReference(type.Name, document);
    }

    /// <summary>A file answer (an image or a CSV export) instead of JSON.</summary>
    public static RouteHandlerBuilder ProducesFile(this RouteHandlerBuilder builder, string contentType) =>
        builder.Produces(StatusCodes.Status200OK, typeof(Stream), contentType);
}
