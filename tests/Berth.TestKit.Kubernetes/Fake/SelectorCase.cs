namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>A table-test case: a selector and the pod names it must return, in list order.</summary>
public sealed record SelectorCase(string Name, string Selector, string[] Expected)
{
    public override string ToString() => Name;
}
