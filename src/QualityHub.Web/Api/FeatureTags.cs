using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace QualityHub.Web.Api;

/// <summary>Groups operations by the feature folder their handler lives in (Models, Tickets, Online…), as the reference page lists them.</summary>
internal sealed class FeatureTags : IOpenApiOperationTransformer
{
    private const string FeaturesNamespace = "QualityHub.Web.Features.";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var handler = context.Description.ActionDescriptor.EndpointMetadata.OfType<System.Reflection.MethodInfo>().FirstOrDefault();
        var ns = handler?.DeclaringType?.Namespace ?? "";
        var feature = ns.StartsWith(FeaturesNamespace, StringComparison.Ordinal) ? ns[FeaturesNamespace.Length..].Split('.')[0] : "Overview";
        operation.Tags = new HashSet<OpenApiTagReference> { new(feature, context.Document) };
        return Task.CompletedTask;
    }
}
