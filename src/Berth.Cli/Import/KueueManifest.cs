using YamlDotNet.RepresentationModel;

namespace Berth.Cli.Import;

/// <summary>One Kueue object read from a manifest file: where it is, its kind, name and the mapping itself.</summary>
internal sealed record KueueManifest(string File, int Line, string ApiVersion, string Kind, string Name, string? Namespace, YamlMappingNode Root)
{
    /// <summary>"FILE:LINE: Kind name", how notes name the object.</summary>
    public string Where => Namespace is null ? $"{File}:{Line}: {Kind} {Name}" : $"{File}:{Line}: {Kind} {Namespace}/{Name}";
}
