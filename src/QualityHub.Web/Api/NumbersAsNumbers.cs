using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace QualityHub.Web.Api;

/// <summary>
/// Numbers are numbers in the document. The web JSON defaults also read "12" as 12, so the generated schema says
/// integer-or-string with a digits pattern; that leniency is not the contract (the API always writes numbers), and
/// client generators turn such a field into an untyped value.
/// </summary>
internal sealed class NumbersAsNumbers : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && type.HasFlag(JsonSchemaType.String))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }
}
