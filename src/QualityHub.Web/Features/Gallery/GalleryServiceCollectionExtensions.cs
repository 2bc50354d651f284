namespace QualityHub.Web.Features.Gallery;

public static class GalleryServiceCollectionExtensions
{
    /// <summary>The error gallery's queries and the taxonomy, tags, notes and flags modelers keep on samples.</summary>
    public static IServiceCollection AddGalleryFeature(this IServiceCollection services) =>
        services.AddSingleton<GalleryService>().AddSingleton<SampleReviews>();
}
