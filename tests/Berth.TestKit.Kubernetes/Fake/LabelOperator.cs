namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>The operators of a label selector requirement (k8s.io/apimachinery/pkg/selection).</summary>
internal enum LabelOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}
