namespace Berth.Engine.Framework;

/// <summary>A placement plugin. Plugins are created per <see cref="Placer"/> by <see cref="PluginRegistry"/>; they may keep caches but are not shared between placers.</summary>
public interface IPlugin
{
    /// <summary>The name a profile refers to it by.</summary>
    string Name { get; }
}
