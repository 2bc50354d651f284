namespace QualityHub.Data.Registry;

/// <summary>What every Fashion-MNIST import records: the class names in label order, and the licence with its attribution.</summary>
public static class FashionMnist
{
    public static IReadOnlyList<string> Labels { get; } = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public const string LicenceId = "MIT";

    public const string Attribution = "Fashion-MNIST, Copyright (c) 2017 Zalando SE (Han Xiao, Kashif Rasul, Roland Vollgraf), MIT licence.";
}
