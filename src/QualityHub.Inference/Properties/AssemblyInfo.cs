using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("QualityHub.Inference.Tests")]
